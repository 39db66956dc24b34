import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../src/shared/secret.js';
import { KeyringVault } from '../../src/main/vault/keyring-vault.js';
import { bitbucketTokenKey } from '../../src/main/vault/keys.js';
import { openVault } from '../../src/main/vault/select-vault.js';

// Runs against the real Secret Service: `npm test` wraps vitest in dbus-run-session
// with an unlocked gnome-keyring (test/run-all.sh).
const run = promisify(execFile);
const RUNNER = '{7d1c2b3a-4e5f-4a6b-9c8d-0e1f2a3b4c5d}';
const fakeSecret = () => `test-only-${randomBytes(24).toString('base64url')}`;

/** libsecret's own client: proves the entry really is in the Secret Service, under our service name. */
async function secretTool(...args: string[]): Promise<string> {
  try {
    return (await run('secret-tool', args)).stdout;
  } catch (e) {
    return (e as { stdout?: string }).stdout ?? '';
  }
}

describe('keyring vault against gnome-keyring (real Secret Service)', () => {
  it('opens through openVault by default (the probe leaves nothing behind)', async () => {
    const vault = await openVault({ env: {}, dataDir: '/nonexistent-runner-tray-data' });
    expect(vault.backend).toBe('keyring');
    expect(vault.location).toMatch(/Secret Service.*service "runner-tray"/);
    expect(await secretTool('search', '--all', 'service', 'runner-tray')).toBe('');
  });

  it('stores, reads and deletes a runner secret under service runner-tray, account = the braced UUID', async () => {
    const vault = await KeyringVault.open();
    const secret = fakeSecret();
    await vault.set(RUNNER, new Secret(secret));

    expect(await secretTool('lookup', 'service', 'runner-tray', 'username', RUNNER)).toBe(secret);
    const got = await vault.get(RUNNER.toUpperCase());
    expect(got?.reveal()).toBe(secret);
    expect(String(got)).not.toContain(secret);

    const rotated = fakeSecret();
    await vault.set(RUNNER, new Secret(rotated));
    expect((await vault.get(RUNNER))?.reveal()).toBe(rotated);
    expect((await secretTool('search', '--all', 'service', 'runner-tray')).match(/^\[/gm)).toHaveLength(1);

    expect(await vault.delete(RUNNER)).toBe(true);
    expect(await vault.delete(RUNNER)).toBe(false);
    expect(await vault.get(RUNNER)).toBeNull();
    expect(await secretTool('lookup', 'service', 'runner-tray', 'username', RUNNER)).toBe('');
  });

  it('keeps the Bitbucket API token as bitbucket:<workspace>', async () => {
    const vault = await KeyringVault.open();
    const token = fakeSecret();
    await vault.set(bitbucketTokenKey('acme-team'), new Secret(token));
    expect(await secretTool('lookup', 'service', 'runner-tray', 'username', 'bitbucket:acme-team')).toBe(token);
    expect(await vault.delete('bitbucket:acme-team')).toBe(true);
  });
});
