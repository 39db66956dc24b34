import { diagnosisScope } from '../diagnostics/diagnose.js';
import type { ContainerEvent, FoldOptions, LogEvent, RunnerInput, RunnerLogState, Step } from './types.js';

/*
 * The runner's state machine, as one reducer over log events, container events and
 * diagnoses. Rules (the main side feeds all three kinds, in arrival order):
 *
 * Runner state
 * - `Runner starting.` or a container `start`/`restart` → STARTING.
 * - ONLINE line → ONLINE, or BUSY while a step runs (newer runners report ONLINE as a
 *   heartbeat during steps too, so it never ends a step).
 * - `Getting step …` → BUSY. `Completing step …` → ONLINE.
 * - Container `die`: exit 0, or after a `kill`/`stop` (a user's or the app's stop) → STOPPED;
 *   any other exit → CRASHED, reason `OOM_KILLED` (an `oom` event came first) or `EXIT_<code>`.
 *   `stop`/`destroy` → STOPPED. Deciding that a runner *keeps* crashing is the supervisor's job.
 * - UNHEALTHY: at once on a diagnosis of scope `unhealthy` (UNHEALTHY_CLEANUP, OAUTH_REJECTED,
 *   CGROUP_V1_EXPECTED — see `diagnosisScope`) or on the
 *   runner reporting `Updating runner state to "UNHEALTHY"`; this sticks until the runner
 *   restarts or takes a step, because Bitbucket will not give it steps meanwhile. Also after
 *   `unhealthyAfterErrors` runner-scope diagnoses in a row (OAuth rejected, Docker
 *   unreachable, …) with no sign of health between; the next ONLINE/step line clears that.
 *   While STOPPED or CRASHED, diagnoses do not change the state.
 *
 * Steps
 * - A step is RUNNING from its `Getting step` line until `Completing step with result`,
 *   which gives it the runner's word (PASSED, FAILED, ERROR, STOPPED, …). The completion
 *   line carries no step id: it ends the newest running step (a runner runs one at a time).
 * - Ends we infer are marked `inferred: true`: the runner process restarted or the container
 *   died unasked while a step ran → ERROR (the runner lost the step; Bitbucket fails it);
 *   the container was stopped on request → STOPPED; a new step began while another was
 *   still RUNNING (its completion line was missed) → UNKNOWN.
 * - Memory is bounded: running steps plus at most `maxFinishedSteps` finished ones (newest
 *   kept), and a line counter; no line is retained.
 */

export const DEFAULT_FOLD_OPTIONS: Readonly<FoldOptions> = Object.freeze({ maxFinishedSteps: 50, unhealthyAfterErrors: 3 });

const RUNNER_REPORTED_UNHEALTHY = 'RUNNER_REPORTED_UNHEALTHY';

