/**
 * What a pool runner is doing, from what three places say of it: Bitbucket (its runner object),
 * where it runs (the container or pod) and its log (the monitor's BUSY, the moment it takes a
 * step). Pure: the controller gathers the facts, this judges them, planPool decides.
 */
import type { PoolRunner } from '../../shared/pools/types.js';
import type { BitbucketRunnerView } from '../bitbucket/queued.js';

/** Where the runner runs, as its backend (Docker or Kubernetes) sees it now. */
export interface PlacementFact {
  /** `missing`: no container / workload at all; `down`: there but not running (exited, pod failed). */
  presence: 'running' | 'starting' | 'down' | 'missing';
  /** From its log: it runs a step now (the monitor's BUSY, or a fresh replay of the log). */
  logBusy: boolean;
  /** Why it is not running yet or any more, in plain words ("image pull: ErrImagePull", "pod unschedulable"). */
  reason: string | null;
}

export interface RunnerFacts {
  uuid: string;
  /** Epoch ms of its creation here. */
  createdAt: number;
  /** Bitbucket's runner, or null when Bitbucket's list does not have it. */
  bitbucket: BitbucketRunnerView | null;
  placement: PlacementFact;
  /** The controller saw it ONLINE before (a runner that was online and is not any more is offline, not starting). */
  seenOnline: boolean;
}

export interface Judged {
  state: PoolRunner['state'];
  /** Why it is offline or still starting, in plain words; null when there is nothing to say. */
  reason: string | null;
}

export function judgeRunner(f: RunnerFacts): Judged {
  const bb = f.bitbucket;
  if (bb === null) return { state: 'offline', reason: 'Bitbucket no longer has this runner' };
  const p = f.placement;
  if (p.presence === 'missing') return { state: 'offline', reason: 'its container or workload is gone' };
  // The log knows first: a runner that took a step is busy whatever Bitbucket's list said a moment ago.
  if (p.logBusy || (bb.busy && p.presence === 'running')) return { state: 'busy', reason: null };
  if (bb.status === 'DISABLED' || bb.cordoned) return { state: 'offline', reason: 'disabled in Bitbucket' };
  if (p.presence === 'down') {
    return f.seenOnline || bb.status === 'ONLINE'
      ? { state: 'offline', reason: p.reason ?? 'its container stopped' }
      : { state: 'starting', reason: p.reason ?? 'its container is not running' };
  }
  if (bb.status === 'ONLINE' && p.presence === 'running') return { state: 'idle', reason: null };
  if (f.seenOnline && (bb.status === 'OFFLINE' || bb.status === 'UNHEALTHY')) {
    return { state: 'offline', reason: `Bitbucket reports it ${bb.status}` };
  }
  const waiting = p.presence === 'starting' ? (p.reason ?? 'its container or pod is starting') : `Bitbucket reports it ${bb.status}`;
  return { state: 'starting', reason: p.reason ?? waiting };
}

/** Words for a runner that did not come online in time: the backend's reason, else Bitbucket's status. */
export function stuckReason(f: RunnerFacts, timeoutMs: number): string {
  const why = judgeRunner(f).reason ?? `Bitbucket reports it ${f.bitbucket?.status ?? 'unknown'}`;
  return `did not come online in ${Math.round(timeoutMs / 1000)} s: ${why}`;
}
