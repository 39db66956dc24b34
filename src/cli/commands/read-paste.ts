import type { CliIo } from '../io.js';
import { CliError } from '../errors.js';

/** The runner command comes on stdin only, so its secret never sits in argv or shell history. */
export async function readPaste(io: CliIo): Promise<string> {
  if (io.stdinIsTTY) {
    io.err('Paste the runner command from Bitbucket, then press Ctrl-D (Ctrl-Z, Enter on Windows):\n');
  }
  const text = await io.readStdin();
  if (!text.trim()) {
    throw new CliError(
      'NOT_A_RUNNER_COMMAND',
      'nothing was read on stdin. Pipe the runner command in, e.g. `runner-tray add < runner.txt`, or paste it when asked.',
      2,
    );
  }
  return text;
}
