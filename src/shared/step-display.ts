/**
 * One display vocabulary for step states from both sources: the runner's log (`RUNNING`,
 * then its result word) and the Bitbucket API (`state.name` with `state.result.name` or
 * `state.stage.name`). The renderer translates these words; unknown input is `unknown`,
 * never an error, because both sources may grow new words.
 */
export type StepDisplay = 'queued' | 'running' | 'passed' | 'failed' | 'error' | 'stopped' | 'paused' | 'unknown';

export const STEP_DISPLAYS: readonly StepDisplay[] = ['queued', 'running', 'passed', 'failed', 'error', 'stopped', 'paused', 'unknown'];

const WORDS: Readonly<Record<string, StepDisplay>> = {
  // Waiting for a runner.
  PENDING: 'queued',
  READY: 'queued',
  QUEUED: 'queued',
  // In progress.
  RUNNING: 'running',
  IN_PROGRESS: 'running',
  // Results: runner log words and API `result.name`s.
  PASSED: 'passed',
  SUCCESSFUL: 'passed',
  SUCCESS: 'passed',
  FAILED: 'failed',
  FAILURE: 'failed',
  ERROR: 'error',
  // A step that sat in the queue past Bitbucket's limit: the system's fault, not the build's.
  EXPIRED: 'error',
  STOPPED: 'stopped',
  // Not run because an earlier step failed or a manual step was never triggered; Bitbucket
  // shows it greyed out like a stopped step.
  NOT_RUN: 'stopped',
  SKIPPED: 'stopped',
  PAUSED: 'paused',
  // In progress but held (deployment concurrency control): waiting, shown as paused.
  HALTED: 'paused',
};

/** A runner-log step state (`RUNNING`, `PASSED`, …) → display word. */
export function displayRunnerStepState(state: string | null | undefined): StepDisplay {
  if (!state) return 'unknown';
  return WORDS[state.trim().toUpperCase()] ?? 'unknown';
}

/** The `state` object of a Bitbucket API pipeline step (or pipeline). */
export interface ApiStepState {
  name?: string;
  type?: string;
  result?: { name?: string; type?: string } | null;
  stage?: { name?: string; type?: string } | null;
}

/**
 * A Bitbucket API step state → display word. `COMPLETED` uses `result.name`;
 * `IN_PROGRESS` uses `stage.name` when it says PAUSED/HALTED; a bare word works too.
 */
export function displayApiStepState(state: ApiStepState | string | null | undefined): StepDisplay {
  if (!state) return 'unknown';
  if (typeof state === 'string') return displayRunnerStepState(state);
  const name = (state.name ?? '').toUpperCase();
  if (name === 'COMPLETED') return displayRunnerStepState(state.result?.name);
  if (name === 'IN_PROGRESS') {
    const stage = displayRunnerStepState(state.stage?.name);
    return stage === 'paused' ? 'paused' : 'running';
  }
  const direct = displayRunnerStepState(name);
  if (direct !== 'unknown') return direct;
  // Some payloads carry only the result (or only the type, e.g. pipeline_step_state_pending).
  if (state.result?.name) return displayRunnerStepState(state.result.name);
  const fromType = /_(pending|in_progress|completed)$/.exec(state.type ?? '')?.[1];
  if (fromType === 'pending') return 'queued';
  if (fromType === 'in_progress') return 'running';
  return 'unknown';
}

/** True for words after which the step will not change again. */
export function isFinalDisplay(d: StepDisplay): boolean {
  return d === 'passed' || d === 'failed' || d === 'error' || d === 'stopped';
}
