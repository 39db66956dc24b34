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
