/**
 * The controller's own small rules, apart from planPool's sizing: how pool runners are named and
 * recognised in Bitbucket, which of them are orphans, and how many this host's memory holds.
 * Pure, so each is unit-tested on its own.
 */
import { poolLabels } from '../../shared/pools/labels.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import { THRESHOLDS, type Thresholds } from '../../shared/preflight/thresholds.js';
import type { BitbucketRunnerView } from '../bitbucket/queued.js';

const bare = (uuid: string) => uuid.replace(/[{}]/g, '').toLowerCase();

function nameNumber(pool: string, name: string): number | null {
  const m = /^(.+)-(\d+)$/.exec(name);
  return m && m[1] === pool ? Number(m[2]) : null;
}

/** `<pool>-<n>` with the smallest n no runner here or in Bitbucket uses. */
export function nextRunnerName(pool: string, taken: Iterable<string>): string {
  const used = new Set<number>();
  for (const name of taken) {
    const n = nameNumber(pool, name);
    if (n !== null) used.add(n);
  }
  let n = 1;
  while (used.has(n)) n += 1;
  return `${pool}-${n}`;
}

/** A runner in Bitbucket that this pool made: its name is `<pool>-<n>` and its labels are exactly the pool's. */
export function looksLikePoolRunner(pool: Pick<PoolConfig, 'name' | 'labels'>, r: Pick<BitbucketRunnerView, 'name' | 'labels'>): boolean {
  if (nameNumber(pool.name, r.name) === null) return false;
  const want = poolLabels(pool);
  const have = new Set(r.labels.map((l) => l.toLowerCase()));
  return have.size === want.size && [...want].every((l) => have.has(l));
}

export interface OrphanInput {
  pool: Pick<PoolConfig, 'name' | 'labels'>;
  /** Bitbucket's runners where the pool's runners live. */
  bitbucket: readonly BitbucketRunnerView[];
  /** Runner UUIDs stored here (every runner, not only the pool's: a runner of ours is never an orphan). */
  known: ReadonlySet<string>;
  /** Runners being created right now (POST sent, record not yet stored). */
  creating: ReadonlySet<string>;
  /** Orphan candidates of the previous observation (bare UUIDs). */
  previous: ReadonlySet<string>;
}

/**
 * Pool runners in Bitbucket that exist nowhere here: deleted there once seen two observations in
 * a row (a create in another process of this app is stored within one), and never while ONLINE
 * or busy (then a process somewhere runs it: another machine serving the same pool).
 */
export function findOrphans(input: OrphanInput): { candidates: Set<string>; remove: BitbucketRunnerView[] } {
  const candidates = new Set<string>();
  const remove: BitbucketRunnerView[] = [];
  for (const r of input.bitbucket) {
    const key = bare(r.uuid);
    if (input.known.has(key) || input.creating.has(key)) continue;
    if (!looksLikePoolRunner(input.pool, r)) continue;
    if (r.status === 'ONLINE' || r.busy) continue;
    candidates.add(key);
    if (input.previous.has(key)) remove.push(r);
  }
  return { candidates, remove };
}

/** What one runner of this size needs: its step's memory plus the runner container's (the doctor's rule). */
export function runnerNeed(size: PoolConfig['size'], limits: Thresholds = THRESHOLDS): number {
  return limits.stepMemory[size] + limits.minRunnerMemory;
}

/**
 * How many runners of the pool's size this host's memory still holds, next to the other runners
 * on this engine (their sizes: other pools' sizes, 1x for runners added by hand), as `doctor`'s
 * memory-steps check adds them up.
 */
export function hostLimit(memTotalBytes: number, size: PoolConfig['size'], others: ReadonlyArray<PoolConfig['size']>, limits: Thresholds = THRESHOLDS): number {
  const used = others.reduce((sum, s) => sum + runnerNeed(s, limits), 0);
  return Math.max(0, Math.floor((memTotalBytes - used) / runnerNeed(size, limits)));
}
