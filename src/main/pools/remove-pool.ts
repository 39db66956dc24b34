/**
 * A user's `pool remove` (CLI and dashboard): its runners are retired through the controllers,
 * then the pool leaves settings. While pool runners run steps it needs the user's word (`force`),
 * as removing a runner mid-step does; even then no step is cut: busy runners go once it ends.
 */
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { PoolStore } from '../settings/types.js';
import { notFound, PoolError } from './pool-settings.js';
import type { PoolControllers } from './types.js';

export interface RemovedPool {
  name: string;
  retired: number;
  waitingForSteps: number;
}

export async function removePool(
  deps: {
    pools: PoolStore;
    controllers: PoolControllers;
    observe: (name: string) => Promise<PoolView>;
    /** Whether any runner record carries the pool's name; without one there is nothing to ask Bitbucket about. */
    hasRunners?: (name: string) => boolean;
  },
  name: string,
  options: { force: boolean },
): Promise<RemovedPool> {
  if (!deps.pools.get(name)) throw notFound(deps, name);
  if (deps.hasRunners?.(name) === false) {
    deps.pools.remove(name);
    return { name, retired: 0, waitingForSteps: 0 };
  }
  const view = await deps.observe(name);
  const busy = view.counts.busy;
  if (busy > 0 && !options.force) {
    throw new PoolError(
      'STEP_RUNNING',
      `Pool ${name} has ${busy} runner${busy === 1 ? '' : 's'} running a step. Removing the pool retires ${busy === 1 ? 'it' : 'them'} once the step${busy === 1 ? ' ends' : 's end'} (no step is cut); confirm to go ahead.`,
    );
  }
  // Retire first: should Bitbucket refuse, the pool stays in settings and the remove can be retried.
  const { retired, waitingForSteps } = await deps.controllers.retireAll(name);
  deps.pools.remove(name);
  return { name, retired, waitingForSteps };
}
