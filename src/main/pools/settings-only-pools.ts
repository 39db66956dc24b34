/**
 * PLACEHOLDER until the pool controllers land (another branch implements `PoolControllers`):
 * the pools as settings hold them, with no observation. It lets `pool list|show|remove`, the
 * `pools.*` channels and /metrics run end to end; the composition root swaps it for the real one.
 */
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { PoolStore, RunnerStore } from '../settings/types.js';
import { poolViewFromConfig } from './config-view.js';
import { notFound } from './pool-settings.js';
import type { PoolControllers } from './types.js';

export class SettingsOnlyPools implements PoolControllers {
  readonly #pools: PoolStore;
  readonly #runners: RunnerStore;

  constructor(deps: { pools: PoolStore; runners: RunnerStore }) {
    this.#pools = deps.pools;
    this.#runners = deps.runners;
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  views(): PoolView[] {
    return this.#pools.list().map(poolViewFromConfig);
  }

  onChange(): () => void {
    return () => undefined;
  }

  async inspect(name: string): Promise<PoolView> {
    const pool = this.#pools.get(name);
    if (!pool) throw notFound({ pools: this.#pools }, name);
    return poolViewFromConfig(pool);
  }

  async retireAll(name: string): Promise<{ retired: number; waitingForSteps: number }> {
    const runners = this.#runners.list().filter((r) => r.pool === name);
    if (runners.length > 0) throw new Error(`retiring pool runners needs the pool controllers (${runners.length} runner(s) of ${name})`);
    return { retired: 0, waitingForSteps: 0 };
  }
}
