import type { PoolConfig } from '../../shared/pools/types.js';
import type { RunnerSpec } from '../../shared/runner-command/types.js';

/** What we keep about a runner: everything but its secret. */
export interface RunnerRecord {
  spec: RunnerSpec;
  displayName: string;
  /** ISO-8601. */
  addedAt: string;
  /**
   * Names of the pasted extra `-e` variables that looked like secrets (e.g. NPM_TOKEN): their
   * values live in the vault under `{uuid}#env:NAME`, only the names are kept here.
   */
  vaultEnv?: string[];
  /** Set while the runner runs on a cluster (`k8s apply`); a runner lives in one place at a time. */
  placement?: RunnerPlacement;
  /** The pool that made it (`pool add`); absent for a runner the user added. */
  pool?: string;
  /**
   * ISO-8601 of the user's last stop (cleared by a start): a runner that is down without one was
   * not stopped by the user (engine killed, host crash) and is shown CRASHED and restarted.
   */
  stoppedAt?: string;
}

export interface RunnerPlacement {
  type: 'kubernetes';
  /** kubeconfig context name, and its server URL (for messages). */
  context: string;
  server: string;
  namespace: string;
  workload: 'deployment' | 'job';
  /** ISO-8601. */
  appliedAt: string;
}

/** The runner part of settings, as the runner service needs it. */
export interface RunnerStore {
  list(): RunnerRecord[];
  get(runnerUuid: string): RunnerRecord | undefined;
  /** Insert or replace by runnerUuid. */
  put(record: RunnerRecord): void;
  remove(runnerUuid: string): boolean;
}

/** The pools part of settings. */
export interface PoolStore {
  list(): PoolConfig[];
  get(name: string): PoolConfig | undefined;
  /** Insert or replace by name. */
  put(pool: PoolConfig): void;
  remove(name: string): boolean;
}
