/**
 * Vocabulary of the runner-log state machine. UUIDs keep their braces (`{…}`), as the
 * runner and Bitbucket print them; times are ISO-8601 with an offset (`Z` for UTC).
 */
import type { RunnerState } from '../runner-state.js';

/** The four UUIDs of the runner's `StepId{…}`. A field the line lacked is absent. */
export interface StepId {
  accountUuid?: string;
  repositoryUuid?: string;
  pipelineUuid?: string;
  stepUuid?: string;
}

interface LogEventBase {
  /** 1-based line number within the stream, when the reader numbers lines. */
  lineNumber?: number;
  /** From the logback `[date]` prefix, in the offset the parser was given; null when absent. */
  timestamp: string | null;
  /** From Docker's own RFC3339Nano prefix (logs fetched with timestamps), cut to milliseconds. */
  dockerTimestamp?: string;
  /** The message without either prefix, for diagnostics and display. */
  text: string;
}

export type LogEvent =
  | (LogEventBase & { kind: 'runner-starting' })
  | (LogEventBase & { kind: 'online' })
  /** `Updating runner state to "<WORD>"` for a word other than ONLINE (e.g. UNHEALTHY). */
  | (LogEventBase & { kind: 'runner-status'; status: string })
  | (LogEventBase & { kind: 'step-started'; step: StepId })
  | (LogEventBase & { kind: 'step-phase'; phase: string })
  /** `status` is the runner's word, upper case (PASSED, FAILED, ERROR, STOPPED, …). */
  | (LogEventBase & { kind: 'step-completed'; status: string; error: string | null })
  /** Any other dated line. */
  | (LogEventBase & { kind: 'message' })
  /**
   * A line without the `[date]` prefix (Java stack traces, wrapped output). `attachedTo`
   * is the line number of the dated event it belongs to, when a reader tracked it.
   */
  | (LogEventBase & { kind: 'continuation'; attachedTo?: number });

export type LogEventKind = LogEvent['kind'];

/**
 * Docker engine container event actions the main side feeds in (`/events`, `Action`).
 * `kill` precedes `die` on `docker stop`/`docker kill`, so it marks the exit as intended.
 */
export type ContainerAction = 'create' | 'start' | 'restart' | 'kill' | 'oom' | 'die' | 'stop' | 'destroy';

export interface ContainerEvent {
  kind: 'container';
  action: ContainerAction;
  /** `Actor.Attributes.exitCode` of a `die` event. */
  exitCode?: number;
  /** ISO-8601 time of the event. */
  time?: string;
}

/** A diagnosis the main side matched on a runner line (see `src/shared/diagnostics`). */
export interface DiagnosisInput {
  kind: 'diagnosis';
  code: string;
  time?: string;
}

export type RunnerInput = LogEvent | ContainerEvent | DiagnosisInput;

/** One type for the whole app: the rule that picks it lives with it in `shared/runner-state`. */
export type { RunnerState } from '../runner-state.js';

/** `RUNNING`, or the runner's own result word (`PASSED`, `FAILED`, `ERROR`, `STOPPED`, …). */
export type StepState = 'RUNNING' | (string & {});

export interface Step {
  stepUuid: string;
  pipelineUuid: string;
  repositoryUuid: string;
  accountUuid?: string;
  state: StepState;
  /** Last `Updating step progress to …` word, while known. */
  phase?: string;
  startedAt: string | null;
  finishedAt?: string | null;
  /** The runner's `error=Some(…)` text. */
  error?: string;
  /**
   * True when the step's end was inferred by us (container died, runner restarted, a newer
   * step began) rather than reported by the runner's `Completing step` line.
   */
  inferred?: true;
}

export interface RunnerExit {
  exitCode: number | null;
  oomKilled: boolean;
  /** The user or the app asked for it (`kill` before `die`, or `stop`). */
  requested: boolean;
  time?: string;
}

export interface RunnerLogState {
  runnerState: RunnerState;
  /** Running steps first (oldest first), then finished steps newest first. */
  steps: Step[];
  /** Every log event folded, continuation lines included. Lines themselves are not kept. */
  lineCount: number;
  /** Time of the newest dated log event. */
  lastLogAt: string | null;
  /** Why the runner is UNHEALTHY or CRASHED, as a diagnosis code or `EXIT_<code>`/`OOM_KILLED`. */
  reason?: string;
  lastExit?: RunnerExit;
  /** Newest runner-level diagnosis code since the container last started: a crash's likely cause. */
  lastDiagnosis?: string;
  /** Runner-level error diagnoses since the last sign of health. */
  consecutiveErrors: number;
  /** Internal: a `kill`/`stop` was seen and not yet followed by `start`. */
  stopRequested: boolean;
  /** Internal: the container reported `oom` since its last start. */
  oomSeen: boolean;
  readonly options: Readonly<FoldOptions>;
}

export interface FoldOptions {
  /** Finished steps kept, newest first. Default 50. */
  maxFinishedSteps: number;
  /** Runner-level error diagnoses in a row that make the runner UNHEALTHY. Default 3. */
  unhealthyAfterErrors: number;
}
