import type { ParsedArgs } from '../command.js';
import { CliError } from '../errors.js';

export function runnerArg(args: ParsedArgs, command: string): string {
  const runner = args.positionals[0];
  if (!runner) {
    throw new CliError('USAGE', `${command} needs a runner: its UUID (with or without braces) or its container name. See \`runner-tray list\`.`, 2);
  }
  return runner;
}
