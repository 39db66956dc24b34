/**
 * The user's explicit choice of vault, from the window (`host.useVault`) or the CLI
 * (`runner-tray vault use file|keyring`): proven to open, then remembered in settings. Nothing
 * here ever picks a vault by itself. Secrets are not moved between vaults: with runners or a
 * Bitbucket connection stored, a change is refused with what to do instead.
 */
import type { AppContext } from '../app-context.js';
import { FileVault } from './file-vault.js';
import { KeyringVault } from './keyring-vault.js';
import { VaultError, type SecretVault } from './types.js';

export type ChosenVault = 'file' | 'keyring';

export interface VaultChoice {
  backend: ChosenVault;
  location: string;
  /** False when it already was the choice. */
  changed: boolean;
}

function describe(backend: string): string {
  if (backend === 'file') return 'the file vault (secrets.json, mode 0600, not encrypted)';
  if (backend === 'safe-storage') return "the desktop app's encrypted store (safeStorage)";
  return 'the OS keyring';
}

export async function chooseVault(ctx: AppContext, backend: ChosenVault): Promise<VaultChoice> {
  const fromEnv = ctx.env.RUNNER_TRAY_VAULT?.trim();
  const current = ctx.vaultBackend();
  if (fromEnv && current !== backend) {
    throw new VaultError(
      'VAULT_CONFIG',
      `RUNNER_TRAY_VAULT=${fromEnv} is set for this process and wins over a choice in settings. Unset it (or set RUNNER_TRAY_VAULT=${backend}) to use ${describe(backend)}.`,
    );
  }
  const settings = ctx.settings().get();
  if (current !== backend) {
    const holders = [
      ...settings.runners.map((r) => `runner "${r.displayName}"`),
      ...(settings.bitbucket ? [`the Bitbucket connection (${settings.bitbucket.workspace})`] : []),
    ];
    if (holders.length > 0) {
      throw new VaultError(
        'VAULT_CONFIG',
        `Not switching to ${describe(backend)}: ${holders.join(', ')} ${holders.length === 1 ? 'keeps its' : 'keep their'} secrets in ${describe(current)}, and Runner Tray does not move secrets between vaults. ` +
          'Remove them first (runner-tray remove <name>, runner-tray bitbucket disconnect), choose the vault, then add them again.',
      );
    }
  }
  // Proven before it is remembered: a keyring that cannot be used is not a choice.
  const vault: SecretVault = backend === 'file' ? await FileVault.open(ctx.dataDir) : await KeyringVault.open({ dataDir: ctx.dataDir });
  const changed = settings.vault !== backend;
  if (changed) ctx.settings().update({ vault: backend });
  ctx.forgetVault();
  return { backend, location: vault.location, changed };
}
