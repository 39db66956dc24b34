import type { Secret } from '../../shared/secret.js';

/** Service name under which every backend files its entries. */
export const VAULT_SERVICE = 'runner-tray';

/** `safe-storage` is the desktop app's own (Electron safeStorage); RUNNER_TRAY_VAULT picks only keyring or file. */
export type VaultBackendName = 'keyring' | 'file' | 'safe-storage';

/**
 * Where runner OAuth secrets (one entry per runner UUID, braces kept) and the
 * Bitbucket API token (key `bitbucket:<workspace>`) are kept. Nothing else of
 * ours ever holds these values.
 */
export interface SecretVault {
  readonly backend: VaultBackendName;
  /** Human-readable location, for messages (never the secret). */
  readonly location: string;
  get(key: string): Promise<Secret | null>;
  set(key: string, secret: Secret): Promise<void>;
  /** Returns whether an entry existed. */
  delete(key: string): Promise<boolean>;
}

export class VaultError extends Error {
  constructor(
    readonly code: 'VAULT_UNAVAILABLE' | 'VAULT_CORRUPT' | 'VAULT_CONFIG',
    message: string,
  ) {
    super(message);
    this.name = 'VaultError';
  }
}
