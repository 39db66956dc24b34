/**
 * Reconcile by label: after start-up and after every reconnect (events during a gap are lost),
 * every runner container (our labels, newest per runner) and every step container is read again
 * and the monitor's view brought in line: new containers are rebuilt from their log, starts and
 * exits that were missed are folded, removed containers are reported gone.
 */
import type Docker from 'dockerode';
import type { ContainerState } from '../../shared/runner-state.js';
import { bare } from '../../shared/runner-spec.js';
import { foldRunnerLog } from '../../shared/step-log/fold.js';
import type { ContainerAction } from '../../shared/step-log/types.js';
import { inspectContainer, listRunnerContainers, newestByRunner } from '../docker/runner-containers.js';
import type { RunnerLog } from './runner-log.js';
import { listStepContainers, type StepContainers } from './step-containers.js';
import type { Tracked } from './tracked.js';

/** What the reconcile needs of the monitor. */
export interface ReconcileHost {
  docker: Docker;
  runners: ReadonlyMap<string, Tracked>;
  log: RunnerLog;
  steps: StepContainers;
  closed(): boolean;
  track(runnerUuid: string): Tracked;
  /** As if the engine had sent this event for the runner's container. */
  runnerEvent(runnerUuid: string, id: string, action: ContainerAction, time: string): void;
  /** `t` now shows container `id`, whose log is read afresh. */
  switchContainer(t: Tracked, id: string): void;
  inspected(t: Tracked, containerId: string, env: readonly string[] | null | undefined): void;
  emitStepChanges(t: Tracked, time: string): void;
  publish(t: Tracked, time: string): void;
}

type Inspected = Awaited<ReturnType<Docker.Container['inspect']>>;

export async function reconcileAll(host: ReconcileHost): Promise<void> {
  if (host.closed()) return;
  // Our labels, through the one adapter the runner service uses too; newest container per runner.
  const newest = newestByRunner(await listRunnerContainers(host.docker));
  for (const c of newest.values()) await reconcileRunner(host, c.runnerUuid, c.id).catch(() => undefined);
  for (const t of host.runners.values()) {
    if (newest.has(t.key) || t.containerId === null) continue;
    // Removed while we were not listening.
    host.runnerEvent(t.runnerUuid, t.containerId, 'destroy', new Date().toISOString());
  }
  if (host.runners.size === 0) return;
  host.steps.reconcile(host.runners, await listStepContainers(host.docker), bare);
}

async function reconcileRunner(host: ReconcileHost, runnerUuid: string, id: string): Promise<void> {
  const info = await inspectContainer(host.docker, id);
  // Removed since the listing: its destroy event (or the next reconcile) says so.
  if (info === null) return;
  const existing = host.runners.get(bare(runnerUuid));
  const t = host.track(runnerUuid);
  t.containerName = info.Name.replace(/^\//, '');
  const now = new Date().toISOString();
  if (!existing || existing.containerId !== id) await firstSight(host, t, id, info);
  else catchUp(host, t, info, now);
  t.container = { state: info.State.Status as ContainerState, exitCode: info.State.Running ? null : info.State.ExitCode };
  t.running = info.State.Running;
  if (t.running) {
    t.emptyFollows = 0;
    await host.log.follow(t);
  }
  host.publish(t, now);
}

function startedAtOf(info: Inspected): string | null {
  return info.State.StartedAt && !info.State.StartedAt.startsWith('0001-') ? info.State.StartedAt : null;
}

/** First sight: rebuilt quietly from the log since the container's last start, then its exit (if it is not running). */
async function firstSight(host: ReconcileHost, t: Tracked, id: string, info: Inspected): Promise<void> {
  host.switchContainer(t, id);
  host.inspected(t, id, info.Config?.Env);
  await host.log.readBacklog(t, id, startedAtOf(info));
  if (info.State.Running) return;
  if (info.State.Restarting) {
    if (info.State.OOMKilled) t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'oom' });
  } else if (info.State.ExitCode !== 0) {
    // unless-stopped would have restarted it: it was stopped on purpose.
    t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'kill' });
  }
  t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'die', exitCode: info.State.ExitCode, time: info.State.FinishedAt });
}

/** Known container: fold a start or an exit that happened while we were not listening. */
function catchUp(host: ReconcileHost, t: Tracked, info: Inspected, now: string): void {
  const state = t.replay.state.runnerState;
  if (info.State.Running && (!t.running || state === 'STOPPED' || state === 'CRASHED')) {
    t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'start', time: startedAtOf(info) ?? now });
    host.emitStepChanges(t, now);
  } else if (!info.State.Running && t.running) {
    t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'die', exitCode: info.State.ExitCode, time: info.State.FinishedAt });
    host.emitStepChanges(t, now);
  }
}
