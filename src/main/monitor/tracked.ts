/** What the runner monitor keeps per runner, shared by its parts (log, step containers, reconcile). */
import type { Diagnosis } from '../../shared/diagnostics/diagnose.js';
import { LineSplitter } from '../../shared/line-splitter.js';
import type { ContainerState, RunnerState } from '../../shared/runner-state.js';
import { bare } from '../../shared/runner-spec.js';
import type { Secret } from '../../shared/secret.js';
import { RunnerLogReplay, type ReplayOptions } from '../../shared/step-log/replay.js';
import type { Step } from '../../shared/step-log/types.js';
import type { LogFollower } from '../docker/container-logs.js';
import { EventOrder } from './event-order.js';
import type { LogLineView, SiblingView } from './events.js';
import type { CrashVerdict } from './supervisor.js';

export interface RunnerSnapshot {
  runnerUuid: string;
  containerId: string | null;
  containerName: string | null;
  runnerState: RunnerState;
  reason?: string;
  crash?: CrashVerdict;
  steps: Step[];
  diagnostics: readonly Diagnosis[];
  /** Lines numbered so far; the newest line's number (see `LogLineView.lineNumber`). */
  lineCount: number;
  /** Docker's timestamp of line `lineCount`, so a separate read of the log can be numbered alike. */
  lastLineTime: string | null;
  lastLogAt: string | null;
  siblings: SiblingView[];
  /**
   * How the runner's `[date]` times are read: the container's `TZ` (an IANA zone, offsets per
   * line) or `Z`. `timeZoneProblem` says why a `TZ` that was set is not used.
   */
  timeZone: string;
  timeZoneProblem?: string;
}

export interface Tracked {
  runnerUuid: string;
  key: string;
  containerId: string | null;
  containerName: string | null;
  /**
   * The container's state as its events and inspections left it (for `shared/runner-state`);
   * null until an inspection or a start says (a created container has not run yet). An exit
   * heard as an event is `provisional` until an inspection says whether Docker restarts it.
   */
  container: { state: ContainerState; exitCode: number | null; provisional?: true } | null;
  replay: RunnerLogReplay;
  published: { state: RunnerState; reason: string | undefined } | null;
  /** Comparable form of the newest Docker timestamp folded (dedupe) and its raw form (resume). */
  lastTsKey: string | null;
  lastTs: string | null;
  running: boolean;
  follower: LogFollower | null;
  followGen: number;
  /** Settles when the current follow of the runner's log has ended (or failed to open). */
  logDone: Promise<void> | null;
  /** Runner events waiting behind a `die` whose log is still being drained, in order. */
  order: EventOrder;
  emptyFollows: number;
  /** The runner log's lines, from whichever read (backlog or follow) is current. */
  lines: LineSplitter;
  lineNumber: number;
  pending: LogLineView[];
  flushTimer: NodeJS.Timeout | null;
  siblings: Map<string, SiblingView>;
  /** The step UUID each sibling's name claims, until the log confirms it (then it is on the view). */
  siblingClaims: Map<string, string>;
  /** Sibling log followers (null while opening), by container id. */
  siblingLogs: Map<string, LogFollower | null>;
  /** The container whose env (TZ, secret) the replay was set up from, and the zone it gave. */
  envOf: string | null;
  zone: Pick<ReplayOptions, 'timeZone' | 'utcOffset'>;
  timeZone: string;
  timeZoneProblem: string | undefined;
  /** The runner's OAuth client secret from its container's env: redacted from diagnosis lines. */
  secrets: Secret[];
  /** Steps as last announced, to tell what a fold changed. */
  lastSteps: Step[];
  quiet: boolean;
}

/** The unfinished line waiting for its newline is capped here; the replay's reader cuts runaway lines itself. */
const MAX_PARTIAL = 256 * 1024;

export function newTracked(runnerUuid: string, replayOptions: ReplayOptions, onLine: (t: Tracked, line: string) => void): Tracked {
  const t: Tracked = {
    runnerUuid,
    key: bare(runnerUuid),
    containerId: null,
    containerName: null,
    container: null,
    replay: new RunnerLogReplay(replayOptions),
    published: null,
    lastTsKey: null,
    lastTs: null,
    running: false,
    follower: null,
    followGen: 0,
    logDone: null,
    order: new EventOrder(),
    emptyFollows: 0,
    lines: new LineSplitter((line) => onLine(t, line), MAX_PARTIAL),
    lineNumber: 0,
    pending: [],
    flushTimer: null,
    siblings: new Map(),
    siblingClaims: new Map(),
    siblingLogs: new Map(),
    envOf: null,
    zone: {},
    timeZone: replayOptions.timeZone ?? replayOptions.utcOffset ?? 'Z',
    timeZoneProblem: undefined,
    secrets: [],
    lastSteps: [],
    quiet: false,
  };
  return t;
}
