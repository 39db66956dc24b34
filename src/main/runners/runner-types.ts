/** What the runner service takes and answers: its public types (re-exported by runner-service.ts). */
import type { ContainerState } from '../../shared/contract/views.js';
import type { RunnerSpec } from '../../shared/runner-command/types.js';
import type { RunnerRecord } from '../settings/types.js';

export interface AddOptions {
  /** Per-runner working directory (absolute; created), or `auto` for /tmp/runner-tray/<uuid>. */
  workDir?: string;
  /** The runner UUID is already known: rotate its secret and replace its settings. */
  replace?: boolean;
  displayName?: string;
  /** The pool that makes it (kept in its record). */
  pool?: string;
}

export interface SharedWorkDirWarning {
  code: 'SHARED_WORKING_DIRECTORY';
  message: string;
  suggestedWorkDir: string;
}

/** The runner's container is running: the new settings/secret apply only after stop + start. */
export interface PendingRestartWarning {
  code: 'PENDING_RESTART';
  message: string;
}

export type AddWarning = SharedWorkDirWarning | PendingRestartWarning;

export interface AddResult {
  record: RunnerRecord;
  replaced: boolean;
  warnings: AddWarning[];
}

export interface StartOptions {
  /** A `runner-<uuid>` container made by hand for this same runner: take it over (recreated as ours). */
  adopt?: boolean;
  /** A container with this runner's name that we did not create: remove it and create ours. */
  replace?: boolean;
}

export interface RunnerStatus {
  runnerUuid: string;
  name: string;
  displayName: string;
  kind: RunnerSpec['kind'];
  containerId: string | null;
  containerState: ContainerState;
  image: string;
  /** ISO-8601 of the container's last start, while it runs. */
  startedAt: string | null;
  uptimeSeconds: number | null;
  exitCode: number | null;
  restartCount: number;
  workingDirectory: string;
  /** The pool that made it; absent for a runner the user added. */
  pool?: string;
  /**
   * ISO-8601 of the user's last stop (settings), null when none is recorded: a runner that is
   * down without one crashed (see shared/runner-state). Absent from statuses built elsewhere.
   */
  stoppedAt?: string | null;
}

export interface StartResult extends RunnerStatus {
  /**
   * The runner was already running with other settings or secrets than stored: it was left
   * running (a step may be in progress) and `notice` says how to apply them.
   */
  pendingRestart: boolean;
  notice?: string;
}

export interface ReconcileReport {
  runners: RunnerStatus[];
  /** Containers carrying our labels whose runner is not in settings (never removed automatically). */
  orphans: Array<{ containerId: string; name: string; runnerUuid: string }>;
}
