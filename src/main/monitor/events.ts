import type { PlacementView } from '../../shared/contract/views.js';
import type { Diagnosis } from '../../shared/diagnostics/diagnose.js';
import type { ContainerAction, RunnerState, Step } from '../../shared/step-log/types.js';
import type { CrashVerdict } from './supervisor.js';

export interface LogLineView {
  /**
   * 1-based, per runner, counted from the first line the monitor read (its start-up backlog
   * included) and never reset while it runs; diagnoses' `lineNumber` use the same count.
   */
  lineNumber: number;
  /** The runner's line without Docker's timestamp prefix, secrets and credential-like runs masked. */
  text: string;
  /** Docker's RFC3339Nano receive time. */
  time?: string;
}

export interface SiblingView {
  containerId: string;
  name: string;
  role: string;
  /**
   * The step it belongs to: the UUID in its name, set only once a running step in the runner's
   * log has that UUID (the name is only believed to carry the step's). Absent until then.
   */
  stepUuid?: string;
  running: boolean;
}

/** What the runner monitor pushes. Runner UUIDs are as the container's label carries them (braces). */
export type MonitorEvent =
  | {
      type: 'runner-state';
      runnerUuid: string;
      runnerState: RunnerState;
      previous: RunnerState | null;
      /** Diagnosis code, `EXIT_<n>`, `OOM_KILLED`, … when UNHEALTHY or CRASHED. */
      reason?: string;
      /** Set when the supervisor judged a crash loop. */
      crash?: CrashVerdict;
      time: string;
    }
  | { type: 'step'; runnerUuid: string; change: 'started' | 'phase' | 'finished'; step: Step; time: string }
  | { type: 'diagnosis'; runnerUuid: string; diagnosis: Diagnosis; time: string }
  /** Batched: at most one event per runner per batch interval. */
  | { type: 'log'; runnerUuid: string; lines: LogLineView[] }
  | { type: 'sibling'; runnerUuid: string; action: ContainerAction; sibling: SiblingView; time: string }
  /** A runner on a cluster: its pod or the cluster's answer changed (restarts, node, a problem). */
  | { type: 'placement'; runnerUuid: string; placement: PlacementView; time: string }
  /** The engine's event stream broke (`connected: false`) or came back and was reconciled. */
  | { type: 'connection'; connected: boolean; message: string; time: string };

export type MonitorEventType = MonitorEvent['type'];
