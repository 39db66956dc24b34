import { checkDisplayName } from '../../shared/display-name.js';
import { formatParseJson, parseRunnerCommand } from '../../shared/runner-command/index.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import { readPaste } from './read-paste.js';

export const addCommand: Command = {
  usage: 'add [--work-dir DIR] [--name NAME] [--replace] [--json]',
  summary: 'Store a runner from the pasted command on stdin: secret into the vault, the rest into settings.',
  options: {
    'work-dir': { type: 'string' },
    name: { type: 'string' },
    replace: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(args, io) {
    const givenName = args.values.name as string | undefined;
    const checkedName = givenName === undefined ? undefined : checkDisplayName(givenName);
    if (checkedName && !checkedName.ok) throw new CliError('INVALID_NAME', `--name: ${checkedName.message}`, 2);
    const displayName = checkedName?.ok ? checkedName.name : undefined;
    const parsed = parseRunnerCommand(await readPaste(io));
    if (!parsed.ok) throw new CliError(parsed.error.code, parsed.error.message, 2, parsed.error.variable);
    const workDir = args.values['work-dir'] as string | undefined;
    const result = await withContext(io, async (ctx) =>
      (await ctx.runners()).add(parsed, {
        replace: Boolean(args.values.replace),
        ...(workDir === undefined ? {} : { workDir }),
        ...(displayName === undefined ? {} : { displayName }),
      }),
    );
    const warnings = [...parsed.warnings, ...result.warnings.map(({ code, message }) => ({ code, message }))];
    if (args.values.json) {
      const json = formatParseJson({ ...parsed, spec: result.record.spec, warnings: parsed.warnings });
      io.out(JSON.stringify({ ...json, warnings, added: true, replaced: result.replaced }) + '\n');
      return 0;
    }
    for (const w of warnings) io.err(`warning [${w.code}]: ${w.message}\n`);
    io.out(`${result.record.spec.runnerUuid}\n`);
    return 0;
  },
};
