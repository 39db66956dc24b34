export type RunnerErrorCode =
  | 'RUNNER_EXISTS'
  | 'RUNNER_NOT_FOUND'
  | 'CONTAINER_CONFLICT'
  | 'IMAGE_UNAVAILABLE'
  | 'SECRET_MISSING'
  | 'INVALID_RUNNER'
  | 'WORK_DIR_FAILED'
  | 'ENGINE_ERROR'
  /** The runner runs on a cluster (`k8s apply`): a second process on its UUID would clash (409). */
  | 'PLACED_ON_CLUSTER';

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

/** HTTP status of a dockerode error (404 no such…, 409 conflict, 304 already in that state). */
export function statusCodeOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The engine's own words, without the request dump dockerode appends. */
export function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: unknown }; message?: unknown } | null;
  if (typeof err?.json?.message === 'string') return err.json.message;
  return typeof err?.message === 'string' ? err.message : String(e);
}
