import { createReadStream } from 'node:fs';
import type { AppContext } from '../../main/app-context.js';
import type { MonitorEvent } from '../../main/monitor/events.js';
import type { TypedEmitter } from '../../main/runners/events.js';
import { fetchOurRunners, watchedRepositories } from '../../main/bitbucket/our-runners.js';
import { fetchQueuedSteps, type BitbucketRunnerView, type QueuedSteps } from '../../main/bitbucket/queued.js';
import { QueuedSource } from '../../main/api/queued-source.js';
import { resolveRunner } from '../../main/runners/resolve.js';
import type { RunnerRecord } from '../../main/settings/types.js';
import { RunnerLogReplay, toStepsJson, type ReplayOptions, type RunnerStepsJson } from '../../shared/step-log/replay.js';
import { timeZoneOption } from './time-zone-option.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { withContext } from '../context.js';
import { CliError, errorCode } from '../errors.js';
import { withRateLimitRetry } from './queued-retry.js';
import { eventLine } from './watch.js';

const NOT_RUNNING: RunnerStepsJson = { runnerState: 'STOPPED', steps: [], diagnostics: [] };

/** A saved log, streamed: memory stays bounded however long the file is. */
async function fromLog(path: string, zone: Pick<ReplayOptions, 'timeZone' | 'utcOffset'> = {}): Promise<RunnerStepsJson> {
  const replay = new RunnerLogReplay(zone);
  try {
    for await (const chunk of createReadStream(path, { encoding: 'utf8' })) replay.push(chunk as string);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      'LOG_UNREADABLE',
      code === 'ENOENT'
        ? `--from-log: no file "${path}". Save a runner's log first, e.g. \`docker logs runner-<uuid> > runner.log 2>&1\`.`
        : `--from-log: cannot read "${path}": ${(e as Error).message}.`,
      2,
    );
  }
  replay.end();
  return toStepsJson(replay.state, replay.diagnostics);
}

function describe(json: RunnerStepsJson, title?: string): string {
  const lines = [`${title ? `${title}: ` : ''}${json.runnerState}`];
  if (json.steps.length === 0) lines.push('  no steps yet');
  for (const s of json.steps) {
    lines.push(
      `  ${s.state.padEnd(8)} step ${s.stepUuid}${s.phase ? ` (${s.phase})` : ''} started ${s.startedAt ?? '?'}${s.finishedAt ? `, finished ${s.finishedAt}` : ''}`,
    );
  }
  for (const d of json.diagnostics) lines.push(`  ! ${d.code}: ${d.message}\n    fix: ${d.fix}${d.lineNumber ? `\n    line ${d.lineNumber}: ${d.line}` : ''}`);
  return lines.join('\n') + '\n';
}

/**
 * Queued steps of the watched repositories (a repository runner's own always among them), and
 * `bitbucketRunners`: our runners as Bitbucket sees them (ONLINE/OFFLINE/…, busy, labels).
 */
interface QueuedOutput {
  queued: QueuedSteps & { connected: boolean; repositories: string[] };
  /** Our runners as Bitbucket lists them; `missing`: ours that Bitbucket does not list. */
  bitbucketRunners: { runners: BitbucketRunnerView[]; missing: string[] };
}

async function queued(ctx: AppContext, records: readonly RunnerRecord[]): Promise<QueuedOutput> {
  const opened = await ctx.bitbucket().open();
  if (!opened)
    return { queued: { connected: false, repositories: [], steps: [], problems: [], truncated: false }, bitbucketRunners: { runners: [], missing: [] } };
  const { client, connection } = opened;
  const repositories = watchedRepositories(connection, records);
  const q = await fetchQueuedSteps(client, { workspace: connection.workspace, repositories });
  const ours = await fetchOurRunners(client, connection, records);
  return {
    queued: {
      connected: true,
      repositories,
      ...q,
      problems: [...q.problems, ...ours.problems.filter((p) => !q.problems.some((x) => x.repository === p.repository))],
    },
    bitbucketRunners: { runners: ours.runners, missing: ours.missing },
  };
}

