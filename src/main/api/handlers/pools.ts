/**
 * `pools.*`: the Pools screen. Adds and edits go through the same rules as `runner-tray pool`
 * (pools/pool-settings.ts); the controllers follow settings. Every change is pushed as
 * `pool.changed` / `pool.removed`; the controllers' own observations are pushed by createApi.
 */
import type { PoolFieldsRequest } from '../../../shared/contract/pool-requests.js';
import type { PoolView } from '../../../shared/contract/pool-views.js';
import { poolViewFromConfig } from '../../pools/pool-view.js';
import { addPool, editPool, type PoolInput, type PoolSettingsDeps } from '../../pools/pool-settings.js';
import { removePool } from '../../pools/remove-pool.js';
import type { HandlerDeps, HandlersOf } from './types.js';

/** The request's fields (seconds, nulls to clear) as the pool rules take them. */
export function poolInputOf(req: Omit<PoolFieldsRequest, 'name'>): PoolInput {
  const input: PoolInput = {};
  const copy = <K extends keyof PoolInput>(k: K, v: PoolInput[K] | undefined) => {
    if (v !== undefined) input[k] = v;
  };
  copy('workspace', req.workspace);
  copy('repository', req.repository);
  copy('labels', req.labels);
  copy('min', req.min);
  copy('max', req.max);
  copy('idle', req.idle);
  copy('coolDownMs', req.coolDownSeconds === undefined ? undefined : req.coolDownSeconds * 1000);
  copy('startTimeoutMs', req.startTimeoutSeconds === undefined ? undefined : req.startTimeoutSeconds * 1000);
  copy('on', req.on);
  copy('size', req.size);
  copy('workDir', req.workDir);
  copy('namespace', req.namespace);
  copy('context', req.context);
  copy('imagePullPolicy', req.imagePullPolicy);
  return input;
}

/** Only what pools need, so a test can hand in a settings store, an event sink and controllers. */
export type PoolHandlerDeps = Pick<HandlerDeps, 'settings' | 'pools'> & { events: Pick<HandlerDeps['events'], 'emit'> };

export function poolHandlers(deps: PoolHandlerDeps): HandlersOf<'pools'> {
  const store = deps.settings.pools();
  const settingsDeps: PoolSettingsDeps = {
    pools: store,
    runners: deps.settings.runners(),
    connectedWorkspace: () => deps.settings.get().bitbucket?.workspace,
  };
  /** The controller's view once it has one, else the settings' (a pool just added). */
  const viewOf = (name: string): PoolView => {
    const seen = deps.pools.views().find((v) => v.name === name);
    if (seen) return seen;
    const config = store.get(name);
    if (!config) throw new Error(`pool ${name} vanished from settings`);
    return poolViewFromConfig(config);
  };
  const announce = (view: PoolView): PoolView => {
    deps.events.emit({ type: 'pool.changed', pool: view });
    return view;
  };

  return {
    async 'pools.list'() {
      const seen = new Map(deps.pools.views().map((v) => [v.name, v]));
      return store.list().map((p) => seen.get(p.name) ?? poolViewFromConfig(p));
    },

    async 'pools.add'({ name, ...fields }) {
      addPool(settingsDeps, name, poolInputOf(fields));
      return announce(viewOf(name));
    },

    async 'pools.edit'({ name, ...fields }) {
      const edited = editPool(settingsDeps, name, poolInputOf(fields));
      // Settings changed under the controller's last view: show the new settings on it until it observes again.
      const seen = deps.pools.views().find((v) => v.name === name);
      const fresh = poolViewFromConfig(edited);
      return announce(seen ? { ...seen, ...settingsPart(fresh) } : fresh);
    },

    async 'pools.remove'({ name, force }) {
      const removed = await removePool(
        { pools: store, controllers: deps.pools, observe: async (n) => deps.pools.views().find((v) => v.name === n) ?? deps.pools.inspect(n) },
        name,
        { force },
      );
      deps.events.emit({ type: 'pool.removed', name });
      return { ...removed, removed: true };
    },
  };
}

/** The fields of a view that come from settings, not from an observation. */
function settingsPart(v: PoolView): Partial<PoolView> {
  const { name, on, workspace, repository, labels, min, max, idle, coolDownSeconds, startTimeoutSeconds, size, kubernetes } = v;
  return { name, on, workspace, repository, labels, min, max, idle, coolDownSeconds, startTimeoutSeconds, size, kubernetes };
}
