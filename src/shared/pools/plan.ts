/**
 * One decision of a pool's controller, from what it sees now:
 *   desired = clamp(min, max, busy + waiting steps it can take + idle target)
 * Runners created but not yet ONLINE count as capacity (no overshoot while pods are Pending or an
 * image is slow); min 0 scales from zero; only runners idle past the cool-down are retired, the
 * longest idle first, never a busy one and never below desired.
 */
import { waitingFor } from './labels.js';
import type { PoolPlan, PoolRunner, PoolSpec, RetireReason, WaitingStep } from './types.js';

export interface PlanInput {
  pool: PoolSpec;
  runners: readonly PoolRunner[];
  steps: readonly WaitingStep[];
  /** Epoch ms. */
  now: number;
  /** Runners this host can run at the pool's step size (memory); unlimited when absent. */
  hostLimit?: number;
}

const clamp = (lo: number, hi: number, v: number) => Math.max(lo, Math.min(hi, v));

export function planPool({ pool, runners, steps, now, hostLimit }: PlanInput): PoolPlan {
  const { waiting, unknownLabels } = waitingFor(pool, steps);
  const of = (s: PoolRunner['state']) => runners.filter((r) => r.state === s);
  const busy = of('busy');
  const idle = of('idle');
  const starting = of('starting');
  const offline = of('offline');
  const notes: string[] = [];

  const max = Math.max(0, Math.min(pool.max, hostLimit ?? Number.POSITIVE_INFINITY));
  const min = Math.min(pool.min, max);
  const work = busy.length + waiting + pool.idle;
  const desired = clamp(min, max, work);
  let cappedBy: PoolPlan['cappedBy'] = null;
  if (work > desired) {
    cappedBy = hostLimit !== undefined && hostLimit < pool.max ? 'host' : 'max';
    notes.push(
      cappedBy === 'host'
        ? `capped at ${desired}: this host has memory for ${hostLimit} runner${hostLimit === 1 ? '' : 's'} of this size (the pool allows ${pool.max})`
        : `capped at the pool's max ${pool.max} (the work asks for ${work})`,
    );
  }
  if (unknownLabels > 0) {
    notes.push(
      `${unknownLabels} waiting step${unknownLabels === 1 ? '' : 's'} counted without knowing ${unknownLabels === 1 ? 'its' : 'their'} runs-on labels (Bitbucket did not report them)`,
    );
  }

  const retire: PoolPlan['retire'] = [];
  const drop = (r: PoolRunner, reason: RetireReason) => retire.push({ uuid: r.uuid, reason });
  // Gone or never arrived: retired, and not counted. A stuck one still counts this round, so it is
  // replaced only once it is gone (one at a time), never multiplied.
  for (const r of offline) drop(r, 'offline');
  const stuck = starting.filter((r) => now - r.createdAt >= pool.startTimeoutMs);
  for (const r of stuck) drop(r, 'did-not-come-online');

  const capacity = busy.length + idle.length + starting.length;
  const create = Math.max(0, desired - capacity);
  let surplus = Math.max(0, capacity - desired - stuck.length);
  const cooled = idle.filter((r) => r.idleSince !== undefined && now - r.idleSince >= pool.coolDownMs).sort((a, b) => (a.idleSince ?? 0) - (b.idleSince ?? 0));
  for (const r of cooled) {
    if (surplus <= 0) break;
    drop(r, 'idle-past-cool-down');
    surplus -= 1;
  }

  const counts = { busy: busy.length, idle: idle.length, starting: starting.length, offline: offline.length, waiting, waitingUnknownLabels: unknownLabels };
  const seen = `${waiting} step${waiting === 1 ? '' : 's'} waiting, ${busy.length} busy, ${idle.length} idle, ${starting.length} starting`;
  if (create > 0) notes.push(`create ${create}: ${seen}, desired ${desired}`);
  for (const r of retire)
    notes.push(
      `retire ${r.uuid}: ${r.reason === 'idle-past-cool-down' ? `idle past the ${Math.round(pool.coolDownMs / 1000)} s cool-down (${seen}, desired ${desired})` : r.reason === 'offline' ? 'offline' : `not online ${Math.round(pool.startTimeoutMs / 1000)} s after its creation`}`,
    );
  return { desired, create, retire, counts, cappedBy, notes };
}