function describeQueued(out: QueuedOutput): string {
  const q = out.queued;
  if (!q.connected) return 'Bitbucket: not connected (runner-tray bitbucket connect --workspace W shows queued steps).\n';
  const lines = [`Queued in ${q.repositories.join(', ') || 'no repositories'}:`];
  if (q.steps.length === 0) lines.push('  nothing waits');
  for (const s of q.steps)
    lines.push(
      `  ${s.repository} #${s.buildNumber} ${s.stepName || s.stepUuid}${s.runsOn.length ? ` [${s.runsOn.join(', ')}]` : ''}${s.manual ? ' (manual)' : ''}`,
    );
  for (const p of q.problems) lines.push(`  ! ${p.repository}: ${p.message}`);
  lines.push('Runners as Bitbucket sees them:');
  for (const r of out.bitbucketRunners.runners)
    lines.push(`  ${r.status.padEnd(8)} ${r.name || r.uuid}${r.busy ? ' busy' : ''}${r.labels.length ? ` [${r.labels.join(', ')}]` : ''}`);
  for (const u of out.bitbucketRunners.missing) lines.push(`  ? ${u}: not listed by Bitbucket (deleted there, or in another workspace)`);
  return lines.join('\n') + '\n';
}

async function watchQueued(ctx: AppContext, io: CliIo, records: readonly RunnerRecord[]): Promise<QueuedSource> {
  const source = new QueuedSource({
    ...(await ctx.bitbucket().deps()),
    runners: () => records,
    emit: (event) => io.out(JSON.stringify(event) + '\n'),
    log: ctx.log,
  });
  await source.reload();
  source.setWatched(true);
  return source;
}

type Snapshot = Awaited<ReturnType<typeof snapshotOf>>;

function describeSnapshot(io: CliIo, snap: Snapshot, one: RunnerRecord | undefined): void {
  if ('runners' in snap) {
    if (snap.runners.length === 0) io.out('No runners yet. Add one with: runner-tray add < command.txt\n');
    for (const r of snap.runners) io.out(describe(r, r.runnerUuid));
  } else io.out(describe(snap, one!.spec.runnerUuid));
}

/** A source that failed, as `steps --queued --json` reports it next to what the other source gave. */
interface SourceError {
  code: string;
  message: string;
}

function sourceError(e: unknown): SourceError {
  return { code: errorCode(e), message: e instanceof Error ? e.message : String(e) };
}

/**
 * Where the runners' steps come from: the monitor (this machine's engine) and, for runners on a
 * cluster, the cluster watch (pod + runner log through the API server). Docker is asked only when
 * some runner asked about runs here (or none is on a cluster).
 */
interface StepSources {
  stepsJson(runnerUuid: string): RunnerStepsJson | null;
  emitters: Array<TypedEmitter<MonitorEvent>>;
  close(): Promise<void>;
}

async function openSources(ctx: AppContext, records: RunnerRecord[], one: RunnerRecord | undefined): Promise<StepSources> {
  const asked = one ? [one] : records;
  const placed = asked.some((r) => r.placement);
  const local = asked.length === 0 || asked.some((r) => !r.placement);
  const watch = placed ? ctx.clusterWatch() : null;
  if (watch) await watch.sync();
  const monitor = local ? await ctx.monitor() : null;
  try {
    await monitor?.start();
  } catch (e) {
    await monitor?.close();
    throw e;
  }
  return {
    stepsJson: (uuid) => (watch?.isPlaced(uuid) ? watch.stepsJson(uuid) : (monitor?.stepsJson(uuid) ?? null)),
    emitters: [...(monitor ? [monitor.events] : []), ...(watch ? [watch.events] : [])],
    async close() {
      watch?.close();
      await monitor?.close();
    },
  };
}

/** The runners' steps; Docker being down is reported, not thrown (the queue is still worth showing). */
async function runnerSteps(
  ctx: AppContext,
  records: RunnerRecord[],
  one: RunnerRecord | undefined,
): Promise<{ snap: Snapshot } | { dockerError: SourceError }> {
  let sources: StepSources;
  try {
    sources = await openSources(ctx, records, one);
  } catch (e) {
    return { dockerError: sourceError(e) };
  }
  try {
    return { snap: snapshotOf(sources, records, one) };
  } finally {
    await sources.close();
  }
}

/**
 * `steps --queued`, once: the runners' steps (Docker) and the queue (Bitbucket) are read apart, so
 * either failing leaves the other shown; the failure is said, and the exit code is 1.
 */
