/** Which waiting steps a pool can take: by repository / workspace, then by runs-on labels. */
import type { PoolSpec, WaitingStep } from './types.js';

const BUILT_IN = ['self.hosted', 'linux'];

export type StepMatch = 'match' | 'unknown-labels' | 'no';

/** The pool's full label set as Bitbucket shows it on its runners. */
export function poolLabels(pool: Pick<PoolSpec, 'labels'>): Set<string> {
  const own = pool.labels.map((l) => l.toLowerCase());
  return new Set([...(own.includes('linux.arm64') ? ['self.hosted'] : BUILT_IN), ...own]);
}

/** Whether the step's repository is one the pool's runners serve. */
export function servesRepository(pool: Pick<PoolSpec, 'workspace' | 'repository'>, repository: string): boolean {
  const [ws, slug] = repository.toLowerCase().split('/');
  if (ws !== pool.workspace.toLowerCase()) return false;
  return pool.repository === undefined || slug === pool.repository.toLowerCase();
}

/**
 * `match`: every runs-on label is one of the pool's. `unknown-labels`: Bitbucket did not say
 * which labels the step wants; it is counted for every pool serving its repository (flagged, so
 * the pool's view can say its count is a guess). `no`: another repository or workspace, a label
 * the pool lacks, or a step without runs-on (it runs on Bitbucket's own runners).
 */
export function matchStep(pool: Pick<PoolSpec, 'workspace' | 'repository' | 'labels'>, step: WaitingStep): StepMatch {
  if (!servesRepository(pool, step.repository)) return 'no';
  if (step.labels === null) return 'unknown-labels';
  if (step.labels.length === 0) return 'no';
  const have = poolLabels(pool);
  return step.labels.every((l) => have.has(l.toLowerCase())) ? 'match' : 'no';
}

/** Steps the pool should count: matching ones plus those with unknown labels (also counted apart). */
export function waitingFor(
  pool: Pick<PoolSpec, 'workspace' | 'repository' | 'labels'>,
  steps: readonly WaitingStep[],
): { waiting: number; unknownLabels: number } {
  let waiting = 0;
  let unknownLabels = 0;
  const seen = new Set<string>();
  for (const s of steps) {
    if (seen.has(s.stepUuid)) continue;
    seen.add(s.stepUuid);
    const m = matchStep(pool, s);
    if (m === 'no') continue;
    waiting += 1;
    if (m === 'unknown-labels') unknownLabels += 1;
  }
  return { waiting, unknownLabels };
}
