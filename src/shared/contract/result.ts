/**
 * The envelope every request channel answers with. Electron carries only an
 * error's `message` across IPC, so failures travel as plain data instead of thrown errors.
 */
export const ERROR_CODES = [
  /** The payload did not match the channel's schema; the message names the field. */
  'INVALID_INPUT',
  /** No such channel. */
  'UNKNOWN_CHANNEL',
  /** No runner / subscription with that id. */
  'NOT_FOUND',
  /** The runner is already known (re-paste without `replaceExisting`), or the action clashes with its state. */
  'CONFLICT',
  /** The runner is running a step: stopping or removing it fails the step. Ask, then send `force: true`. */
  'STEP_RUNNING',
  /** The Docker engine cannot be reached. */
  'DOCKER_UNAVAILABLE',
  /** The Docker engine answered but refused the request (the message has its words, secrets masked). */
  'ENGINE_REFUSED',
  /** The secret store cannot be used (locked keyring, no Secret Service). */
  'VAULT_UNAVAILABLE',
  /** Bitbucket refused the credentials or cannot be reached. */
  'BITBUCKET_UNAVAILABLE',
  /** The action writes to Bitbucket and no account is connected: connect one in Settings. */
  'BITBUCKET_NOT_CONNECTED',
  /** The token lacks a scope the action needs (the message names them). */
  'BITBUCKET_SCOPES',
  /** Bitbucket's runner limit (100 per workspace or repository) is reached. */
  'BITBUCKET_RUNNER_LIMIT',
  /** The data directory cannot be written: disk full, read-only, permission denied (the message names the fix). */
  'STORAGE_UNAVAILABLE',
  /** A Kubernetes cluster cannot be used: no kubeconfig, unreachable, expired credentials, RBAC forbidden (the message names which, and the fix). */
  'KUBERNETES_UNAVAILABLE',
  /** The host cannot read the clipboard (headless dashboard). */
  'CLIPBOARD_UNAVAILABLE',
  /** No valid session token or cookie (HTTP bridge only). */
  'UNAUTHORIZED',
  /** A bug: the message is safe to show, details are in the service log. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ContractError {
  code: ErrorCode;
  /** Plain words for the user: what is wrong and how to fix it. Never holds a secret. */
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ContractError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/**
 * HTTP status for the loopback bridge. The issue fixes 400/404/409/500 and 401;
 * a missing engine, vault or Bitbucket is not a bug in us, so those say 503.
 */
export function httpStatusFor(result: Result<unknown>): number {
  if (result.ok) return 200;
  switch (result.error.code) {
    case 'INVALID_INPUT':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'UNKNOWN_CHANNEL':
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
    case 'STEP_RUNNING':
    case 'BITBUCKET_NOT_CONNECTED':
      return 409;
    case 'DOCKER_UNAVAILABLE':
    case 'VAULT_UNAVAILABLE':
    case 'BITBUCKET_UNAVAILABLE':
    case 'BITBUCKET_SCOPES':
    case 'BITBUCKET_RUNNER_LIMIT':
    case 'CLIPBOARD_UNAVAILABLE':
    case 'STORAGE_UNAVAILABLE':
    case 'KUBERNETES_UNAVAILABLE':
      return 503;
    case 'INTERNAL':
      return 500;
    // The engine behind us answered with an error: a gateway's 502, not "unavailable, retry" (503).
    case 'ENGINE_REFUSED':
      return 502;
  }
}
