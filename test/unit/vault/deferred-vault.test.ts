/**
 * The vault a host holds while none is usable yet: each use meets the real error (with its fix)
 * until the user's choice opens one, and the next use goes there; no restart, no silent pick.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { Secret } from '../../../src/shared/secret.js';
import { AppContext } from '../../../src/main/app-context.js';
import { chooseVault } from '../../../src/main/vault/vault-choice.js';
import { DeferredVault } from '../../../src/main/vault/deferred-vault.js';
import { FileVault } from '../../../src/main/vault/file-vault.js';
import { VaultError } from '../../../src/main/vault/types.js';

const root = mkdtempSync(join(tmpdir(), 'rt-deferred-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const KEY = '{0b3c2f1e-4444-4a2b-9c3d-000000000004}';
const SECRET = 'MadeUp-Deferred-Secret-Zx81Qw73Lp';

describe('DeferredVault', () => {
  it("fails with the opener's own error until it opens, then uses what opened", async () => {
    const dir = join(root, 'a');
    let usable = false;
    let opens = 0;
    const vault = new DeferredVault(
      async () => {
        opens++;
        if (!usable) throw new VaultError('VAULT_UNAVAILABLE', 'Cannot probe the OS keyring: no session bus.');
        return FileVault.open(dir);
      },
      () => (usable ? 'file' : 'keyring'),
    );
    await expect(vault.set(KEY, new Secret(SECRET))).rejects.toThrow(/Cannot probe the OS keyring/);
    expect(vault.backend).toBe('keyring');
    usable = true;
    await vault.set(KEY, new Secret(SECRET));
    expect((await vault.get(KEY))?.reveal()).toBe(SECRET);
    expect(vault.backend).toBe('file');
    expect(vault.location).toContain(join(dir, 'secrets.json'));
    expect(opens).toBe(3);
  });
});

describe('AppContext with a vault chosen after start-up', () => {
  it('the runners service it already built writes to the file vault once the user chooses it', async () => {
    const dataDir = join(root, 'b');
    // RUNNER_TRAY_VAULT unset and no session bus: the keyring cannot be opened. The keyring library
    // finds the bus through the process's own environment (npm test runs inside a D-Bus session).
    const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
    delete process.env.DBUS_SESSION_BUS_ADDRESS;
    onTestFinished(() => {
      if (bus !== undefined) process.env.DBUS_SESSION_BUS_ADDRESS = bus;
    });
    const ctx = new AppContext({ env: { RUNNER_TRAY_HOME: dataDir, HOME: root, PATH: process.env.PATH } });
    expect(ctx.vaultBackend()).toBe('keyring');
    await expect(ctx.vault()).rejects.toThrow(/keyring/i);
    // Built before the choice, as the host builds it at start-up.
    const runners = await ctx.runners();
    const choice = await chooseVault(ctx, 'file');
    expect(choice).toMatchObject({ backend: 'file', changed: true });
    expect(ctx.settings().get().vault).toBe('file');
    expect(ctx.vaultBackend()).toBe('file');
    expect((await ctx.vault()).backend).toBe('file');
    const { parseRunnerCommand } = await import('../../../src/shared/runner-command/parse.js');
    const { command, IDS } = await import('../../support/pastes.js');
    const parsed = parseRunnerCommand(command());
    await runners.add(parsed);
    expect((await (await ctx.vault()).get(IDS.runner))?.reveal()).toBe(IDS.secret);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    await ctx.close();
  }, 60_000);
});