function checkCount(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number of at least ${min}; got ${String(value)}.`);
  }
  return value;
}

export function initialRunnerLogState(options: Partial<FoldOptions> = {}): RunnerLogState {
  const opts: FoldOptions = {
    maxFinishedSteps: checkCount('maxFinishedSteps', options.maxFinishedSteps ?? DEFAULT_FOLD_OPTIONS.maxFinishedSteps, 0),
    unhealthyAfterErrors: checkCount('unhealthyAfterErrors', options.unhealthyAfterErrors ?? DEFAULT_FOLD_OPTIONS.unhealthyAfterErrors, 1),
  };
  return {
    runnerState: 'STARTING',
    steps: [],
    lineCount: 0,
    lastLogAt: null,
    consecutiveErrors: 0,
    stopRequested: false,
    oomSeen: false,
    options: Object.freeze(opts),
  };
}

const isRunning = (s: Step) => s.state === 'RUNNING';

function runningCount(steps: readonly Step[]): number {
  let n = 0;
  while (n < steps.length && isRunning(steps[n]!)) n++;
  return n;
}

/** End every running step with `state`; finished ones go first among the finished, newest first. */
function endRunning(steps: Step[], state: string, at: string | null, maxFinished: number): Step[] {
  const n = runningCount(steps);
  if (n === 0) return steps;
  const ended = steps.slice(0, n).map((s): Step => ({ ...s, state, finishedAt: at, inferred: true }));
  ended.reverse();
  return [...ended, ...steps.slice(n)].slice(0, maxFinished);
}

function stickyUnhealthy(state: RunnerLogState): boolean {
  return (
    state.runnerState === 'UNHEALTHY' &&
    state.reason !== undefined &&
    (state.reason === RUNNER_REPORTED_UNHEALTHY || diagnosisScope(state.reason) === 'unhealthy')
  );
}

function idleState(state: RunnerLogState, steps: readonly Step[]): RunnerLogState['runnerState'] {
  if (runningCount(steps) > 0) return 'BUSY';
  return stickyUnhealthy(state) ? 'UNHEALTHY' : 'ONLINE';
}

function withoutReason(state: RunnerLogState): RunnerLogState {
  if (state.reason === undefined) return state;
  const { reason: _dropped, ...rest } = state;
  return rest;
}

function foldLog(state: RunnerLogState, ev: LogEvent): RunnerLogState {
  const at = ev.timestamp ?? ev.dockerTimestamp ?? null;
  const lineCount = state.lineCount + 1;
  const lastLogAt = ev.kind === 'continuation' || at === null ? state.lastLogAt : at;
  // The common lines (chatter, heartbeats) cost one object copy: this runs once per log line.
  if (ev.kind === 'message' || ev.kind === 'continuation') return { ...state, lineCount, lastLogAt };
  if (ev.kind === 'online') {
    const runnerState = idleState(state, state.steps);
    if (runnerState === 'UNHEALTHY' || state.reason === undefined) return { ...state, lineCount, lastLogAt, runnerState, consecutiveErrors: 0 };
    return { ...withoutReason(state), lineCount, lastLogAt, runnerState, consecutiveErrors: 0 };
  }
  const base: RunnerLogState = { ...state, lineCount, lastLogAt };
  const max = state.options.maxFinishedSteps;
  switch (ev.kind) {
    case 'runner-starting':
      return {
        ...withoutReason(base),
        runnerState: 'STARTING',
        steps: endRunning(state.steps, 'ERROR', at, max),
        consecutiveErrors: 0,
      };
    case 'runner-status':
      if (ev.status === 'UNHEALTHY') return { ...base, runnerState: 'UNHEALTHY', reason: RUNNER_REPORTED_UNHEALTHY };
      return base;
    case 'step-started': {
      const id = ev.step;
      const stepUuid = id.stepUuid ?? '';
      const n = runningCount(state.steps);
      if (n > 0 && state.steps[n - 1]!.stepUuid === stepUuid) {
        return { ...withoutReason(base), runnerState: 'BUSY', consecutiveErrors: 0 };
      }
      const steps = endRunning(state.steps, 'UNKNOWN', at, max);
      const step: Step = {
        stepUuid,
        pipelineUuid: id.pipelineUuid ?? '',
        repositoryUuid: id.repositoryUuid ?? '',
        state: 'RUNNING',
        startedAt: at,
      };
      if (id.accountUuid !== undefined) step.accountUuid = id.accountUuid;
      return { ...withoutReason(base), runnerState: 'BUSY', steps: [step, ...steps].slice(0, 1 + max), consecutiveErrors: 0 };
    }
    case 'step-phase': {
      const n = runningCount(state.steps);
      if (n === 0) return base;
      const steps = state.steps.slice();
      steps[n - 1] = { ...steps[n - 1]!, phase: ev.phase };
      return { ...base, steps };
    }
    case 'step-completed': {
      const n = runningCount(state.steps);
      if (n === 0) return { ...base, runnerState: idleState(state, state.steps), consecutiveErrors: 0 };
      const done: Step = { ...state.steps[n - 1]!, state: ev.status, finishedAt: at };
      if (ev.error !== null) done.error = ev.error;
      const steps = [...state.steps.slice(0, n - 1), done, ...state.steps.slice(n)].slice(0, n - 1 + max);
      return { ...base, steps, runnerState: idleState(state, steps), consecutiveErrors: 0 };
    }
  }
}

function foldContainer(state: RunnerLogState, ev: ContainerEvent): RunnerLogState {
  const at = ev.time ?? state.lastLogAt;
  const max = state.options.maxFinishedSteps;
  switch (ev.action) {
    case 'create':
      return state;
    case 'start':
    case 'restart': {
      // The previous process is gone; whatever it was running is lost with it.
      const { lastDiagnosis: _old, ...rest } = withoutReason(state);
      return {
        ...rest,
        runnerState: 'STARTING',
        steps: endRunning(state.steps, 'ERROR', at, max),
        consecutiveErrors: 0,
        stopRequested: false,
        oomSeen: false,
      };
    }
    case 'kill':
      return { ...state, stopRequested: true };
    case 'oom':
      return { ...state, oomSeen: true };
    case 'die': {
      const exitCode = ev.exitCode ?? null;
      const requested = state.stopRequested;
      const exit = { exitCode, oomKilled: state.oomSeen, requested, ...(ev.time ? { time: ev.time } : {}) };
      if (requested || exitCode === 0) {
        return {
          ...withoutReason(state),
          runnerState: 'STOPPED',
          steps: endRunning(state.steps, 'STOPPED', at, max),
          lastExit: exit,
        };
      }
      return {
        ...state,
        runnerState: 'CRASHED',
        reason: state.oomSeen ? 'OOM_KILLED' : `EXIT_${exitCode ?? 'UNKNOWN'}`,
        steps: endRunning(state.steps, 'ERROR', at, max),
        lastExit: exit,
      };
    }
    case 'stop':
    case 'destroy': {
      const steps = endRunning(state.steps, 'STOPPED', at, max);
      // A crash stays a crash when `destroy` follows it; a `stop` is always the user's.
      if (ev.action === 'destroy' && state.runnerState === 'CRASHED') return { ...state, steps };
      return { ...withoutReason(state), runnerState: 'STOPPED', steps, stopRequested: true };
    }
  }
}

/** One input → the next state. Pure: the given state is never changed. */
export function foldRunnerLog(state: RunnerLogState, input: RunnerInput): RunnerLogState {
  if (input.kind === 'container') return foldContainer(state, input);
  if (input.kind === 'diagnosis') {
    // A stopped container prints nothing new: these lines are history being replayed.
    if (state.runnerState === 'STOPPED' || state.runnerState === 'CRASHED') return state;
    const scope = diagnosisScope(input.code);
    if (scope === 'unhealthy') return { ...state, runnerState: 'UNHEALTHY', reason: input.code, lastDiagnosis: input.code };
    if (scope === 'runner') {
      const consecutiveErrors = state.consecutiveErrors + 1;
      if (consecutiveErrors >= state.options.unhealthyAfterErrors && !stickyUnhealthy(state)) {
        return { ...state, consecutiveErrors, runnerState: 'UNHEALTHY', reason: input.code, lastDiagnosis: input.code };
      }
      return { ...state, consecutiveErrors, lastDiagnosis: input.code };
    }
    return state;
  }
  return foldLog(state, input);
}