async function oneShotQueued(ctx: AppContext, io: CliIo, records: RunnerRecord[], one: RunnerRecord | undefined, json: boolean): Promise<number> {
  const steps = await runnerSteps(ctx, records, one);
  let extra: QueuedOutput | undefined;
  let queuedError: SourceError | undefined;
  try {
    extra = await withRateLimitRetry(() => queued(ctx, one ? [one] : records), { say: (line) => io.err(`${line}\n`) });
  } catch (e) {
    queuedError = sourceError(e);
  }
  if (json) {
    const out = {
      ...('snap' in steps ? steps.snap : { docker: { connected: false, error: steps.dockerError } }),
      ...(extra ?? { queued: { error: queuedError } }),
    };
    io.out(JSON.stringify(out) + '\n');
  } else {
    if ('snap' in steps) describeSnapshot(io, steps.snap, one);
    else io.out(`Docker is down: runners' steps cannot be read (${steps.dockerError.message})\n`);
    if (extra) io.out(describeQueued(extra));
    else io.out(`Bitbucket: queued steps cannot be read (${queuedError!.message})\n`);
  }
  if ('dockerError' in steps) io.err(`runner-tray: Docker is down: ${steps.dockerError.message}\n`);
  if (queuedError) io.err(`runner-tray: ${queuedError.message}\n`);
  return 'dockerError' in steps || queuedError ? 1 : 0;
}

function snapshotOf(service: Pick<StepSources, 'stepsJson'>, records: RunnerRecord[], one: RunnerRecord | undefined) {
  if (one) return service.stepsJson(one.spec.runnerUuid) ?? NOT_RUNNING;
  return {
    runners: records.map((r) => ({ runnerUuid: r.spec.runnerUuid, ...(service.stepsJson(r.spec.runnerUuid) ?? NOT_RUNNING) })),
  };
}

export const stepsCommand: Command = {
  usage: 'steps [<runner>] [--json] [--watch] [--queued] | steps --from-log FILE [--tz ZONE] [--json]',
  summary: 'What each runner is doing: its state, running and recent steps, and diagnoses of known failures.',
  options: { json: { type: 'boolean' }, watch: { type: 'boolean' }, queued: { type: 'boolean' }, 'from-log': { type: 'string' }, tz: { type: 'string' } },
  maxPositionals: 1,
  async run(args, io) {
    const json = Boolean(args.values.json);
    const file = args.values['from-log'];
    if (typeof file === 'string') {
      if (args.positionals.length > 0 || args.values.watch || args.values.queued) {
        throw new CliError('USAGE', '--from-log reads one saved log: it takes no <runner>, --watch or --queued.', 2);
      }
      const tz = args.values.tz;
      const result = await fromLog(file, timeZoneOption(typeof tz === 'string' ? tz : undefined));
      io.out(json ? JSON.stringify(result) + '\n' : describe(result));
      return 0;
    }
    if (args.values.tz !== undefined) {
      throw new CliError('USAGE', "--tz is for --from-log: live runners' time zones are read from their containers' TZ.", 2);
    }
    return withContext(io, async (ctx) => {
      const records = ctx.settings().runners().list();
      const one = args.positionals[0] === undefined ? undefined : resolveRunner(args.positionals[0], records);
      if (!args.values.watch && args.values.queued) return oneShotQueued(ctx, io, records, one, json);
      const service = await openSources(ctx, records, one);
      try {
        const snap = snapshotOf(service, records, one);
        const extra = args.values.queued ? await queued(ctx, one ? [one] : records) : undefined;
        if (json || args.values.watch) io.out(JSON.stringify({ ...snap, ...(extra ?? {}) }) + '\n');
        else {
          describeSnapshot(io, snap, one);
          if (extra) io.out(describeQueued(extra));
        }
        if (!args.values.watch) return 0;
        const offs = service.emitters.map((events) =>
          events.on('*', (e) => {
            if (e.type === 'log') return;
            if (one && 'runnerUuid' in e && e.runnerUuid !== one.spec.runnerUuid) return;
            io.out(eventLine(e));
          }),
        );
        // Bitbucket is polled only while this watch runs, with the poller's backoff and rate budget.
        const source = args.values.queued ? await watchQueued(ctx, io, records) : undefined;
        await io.untilSignal();
        for (const off of offs) off();
        source?.close();
        return 0;
      } finally {
        await service.close();
      }
    });
  },
};
