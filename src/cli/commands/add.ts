import { checkDisplayName } from '../../shared/display-name.js';
import { formatParseJson, parseRunnerCommand } from '../../shared/runner-command/index.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError, errorCode } from '../errors.js';
import { reportPulls } from './lifecycle.js';
import { readPaste } from './read-paste.js';

export const addCommand: Command = {
  usage: 'add [--work-dir DIR] [--name NAME] [--replace] [--start] [--json]',
  summary:
    'Store a runner from the pasted command on stdin: secret into the vault, the rest into settings; --start then starts it (kept when the start fails).',
  options: {
    'work-dir': { type: 'string' },
    name: { type: 'string' },
    replace: { type: 'boolean' },
    start: { type: 'boolean' },
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
    const start = Boolean(args.values.start);
    const result = await withContext(io, async (ctx) => {
      if (start) reportPulls(await ctx.runners(), io);
      return (await ctx.lifecycle()).add(parsed, {
        replace: Boolean(args.values.replace),
        start,
        ...(workDir === undefined ? {} : { workDir }),
        ...(displayName === undefined ? {} : { displayName }),
      });
    });
    const uuid = result.record.spec.runnerUuid;
    // A replaced runner left running: said once, whether it came from the add or the start.
    const warnings = [
      ...parsed.warnings,
      ...result.warnings.filter((w) => !(result.started && w.code === 'PENDING_RESTART')).map(({ code, message }) => ({ code, message })),
      ...(result.started?.pendingRestart && result.notice ? [{ code: 'PENDING_RESTART', message: result.notice }] : []),
    ];
    const failed = result.startError === undefined ? undefined : { code: errorCode(result.startError), message: (result.startError as Error).message };
    if (args.values.json) {
      const json = formatParseJson({ ...parsed, spec: result.record.spec, warnings: parsed.warnings });
      const started = start ? { started: result.started !== undefined, ...(failed ? { startError: failed } : {}) } : {};
      io.out(JSON.stringify({ ...json, warnings, added: true, replaced: result.replaced, ...started }) + '\n');
      return failed ? 1 : 0;
    }
    for (const w of warnings) io.err(`warning [${w.code}]: ${w.message}\n`);
    io.out(`${uuid}\n`);
    if (failed) {
      // Saved all the same: the fix is a `start`, not a second `add` (which would be refused).
      io.err(`runner-tray: saved ${uuid}, but it did not start [${failed.code}]: ${failed.message} Fix that, then run: runner-tray start ${uuid}\n`);
      return 1;
    }
    return 0;
  },
};
