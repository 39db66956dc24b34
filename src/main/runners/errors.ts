export type RunnerErrorCode =
  | 'RUNNER_EXISTS'
  | 'RUNNER_NOT_FOUND'
  | 'CONTAINER_CONFLICT'
  | 'IMAGE_UNAVAILABLE'
  | 'SECRET_MISSING'
  | 'SECRET_INVALID'
  | 'INVALID_RUNNER'
  | 'WORK_DIR_FAILED'
  | 'ENGINE_ERROR'
  /** The runner runs on a cluster (`k8s apply`): a second process on its UUID would clash (409). */
  | 'PLACED_ON_CLUSTER'
  /** Stopping or removing it would fail the step it is running: ask, then pass `force`. */
  | 'STEP_RUNNING';

/** A runner operation that failed for a reason the user can act on; the message says how. */
export class RunnerError extends Error {
  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    readonly runnerUuid?: string,
    /** For ENGINE_ERROR: the engine's HTTP status when it answered (it refused the request), unset when it could not be reached. */
    readonly engineStatus?: number,
  ) {
    super(message);
    this.name = 'RunnerError';
  }
}
