/**
 * The `pools.*` part of the stand-in service (renderer tests): pools in memory, added and edited
 * by the real rules (main/pools/pool-settings.ts, the settings validator), seen as the
 * controllers would show them. Tests put a controller's observation in with `observe`.
 */
import type { ContractEvent, PoolView } from '../../src/shared/contract/index.js';
import type { PoolConfig } from '../../src/shared/pools/types.js';
import type { HandlersOf } from '../../src/main/api/handlers/types.js';
import { poolInputOf } from '../../src/main/api/handlers/pools.js';
import { poolViewFromConfig } from '../../src/main/pools/pool-view.js';
import { addPool, editPool, PoolError, type PoolSettingsDeps } from '../../src/main/pools/pool-settings.js';
import type { ErrorCode } from '../../src/shared/contract/result.js';

export interface StandInPools {
  handlers: HandlersOf<'pools'>;
  /** Settings as `pool add` left them. */
  configs: Map<string, PoolConfig>;
  /** A controller's observation of a pool (counts, runners, notes…), pushed as `pool.changed`. */
  observe(name: string, patch: Partial<PoolView>): PoolView;
  /** The connected workspace, the default for `workspace`. */
  workspace: string | undefined;
}

const CODES: Record<string, ErrorCode> = { POOL_INVALID: 'INVALID_INPUT', POOL_EXISTS: 'CONFLICT', POOL_NOT_FOUND: 'NOT_FOUND', POOL_IN_USE: 'CONFLICT' };

export function createStandInPools(emit: (e: ContractEvent) => void, fail: (code: ErrorCode, message: string) => Error): StandInPools {
  const configs = new Map<string, PoolConfig>();
  const observed = new Map<string, Partial<PoolView>>();
  const pools: StandInPools = {
    configs,
    workspace: 'acme',
    observe(name, patch) {
      observed.set(name, { ...observed.get(name), ...patch });
      const v = view(name);
      emit({ type: 'pool.changed', pool: v });
      return v;
    },
    handlers: {
      async 'pools.list'() {
        return [...configs.keys()].map(view);
      },
      async 'pools.add'({ name, ...fields }) {
        rules(() => addPool(deps, name, poolInputOf(fields)));
        return announce(name);
      },
      async 'pools.edit'({ name, ...fields }) {
        rules(() => editPool(deps, name, poolInputOf(fields)));
        return announce(name);
      },
      async 'pools.remove'({ name, force }) {
        if (!configs.has(name)) throw fail('NOT_FOUND', `No pool named ${name}.`);
        const v = view(name);
        if (v.counts.busy > 0 && !force) throw fail('STEP_RUNNING', `Pool ${name} has ${v.counts.busy} runner(s) running a step.`);
        configs.delete(name);
        observed.delete(name);
        emit({ type: 'pool.removed', name });
        return { name, removed: true, retired: v.runners.length - v.counts.busy, waitingForSteps: v.counts.busy };
      },
    },
  };
  const deps: PoolSettingsDeps = {
    pools: {
      list: () => [...configs.values()],
      get: (name) => configs.get(name),
      put: (p) => void configs.set(p.name, p),
      remove: (name) => configs.delete(name),
    },
    runners: { list: () => [], get: () => undefined, put: () => undefined, remove: () => false },
    connectedWorkspace: () => pools.workspace,
  };
  function view(name: string): PoolView {
    return { ...poolViewFromConfig(configs.get(name)!), ...observed.get(name) };
  }
  function announce(name: string): PoolView {
    const v = view(name);
    emit({ type: 'pool.changed', pool: v });
    return v;
  }
  function rules(fn: () => unknown): void {
    try {
      fn();
    } catch (e) {
      if (e instanceof PoolError) throw fail(CODES[e.code] ?? 'INVALID_INPUT', e.message);
      throw e;
    }
  }
  return pools;
}
