import { FileVault } from './file-vault.js';
import { KeyringVault } from './keyring-vault.js';
import { VaultError, type SecretVault, type VaultBackendName } from './types.js';

export const VAULT_BACKENDS: readonly VaultBackendName[] = ['keyring', 'file'];

export interface OpenVaultOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** The backend remembered in settings (`vault use`, the window's choice); RUNNER_TRAY_VAULT wins over it. */
  chosen?: 'keyring' | 'file' | undefined;
  dataDir: string;
  platform?: NodeJS.Platform;
  /** Per keyring call; see KeyringVaultOptions. */
  keyringTimeoutMs?: number;
}

/** RUNNER_TRAY_VAULT, defaulting to the keyring. */
export function vaultBackendFromEnv(env: Readonly<Record<string, string | undefined>>): VaultBackendName {
  const raw = env.RUNNER_TRAY_VAULT;
  if (raw === undefined || raw.trim() === '') return 'keyring';
  const value = raw.trim().toLowerCase();
  const found = VAULT_BACKENDS.find((b) => b === value);
  if (found) return found;
  throw new VaultError(
    'VAULT_CONFIG',
    `RUNNER_TRAY_VAULT="${raw}" is not a vault backend. Use one of: ${VAULT_BACKENDS.join(', ')} ` +
      '(keyring: the OS keyring, the default; file: a 0600 file in the data directory, for headless servers).',
  );
}

/**
 * Opens the vault the user chose, proven usable, or throws a VaultError naming
 * the fix. There is deliberately no automatic fallback from keyring to file.
 */
export async function openVault(options: OpenVaultOptions): Promise<SecretVault> {
  const platform = options.platform ?? process.platform;
  const backend = options.env.RUNNER_TRAY_VAULT?.trim() ? vaultBackendFromEnv(options.env) : (options.chosen ?? 'keyring');
  if (backend === 'file') return FileVault.open(options.dataDir, { platform });
  return KeyringVault.open({
    platform,
    dataDir: options.dataDir,
    ...(options.keyringTimeoutMs === undefined ? {} : { timeoutMs: options.keyringTimeoutMs }),
  });
}
