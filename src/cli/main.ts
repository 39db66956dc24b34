import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type { Command } from './command.js';
import { CliError, errorCode } from './errors.js';
import type { CliIo } from './io.js';
import { commands } from './commands/index.js';
import { maskEngineText } from '../shared/mask-text.js';

const PROGRAM = 'runner-tray';
// dist/cli/main.js and src/cli/main.ts both sit two levels below package.json.
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

function helpText(): string {
  // Usage lines are long (alternatives, flags): each gets its own line, the summary indented below.
  const lines = Object.values(commands).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]);
  return [
    `Usage: ${PROGRAM} <command> [options]`,
    '',
    'Commands:',
    ...lines,
    '',
    'Secrets (the runner command, API tokens) are read from stdin only, never from arguments.',
    `Run '${PROGRAM} <command> --help' for a command's options.`,
    '',
  ].join('\n');
}

function commandHelp(name: string, cmd: Command): string {
  const opts = Object.entries(cmd.options).map(([k, o]) => `  --${k}${o.type === 'string' ? ' <value>' : ''}`);
  return [`Usage: ${PROGRAM} ${cmd.usage}`, '', cmd.summary, ...(opts.length ? ['', 'Options:', ...opts] : []), ''].join('\n');
}

/** Runs one CLI invocation and returns the exit code. */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(helpText());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${PROGRAM} ${VERSION}\n`);
    return 0;
  }
  const cmd = commands[name];
  if (!cmd) {
    io.err(`${PROGRAM}: unknown command '${name}'. Run '${PROGRAM} --help' for the list of commands.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(name, cmd));
    return 0;
  }
  const json = rest.includes('--json');
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new CliError('USAGE', `${(e as Error).message.split('. To specify')[0]}. Usage: ${PROGRAM} ${cmd.usage}`, 2);
    }
    if (parsed.positionals.length > cmd.maxPositionals) {
      throw new CliError('USAGE', `unexpected argument '${parsed.positionals[cmd.maxPositionals]}'. Usage: ${PROGRAM} ${cmd.usage}`, 2);
    }
    return await cmd.run(parsed, io);
  } catch (e) {
    return reportError(e, json, io);
  }
}

/**
 * Errors are one line on stderr (scripts and logs read them line by line); a service message
 * laid out over several lines (e.g. every place the engine was looked for) keeps all its detail.
 */
export function oneLine(message: string): string {
  const lines = message
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/^- /, ''))
    .filter((l) => l.length > 0);
  return lines.reduce((out, line, i) => (i === 0 ? line : `${out}${/:$/.test(out) ? ' ' : '; '}${line}`), '');
}

function reportError(e: unknown, json: boolean, io: CliIo): number {
  const code = errorCode(e);
  const raw = e instanceof Error ? e.message : String(e);
  // Not one of our messages: it may be an engine's or a library's, quoting what it refused.
  const message = code === 'UNEXPECTED' ? maskEngineText(raw, []) : raw;
  const exitCode = e instanceof CliError ? e.exitCode : 1;
  if (json) {
    const error: Record<string, string> = { code, message };
    const variable = (e as { variable?: unknown }).variable;
    if (typeof variable === 'string') error.variable = variable;
    io.out(JSON.stringify({ ok: false, error }) + '\n');
  } else {
    io.err(`${PROGRAM}: ${oneLine(message)}\n`);
  }
  if (code === 'UNEXPECTED' && io.env.RUNNER_TRAY_DEBUG && e instanceof Error && e.stack) io.err(e.stack + '\n');
  return exitCode;
}
