/** What the UI sees of a runner pool (`pool add`): its settings, the controller's last decision and the last hour. */

export type PoolRunnerState = 'starting' | 'idle' | 'busy' | 'offline' | 'retiring';

export interface PoolRunnerView {
  /** Braces kept: `{…}`. */
  runnerUuid: string;
  displayName: string;
  state: PoolRunnerState;
  /** ISO-8601: since when it is in that state. */
  since: string | null;
  /** Why it is retiring or offline ("did not come online in 120 s: image pull"), in plain words. */
  reason: string | null;
}

/** One line of what the pool did and why: every Bitbucket write and every decision that changed something. */
export interface PoolActivityView {
  at: string;
  line: string;
}

/** One sample a poll: the Pools screen draws the last hour of these. */
export interface PoolSampleView {
  at: string;
  desired: number;
  busy: number;
  waiting: number;
}

export interface PoolView {
  name: string;
  on: 'docker' | 'kubernetes';
  workspace: string;
  /** Slug, for a pool of repository runners. */
  repository: string | null;
  labels: string[];
  min: number;
  max: number;
  idle: number;
  coolDownSeconds: number;
  startTimeoutSeconds: number;
  size: '1x' | '2x' | '4x' | '8x';
  /** `imagePullPolicy`: the pods' (Always unless the pool says otherwise). */
  kubernetes: { context: string | null; namespace: string; imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never' } | null;
  /**
   * `active`: a controller runs it (serve, watch, the desktop app); `holding`: it keeps the pool as
   * it is after a Bitbucket error (429/5xx/unreachable) until the next try; `inactive`: no
   * long-running host has it (a one-shot CLI's view, from one observation).
   */
  status: 'active' | 'holding' | 'inactive';
  desired: number;
  counts: { busy: number; idle: number; starting: number; offline: number; waiting: number; waitingUnknownLabels: number };
  cappedBy: 'max' | 'host' | null;
  /** What is wrong now, in plain words with the fix; null when nothing is. */
  problem: string | null;
  /** The last plan's lines ("2 waiting steps counted without knowing their runs-on labels …"). */
  notes: string[];
  runners: PoolRunnerView[];
  /** Newest last, at most 50. */
  activity: PoolActivityView[];
  /** Oldest first, the last hour. */
  history: PoolSampleView[];
  /** ISO-8601 of the last observation; null before the first. */
  observedAt: string | null;
}
