/** The CLI run in-process (`main(argv, io)`): its output captured as text, stdin given per run, signals sent by the test. */
import type { CliIo } from '../../src/cli/io.js';

export class CliCapture {
  out = '';
  err = '';
  #signal: ((sig: NodeJS.Signals) => void) | undefined;

  io(env: NodeJS.ProcessEnv, stdin = ''): CliIo {
    return {
      env,
      stdinIsTTY: false,
      readStdin: async () => stdin,
      out: (t) => void (this.out += t),
      err: (t) => void (this.err += t),
      untilSignal: () => new Promise((resolve) => (this.#signal = resolve)),
    };
  }

  /** What Ctrl-C (SIGINT) or a service manager (SIGTERM) would send to a command waiting for one. */
  signal(sig: NodeJS.Signals): void {
    if (this.#signal === undefined) throw new Error(`no command is waiting for a signal, so ${sig} would be lost`);
    this.#signal(sig);
  }
}
