import { printableText } from '../../shared/text-safety.js';
import type { PlacementView, RunnerState } from '../../shared/contract/views.js';
import { unrequestedExit, type UnrequestedExit } from '../../shared/runner-state.js';
import type { AppContext } from '../../main/app-context.js';
import type { RunnerStatus } from '../../main/runners/runner-service.js';
import { runnerStateOf } from '../../main/runners/runner-state.js';
import { resolveRunner } from '../../main/runners/resolve.js';
import type { RunnerRecord } from '../../main/settings/types.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';

/**
 * What `status --json` prints: the service's status (without the engine's container id) plus the
 * runner state, and for a runner down without a stop from the user, why it is CRASHED; for a
 * runner on a cluster, its pod's runner container is the container, and `placement` says where
 * it runs and the pod's state.
 */
type StatusEntry = Omit<RunnerStatus, 'containerId'> & { runnerState: RunnerState; crash?: UnrequestedExit; placement?: PlacementView };
type ListEntry = Pick<StatusEntry, 'runnerUuid' | 'name' | 'displayName' | 'kind' | 'containerState' | 'runnerState' | 'crash' | 'placement'>;

/** Docker is asked unless every runner asked about is on a cluster (then it need not run here). */
async function localStatuses(ctx: AppContext, records: RunnerRecord[], one: boolean, allPlaced: boolean): Promise<StatusEntry[]> {
  if (allPlaced) return [];
  const service = await ctx.runners();
  const docker = (await ctx.engine()).docker;
  const wanted = new Set(records.map((r) => r.spec.runnerUuid));
  const list = one ? [await service.status(records[0]!.spec.runnerUuid)] : (await service.list()).filter((s) => wanted.has(s.runnerUuid));
  return Promise.all(
    list.map(async (status) => {
      const { containerId: _engineId, ...shown } = status;
      const runnerState = await runnerStateOf(docker, status);
      const crash = runnerState === 'CRASHED' ? unrequestedExit(status) : null;
      return { ...shown, runnerState, ...(crash ? { crash } : {}) };
    }),
  );
}

/** Runners on clusters, read through the same watch the dashboard uses (pod + runner log): no Docker needed. */
async function placedStatuses(ctx: AppContext, records: RunnerRecord[]): Promise<StatusEntry[]> {
  if (records.length === 0) return [];
  const watch = ctx.clusterWatch();
  await watch.sync();
  return records.flatMap((r) => {
    const status = watch.status(r.spec.runnerUuid);
    const snapshot = watch.snapshot(r.spec.runnerUuid);
    if (!status || !snapshot) return [];
    const { containerId: _podContainer, ...shown } = status;
    return [{ ...shown, runnerState: snapshot.runnerState, placement: watch.placementView(r.spec.runnerUuid)! }];
  });
}

async function statuses(ctx: AppContext, runner: string | undefined): Promise<StatusEntry[]> {
  const records = ctx.settings().runners().list();
  const wanted = runner === undefined ? records : [resolveRunner(runner, records)];
  const onCluster = wanted.filter((r) => r.placement);
  const here = wanted.filter((r) => !r.placement);
  const allPlaced = onCluster.length > 0 && here.length === 0;
  const [local, placed] = await Promise.all([localStatuses(ctx, here, runner !== undefined, allPlaced), placedStatuses(ctx, onCluster)]);
  const byUuid = new Map([...local, ...placed].map((s) => [s.runnerUuid, s]));
  return wanted.flatMap((r) => byUuid.get(r.spec.runnerUuid) ?? []);
}

/** `context/namespace` for a runner on a cluster (plus its problem reading it), `this machine` otherwise. */
function where(s: StatusEntry): string {
  if (!s.placement) return 'this machine';
  const p = s.placement;
  return `${p.context}/${p.namespace}${p.pod ? ` pod ${p.pod.name} restarts ${p.pod.restarts}${p.pod.node ? ` on ${p.pod.node}` : ''}` : ''}${p.problem ? ` (${p.problem})` : ''}`;
}

/** The WHERE column only when some runner runs on a cluster: this machine's tables stay as they were. */
function withWhere(rows: StatusEntry[], header: string[], cells: (r: StatusEntry) => string[]): string[][] {
  const placed = rows.some((r) => r.placement);
  return [placed ? [...header, 'WHERE'] : header, ...rows.map((r) => (placed ? [...cells(r), where(r)] : cells(r)))];
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
      const entries: ListEntry[] = rows.map(({ runnerUuid, name, displayName, kind, containerState, runnerState, crash, placement }) => ({
        runnerUuid,
        name,
        displayName,
        kind,
        containerState,
        runnerState,
        ...(crash ? { crash } : {}),
        ...(placement ? { placement } : {}),
      }));
      io.out(JSON.stringify(entries) + '\n');
      return 0;
    }
    if (rows.length === 0) {
      io.out('No runners yet. Copy the "Linux Docker" runner command from Bitbucket and run: runner-tray add < command.txt\n');
      return 0;
    }
    io.out(
      table(withWhere(rows, ['RUNNER', 'NAME', 'KIND', 'CONTAINER', 'STATE'], (r) => [r.runnerUuid, r.displayName, r.kind, r.containerState, r.runnerState])) +
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
      table(
        withWhere(rows, ['RUNNER', 'NAME', 'CONTAINER', 'STATE', 'UPTIME', 'IMAGE'], (r) => [
          r.runnerUuid,
          r.displayName,
          r.containerState,
          r.runnerState,
          formatUptime(r.uptimeSeconds),
          r.image,
        ]),
      ) + crashNotes(rows),
    );
    return 0;
  },
};
