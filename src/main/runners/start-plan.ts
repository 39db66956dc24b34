/**
 * What a start does with what it found (pure): keep the runner's current container, leave a
 * running but outdated one alone, swap it (recreate), take over a hand-made container for the
 * same runner (adopt) or remove a foreign one (replace) — only with the user's consent — or
 * create the first one.
 */
import type Docker from 'dockerode';
import { bare, staleReasons, type ContainerCreateOptions } from '../../shared/runner-spec.js';
import { RunnerError } from './errors.js';
import type { StartOptions } from './runner-types.js';

export type StartPlan =
  /** Current: started if it is not running. */
  | { kind: 'keep'; id: string; start: boolean }
  /** Outdated but running (a step may be in progress): left as it is, `reasons` say what would change. */
  | { kind: 'pending'; id: string; reasons: string[] }
  /** Replaced by a new container through the swap. */
  | { kind: 'swap'; old: { id: string; running: boolean }; action: 'recreated' | 'adopted' | 'replaced'; reason?: string }
  | { kind: 'create' };

export interface StartInput {
  uuid: string;
  expected: ContainerCreateOptions;
  /** The runner's own container (see settleContainers). */
  current: Docker.ContainerInspectInfo | null;
  /** Whatever holds the runner's name. */
  byName: Docker.ContainerInspectInfo | null;
  options: StartOptions;
}

export function planStart({ uuid, expected, current, byName, options }: StartInput): StartPlan {
  if (current) {
    const reasons = staleReasons(expected, { labels: current.Config.Labels ?? {}, env: current.Config.Env ?? [] });
    if (reasons.length === 0) return { kind: 'keep', id: current.Id, start: !current.State.Running };
    // Running (not merely restarting after a crash): it may be in the middle of a step.
    if (current.State.Running && !current.State.Restarting) return { kind: 'pending', id: current.Id, reasons };
    return { kind: 'swap', old: { id: current.Id, running: current.State.Running }, action: 'recreated', reason: reasons.join(', ') };
  }
  if (!byName) return { kind: 'create' };
  const old = { id: byName.Id, running: byName.State.Running };
  if (options.replace) return { kind: 'swap', old, action: 'replaced' };
  if (options.adopt) {
    assertSameRunner(byName, expected.name, uuid);
    return { kind: 'swap', old, action: 'adopted' };
  }
  throw new RunnerError(
    'CONTAINER_CONFLICT',
    `A container named "${expected.name}" already exists and was not created by Runner Tray (probably started by ` +
      'hand from the pasted command). Start again with --adopt to take it over (it is recreated with the same ' +
      'settings plus log limits and restart policy) or with --replace to remove it and create a new one.',
    uuid,
  );
}

/** A hand-made container may be adopted only when it runs this same runner (its RUNNER_UUID). */
function assertSameRunner(foreign: Docker.ContainerInspectInfo, name: string, uuid: string): void {
  const theirs = (foreign.Config.Env ?? []).find((e) => e.startsWith('RUNNER_UUID='))?.slice('RUNNER_UUID='.length);
  if (theirs !== undefined && bare(theirs) === bare(uuid)) return;
  throw new RunnerError(
    'CONTAINER_CONFLICT',
    `The container "${name}" runs ${theirs ? `runner ${theirs}` : 'something else'}, not runner ${uuid}, ` +
      "so it cannot be adopted. Use --replace to remove it and create this runner's container.",
    uuid,
  );
}

/** Why the running container was left as it is, and how to apply the change. */
export function pendingRestartMessage(uuid: string, reasons: readonly string[]): string {
  return (
    `Runner ${uuid}: ${reasons.join(', ')}; stop and start the runner to apply them ` +
    `(runner-tray stop ${uuid} && runner-tray start ${uuid}) — it is not restarted automatically so a running step is not killed.`
  );
}
