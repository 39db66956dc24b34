/**
 * Service errors → the contract's `{code, message}`. Our services already write messages for
 * people (what is wrong, how to fix it), so those travel as they are; anything we did not
 * anticipate becomes INTERNAL with a fixed message, because an unknown error's text may carry
 * a request dump or a secret.
 */
import type { ContractError, ErrorCode } from '../../shared/contract/result.js';

const BY_SERVICE_CODE: Record<string, ErrorCode> = {
  // RunnerService
  RUNNER_EXISTS: 'CONFLICT',
  RUNNER_NOT_FOUND: 'NOT_FOUND',
  CONTAINER_CONFLICT: 'CONFLICT',
  STEP_RUNNING: 'STEP_RUNNING',
  // The runner is known but its secret is not: the fix is to paste again, a state clash.
  SECRET_MISSING: 'CONFLICT',
  SECRET_INVALID: 'CONFLICT',
  INVALID_RUNNER: 'INVALID_INPUT',
  WORK_DIR_FAILED: 'INVALID_INPUT',
  IMAGE_UNAVAILABLE: 'DOCKER_UNAVAILABLE',
  ENGINE_ERROR: 'DOCKER_UNAVAILABLE',
  ENGINE_UNREACHABLE: 'DOCKER_UNAVAILABLE',
  // Vault
  VAULT_UNAVAILABLE: 'VAULT_UNAVAILABLE',
  VAULT_CORRUPT: 'VAULT_UNAVAILABLE',
  VAULT_CONFIG: 'VAULT_UNAVAILABLE',
  // Settings
  SETTINGS_INVALID: 'INVALID_INPUT',
  SETTINGS_CORRUPT: 'INTERNAL',
  SETTINGS_TOO_NEW: 'INTERNAL',
  // Writes in the data directory (storage-error.ts, file-lock.ts): the message names the path and the fix.
  STORAGE_FULL: 'STORAGE_UNAVAILABLE',
  STORAGE_READ_ONLY: 'STORAGE_UNAVAILABLE',
  STORAGE_DENIED: 'STORAGE_UNAVAILABLE',
  FILE_LOCK_TIMEOUT: 'CONFLICT',
  // A runner on a cluster: `start` refuses until it is brought back.
  PLACED_ON_CLUSTER: 'CONFLICT',
  // Kubernetes (main/kubernetes/errors.ts): messages are scrubbed of kubeconfig credentials and runner secrets.
  K8S_NO_KUBECONFIG: 'KUBERNETES_UNAVAILABLE',
  K8S_CONTEXT_NOT_FOUND: 'INVALID_INPUT',
  K8S_INVALID_OPTION: 'INVALID_INPUT',
  K8S_UNREACHABLE: 'KUBERNETES_UNAVAILABLE',
  K8S_UNAUTHORIZED: 'KUBERNETES_UNAVAILABLE',
  K8S_FORBIDDEN: 'KUBERNETES_UNAVAILABLE',
  K8S_TIMEOUT: 'KUBERNETES_UNAVAILABLE',
  K8S_ERROR: 'KUBERNETES_UNAVAILABLE',
  K8S_NAMESPACE_TERMINATING: 'CONFLICT',
  K8S_INVALID: 'INVALID_INPUT',
  K8S_CONFLICT: 'CONFLICT',
  K8S_NOT_FOUND: 'NOT_FOUND',
  K8S_NOT_PLACED: 'CONFLICT',
  // The move would fail a step on this machine: the UI asks, then sends `force`.
  K8S_RUNNER_BUSY: 'STEP_RUNNING',
  // This machine's container could not be checked (Docker away): not a running step.
  K8S_LOCAL_UNCHECKED: 'DOCKER_UNAVAILABLE',
  // Bitbucket: a config error is the user's input; the rest is Bitbucket's side.
  BITBUCKET_CONFIG: 'INVALID_INPUT',
  // Pools (pools/pool-settings.ts)
  POOL_INVALID: 'INVALID_INPUT',
  POOL_EXISTS: 'CONFLICT',
  POOL_NOT_FOUND: 'NOT_FOUND',
  POOL_IN_USE: 'CONFLICT',
};

/** Errors raised by the handlers themselves (not by a service). */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const SAFE_MESSAGE_CODES = new Set(Object.keys(BY_SERVICE_CODE));

export function toContractError(e: unknown): ContractError {
  if (e instanceof ApiError) return { code: e.code, message: e.message };
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof code === 'string' && typeof message === 'string') {
    if (SAFE_MESSAGE_CODES.has(code)) {
      // The engine answered, but refused (a 4xx, or a 500 from the runtime): Docker is there, so not DOCKER_UNAVAILABLE.
      const refused = code === 'ENGINE_ERROR' && typeof (e as { engineStatus?: unknown }).engineStatus === 'number';
      const mapped = refused ? 'ENGINE_REFUSED' : BY_SERVICE_CODE[code]!;
      return { code: mapped, message };
    }
    if (code.startsWith('BITBUCKET_')) return { code: 'BITBUCKET_UNAVAILABLE', message };
  }
  return {
    code: 'INTERNAL',
    message: 'Runner Tray hit an unexpected error; the details are in the service log (runner-tray serve prints it).',
  };
}
