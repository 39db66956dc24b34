import { execFile } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileVault } from '../../../src/main/vault/file-vault.js';
import { openVault, vaultBackendFromEnv } from '../../../src/main/vault/select-vault.js';
import { VaultError } from '../../../src/main/vault/types.js';

const run = promisify(execFile);
const child = path.resolve('test/support/open-vault-child.ts');
const tempDir = (p: string) => mkdtemp(path.join(tmpdir(), p));

describe('vault selection (RUNNER_TRAY_VAULT)', () => {
  it('defaults to the keyring and accepts keyring / file in any case', () => {
    expect(vaultBackendFromEnv({})).toBe('keyring');
    expect(vaultBackendFromEnv({ RUNNER_TRAY_VAULT: '' })).toBe('keyring');
    expect(vaultBackendFromEnv({ RUNNER_TRAY_VAULT: 'File ' })).toBe('file');
    expect(vaultBackendFromEnv({ RUNNER_TRAY_VAULT: 'keyring' })).toBe('keyring');
  });

  it('rejects an unknown value with VAULT_CONFIG listing the valid ones', async () => {
    const err = await openVault({ env: { RUNNER_TRAY_VAULT: 'plaintext' }, dataDir: '/nonexistent' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaultError);
    expect((err as VaultError).code).toBe('VAULT_CONFIG');
    expect((err as VaultError).message).toMatch(/RUNNER_TRAY_VAULT="plaintext" is not a vault backend\. Use one of: keyring, file/);
  });

  it('opens the file vault in the data directory only when asked to', async () => {
    const dir = await tempDir('rt-select-');
    const vault = await openVault({ env: { RUNNER_TRAY_VAULT: 'file' }, dataDir: dir });
    expect(vault).toBeInstanceOf(FileVault);
    expect(vault.location).toContain(path.join(dir, 'secrets.json'));
  });

  it('without a D-Bus session bus, the keyring is reported unusable at open time, with the fix — never a silent file fallback', async () => {
    const dataDir = await tempDir('rt-nobus-');
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_RUNTIME_DIR: await tempDir('rt-norun-') };
    // No bus address, no X11/Wayland autolaunch, and an empty runtime dir (the default bus path).
    for (const name of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'RUNNER_TRAY_VAULT']) delete env[name];

    const { stdout } = await run(process.execPath, ['--import', 'tsx', child, dataDir], { env, timeout: 60_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { ok: boolean; code: string; message: string };

    expect(result.ok).toBe(false);
    expect(result.code).toBe('VAULT_UNAVAILABLE');
    expect(result.message).toMatch(/no D-Bus session bus/);
    expect(result.message).toMatch(/GNOME Keyring or KWallet/);
    expect(result.message).toContain('RUNNER_TRAY_VAULT=file');
    expect(result.message).toContain(path.join(dataDir, 'secrets.json'));
    expect(result.message).toMatch(/NOT encrypted/);
    expect(await readdir(dataDir)).toEqual([]);
  });
});
