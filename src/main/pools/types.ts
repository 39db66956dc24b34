/**
 * The pools' face to the rest of the app (the host, the API, the CLI, /metrics): one controller
 * per configured pool, run by the long-running hosts (`serve`, `watch`, the desktop app) and
 * built once by the composition root as `ctx.pools()`.
 */
import type { PoolView } from '../../shared/contract/pool-views.js';

export interface PoolControllers {
  /** Start one controller per pool in settings, and follow pools added, edited or removed. */
  start(): Promise<void>;
  /** Stop every controller; runners stay as they are. */
  stop(): Promise<void>;
  /** Each pool as its controller saw it last (`inactive` ones from settings only). */
  views(): PoolView[];
  /** Called after each observation of any pool that changed its view. */
  onChange(listener: (view: PoolView) => void): () => void;
  /** One observation and plan now, acting on nothing: the one-shot CLI's `pool show`. */
  inspect(name: string): Promise<PoolView>;
  /** Retire every runner of a pool (on `pool remove`): idle ones now, busy ones once their step ends. */
  retireAll(name: string): Promise<{ retired: number; waitingForSteps: number }>;
}
