import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StandInSafeStorage } from '../../support/electron-standin.js';

vi.mock('electron', () => ({}));

const { SafeStorageVault, SAFE_STORAGE_FILE, allowBasicTextFromEnv } = await import('../../../src/main/electron/safe-storage-vault.js');
const { Secret } = await import('../../../src/shared/secret.js');
const { VaultError } = await import('../../../src/main/vault/types.js');

const RUNNER = '{0a1b2c3d-1111-4222-8333-444455556666}';
const SECRET = 'ATOA-made-up-client-secret-9f8e7d6c5b4a39281706f5e4d3c2b1a0';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'safe-vault-'));
  chmodSync(d, 0o700);
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<InstanceType<typeof VaultError>> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return e as InstanceType<typeof VaultError>;
  }
  throw new Error('expected a VaultError');
}

describe('safeStorage vault (with a stand-in safeStorage)', () => {
  it('refuses Linux basic_text without the explicit opt-in, naming the fixes', async () => {
    const safe = new StandInSafeStorage('basic_text');
    const err = await refusal(SafeStorageVault.open({ dataDir: dataDir(), safeStorage: safe, platform: 'linux' }));
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toMatch(/basic_text/);
    expect(err.message).toMatch(/gnome-keyring/);
    expect(err.message).toMatch(/RUNNER_TRAY_ALLOW_BASIC_TEXT=1/);
    expect(safe.plainTextEncryption).toBe(false);
  });

  it('accepts basic_text only with the opt-in (RUNNER_TRAY_ALLOW_BASIC_TEXT=1)', async () => {
    expect(allowBasicTextFromEnv({})).toBe(false);
    expect(allowBasicTextFromEnv({ RUNNER_TRAY_ALLOW_BASIC_TEXT: '0' })).toBe(false);
    expect(allowBasicTextFromEnv({ RUNNER_TRAY_ALLOW_BASIC_TEXT: '1' })).toBe(true);
    const safe = new StandInSafeStorage('basic_text');
    const vault = await SafeStorageVault.open({ dataDir: dataDir(), safeStorage: safe, platform: 'linux', allowBasicText: true });
    expect(safe.plainTextEncryption).toBe(true);
    expect(vault.location).toMatch(/no real protection/);
  });

  it('refuses when safeStorage cannot encrypt (locked keyring) or is asked before ready', async () => {
    const locked = await refusal(
      SafeStorageVault.open({ dataDir: dataDir(), safeStorage: new StandInSafeStorage('gnome_libsecret', false), platform: 'linux' }),
    );
    expect(locked.message).toMatch(/Unlock your keyring/);
    const early = await refusal(SafeStorageVault.open({ dataDir: dataDir(), safeStorage: new StandInSafeStorage('unknown'), platform: 'linux' }));
    expect(early.message).toMatch(/before Electron was ready/);
  });

  it('round-trips secrets across reopening, deletes them, and keeps them in their own 0600 file', async () => {
    const dir = dataDir();
    const safe = new StandInSafeStorage('gnome_libsecret');
    const vault = await SafeStorageVault.open({ dataDir: dir, safeStorage: safe, platform: 'linux' });
    expect(await vault.get(RUNNER)).toBeNull();
    await vault.set(RUNNER, new Secret(SECRET));
    await vault.set('bitbucket:acme', new Secret('made-up-api-token-0123456789'));

    const again = await SafeStorageVault.open({ dataDir: dir, safeStorage: safe, platform: 'linux' });
    expect((await again.get(RUNNER.toUpperCase()))?.reveal()).toBe(SECRET);
    expect(readdirSync(dir)).toEqual([SAFE_STORAGE_FILE]);
    expect(statSync(join(dir, SAFE_STORAGE_FILE)).mode & 0o777).toBe(0o600);

    expect(await again.delete(RUNNER)).toBe(true);
    expect(await again.delete(RUNNER)).toBe(false);
    expect(await again.get(RUNNER)).toBeNull();
    expect((await again.get('bitbucket:acme'))?.reveal()).toBe('made-up-api-token-0123456789');
  });

  it('writes no plain-text secret, in any encoding, to its file', async () => {
    const dir = dataDir();
    const vault = await SafeStorageVault.open({ dataDir: dir, safeStorage: new StandInSafeStorage(), platform: 'linux' });
    await vault.set(RUNNER, new Secret(SECRET));
    const text = readFileSync(join(dir, SAFE_STORAGE_FILE), 'utf8');
    expect(text).toContain(RUNNER);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(Buffer.from(SECRET).toString('base64'));
    expect(text).not.toContain(Buffer.from(SECRET).toString('hex'));
    expect(JSON.parse(text)).toMatchObject({ version: 1, service: 'runner-tray', storageBackend: 'gnome_libsecret' });
  });

  it('moves a corrupt file aside, reports where, and never quotes its content', async () => {
    const dir = dataDir();
    const file = join(dir, SAFE_STORAGE_FILE);
    writeFileSync(file, `{"version":1,"secrets":{"${RUNNER}":"${SECRET}"`, { mode: 0o600 });
    const err = await refusal(SafeStorageVault.open({ dataDir: dir, safeStorage: new StandInSafeStorage(), platform: 'linux' }));
    expect(err.code).toBe('VAULT_CORRUPT');
    const backups = readdirSync(dir).filter((n) => n.startsWith(`${SAFE_STORAGE_FILE}.corrupt-`));
    expect(backups).toHaveLength(1);
    expect(err.message).toContain(join(dir, backups[0]!));
    expect(err.message).not.toContain(SECRET);
    expect(readFileSync(join(dir, backups[0]!), 'utf8')).toContain(SECRET);
    // Afterwards the vault starts empty instead of failing for ever.
    const fresh = await SafeStorageVault.open({ dataDir: dir, safeStorage: new StandInSafeStorage(), platform: 'linux' });
    expect(await fresh.get(RUNNER)).toBeNull();
  });

  it('a secret the keyring can no longer decrypt is reported, and the file is left as it was', async () => {
    const dir = dataDir();
    const before = await SafeStorageVault.open({ dataDir: dir, safeStorage: new StandInSafeStorage('kwallet5'), platform: 'linux' });
    await before.set(RUNNER, new Secret(SECRET));
    const content = readFileSync(join(dir, SAFE_STORAGE_FILE), 'utf8');
    // Another keyring (another key): what happens after switching desktops or resetting the keyring.
    const after = await SafeStorageVault.open({ dataDir: dir, safeStorage: new StandInSafeStorage('gnome_libsecret'), platform: 'linux' });
    const err = await refusal(after.get(RUNNER));
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toMatch(/KWallet \(kwallet5\)/);
    expect(err.message).toMatch(/add the runner again/);
    expect(readFileSync(join(dir, SAFE_STORAGE_FILE), 'utf8')).toBe(content);
  });

  it('refuses a file other users can read', async () => {
    const dir = dataDir();
    writeFileSync(join(dir, SAFE_STORAGE_FILE), '{}', { mode: 0o644 });
    chmodSync(join(dir, SAFE_STORAGE_FILE), 0o644);
    const err = await refusal(SafeStorageVault.open({ dataDir: dir, safeStorage: new StandInSafeStorage(), platform: 'linux' }));
    expect(err.message).toContain(`chmod 600 '${join(dir, SAFE_STORAGE_FILE)}'`);
  });
});
