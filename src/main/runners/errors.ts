export type RunnerErrorCode =
  | 'RUNNER_EXISTS'
  | 'RUNNER_NOT_FOUND'
  | 'CONTAINER_CONFLICT'
  | 'IMAGE_UNAVAILABLE'
  | 'SECRET_MISSING'
  | 'INVALID_RUNNER'
  | 'WORK_DIR_FAILED'
  | 'ENGINE_ERROR'
  /** Stopping or removing it would fail the step it is running: ask, then pass `force`. */
  | 'STEP_RUNNING';

/** A runner operation that failed for a reason the user can act on; the message says how. */
export class RunnerError extends Error {
  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    readonly runnerUuid?: string,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}
