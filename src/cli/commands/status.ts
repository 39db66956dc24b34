import { printableText } from '../../shared/text-safety.js';
import type { RunnerState } from '../../shared/contract/views.js';
import { unrequestedExit, type UnrequestedExit } from '../../shared/runner-state.js';
import type { AppContext } from '../../main/app-context.js';
import type { RunnerStatus } from '../../main/runners/runner-service.js';
import { runnerStateOf } from '../../main/runners/runner-state.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';

/**
 * What `status --json` prints: the service's status (without the engine's container id) plus the
 * runner state, and for a runner down without a stop from the user, why it is CRASHED.
 */
type StatusEntry = Omit<RunnerStatus, 'containerId'> & { runnerState: RunnerState; crash?: UnrequestedExit };
type ListEntry = Pick<StatusEntry, 'runnerUuid' | 'name' | 'displayName' | 'kind' | 'containerState' | 'runnerState' | 'crash'>;

async function statuses(ctx: AppContext, runner: string | undefined): Promise<StatusEntry[]> {
  const service = await ctx.runners();
  const docker = (await ctx.engine()).docker;
  const list = runner === undefined ? await service.list() : [await service.status(runner)];
  return Promise.all(
    list.map(async (status) => {
      const { containerId: _engineId, ...shown } = status;
      const runnerState = await runnerStateOf(docker, status);
      const crash = runnerState === 'CRASHED' ? unrequestedExit(status) : null;
      return { ...shown, runnerState, ...(crash ? { crash } : {}) };
    }),
  );
}

/** Every cell through printableText: a name stored by an older version must not drive the terminal. */
function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map(printableText));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** One line per runner that is down without a stop from the user: its exit code and what happens next. */
function crashNotes(rows: readonly StatusEntry[]): string {
  return rows
    .filter((r) => r.crash)
    .map((r) => printableText(`${r.runnerUuid} (${r.displayName}) CRASHED: ${r.crash!.message}`) + '\n')
    .join('');
}

export function formatUptime(seconds: number | null): string {
  if (seconds === null) return '-';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m` : `${Math.floor(seconds)}s`;
}

export const listCommand: Command = {
  usage: 'list [--json]',
  summary: 'List the runners with their container and runner state.',
  options: { json: { type: 'boolean' } },
  maxPositionals: 0,
  async run(args, io) {
    const rows = await withContext(io, (ctx) => statuses(ctx, undefined));
    if (args.values.json) {
      const entries: ListEntry[] = rows.map(({ runnerUuid, name, displayName, kind, containerState, runnerState, crash }) => ({
        runnerUuid,
        name,
        displayName,
        kind,
        containerState,
        runnerState,
        ...(crash ? { crash } : {}),
      }));
      io.out(JSON.stringify(entries) + '\n');
      return 0;
    }
    if (rows.length === 0) {
      io.out('No runners yet. Copy the "Linux Docker" runner command from Bitbucket and run: runner-tray add < command.txt\n');
      return 0;
    }
    io.out(
      table([['RUNNER', 'NAME', 'KIND', 'CONTAINER', 'STATE'], ...rows.map((r) => [r.runnerUuid, r.displayName, r.kind, r.containerState, r.runnerState])]) +
        crashNotes(rows),
    );
    return 0;
  },
};

export const statusCommand: Command = {
  usage: 'status [<runner>] [--json]',
  summary: 'Show runners (or one) with image, uptime and state.',
  options: { json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = args.positionals[0];
    const rows = await withContext(io, (ctx) => statuses(ctx, runner));
    if (args.values.json) {
      io.out(JSON.stringify(runner === undefined ? rows : rows[0]) + '\n');
      return 0;
    }
    io.out(
      table([
        ['RUNNER', 'NAME', 'CONTAINER', 'STATE', 'UPTIME', 'IMAGE'],
        ...rows.map((r) => [r.runnerUuid, r.displayName, r.containerState, r.runnerState, formatUptime(r.uptimeSeconds), r.image]),
      ]) + crashNotes(rows),
    );
    return 0;
  },
};
