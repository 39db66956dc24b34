import { describeSpec, formatParseJson, parseRunnerCommand } from '../../shared/runner-command/index.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { readPaste } from './read-paste.js';

export const parseCommand: Command = {
  usage: 'parse-command [--json]',
  summary: 'Read a pasted runner command on stdin and show what it configures (secret masked).',
  options: { json: { type: 'boolean' } },
  maxPositionals: 0,
  async run(args, io) {
    const result = parseRunnerCommand(await readPaste(io));
    if (args.values.json) {
      io.out(JSON.stringify(formatParseJson(result)) + '\n');
      return result.ok ? 0 : 2;
    }
    if (!result.ok) throw new CliError(result.error.code, result.error.message, 2, result.error.variable);
    io.out(describeSpec(result.spec, result.secret, result.extraSecrets) + '\n');
    for (const w of result.warnings) io.err(`warning [${w.code}]: ${w.message}\n`);
    return 0;
  },
};
