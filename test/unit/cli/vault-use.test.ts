/**
 * `runner-tray vault use file|keyring` as a user runs it (the built CLI, no D-Bus session, so no
 * keyring): the choice is explicit, proven before it is remembered, RUNNER_TRAY_VAULT still wins,
 * and a change with secrets already stored is refused, naming who holds them.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../support/cli.js';
import { command, IDS } from '../../support/pastes.js';

const root = mkdtempSync(join(tmpdir(), 'rt-vault-use-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function world(extra: NodeJS.ProcessEnv = {}): { env: NodeJS.ProcessEnv; dataDir: string } {
  const dataDir = join(root, `data-${++n}`);
  // No DBUS_SESSION_BUS_ADDRESS: the Secret Service cannot be reached, as over SSH or in systemd.
  return { dataDir, env: { PATH: process.env.PATH, HOME: root, RUNNER_TRAY_HOME: dataDir, DOCKER_HOST: `unix://${join(root, 'none.sock')}`, ...extra } };
}
const settingsOf = (dataDir: string) => JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { vault?: string; runners: unknown[] };

describe('runner-tray vault use', () => {
  it('remembers the file vault, says plainly it is not encrypted, and later commands use it', { timeout: 60_000 }, async () => {
    const { env, dataDir } = world();
    const before = await runCli(['add', '--name', 'before-choice'], { env, stdin: command() });
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(/Cannot probe the OS keyring/);
    expect(before.stderr).toContain('never falls back');

    const chosen = await runCli(['vault', 'use', 'file'], { env });
    expect(chosen.code).toBe(0);
    expect(chosen.stdout).toMatch(/mode 0600\), not encrypted/);
    expect(chosen.stdout).toContain(join(dataDir, 'secrets.json'));
    expect(settingsOf(dataDir).vault).toBe('file');

    const shown = await runCli(['vault'], { env });
    expect(shown.stdout).toMatch(/^file \(chosen by settings\)/);
    const added = await runCli(['add', '--name', 'after-choice'], { env, stdin: command() });
    expect(added.code).toBe(0);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain(IDS.secret);
    for (const r of [before, chosen, shown, added]) expect(r.stdout + r.stderr).not.toContain(IDS.secret);
  });

  it('refuses to switch while a runner keeps its secret in the current vault, naming it; nothing changes', { timeout: 60_000 }, async () => {
    const { env, dataDir } = world();
    expect((await runCli(['vault', 'use', 'file'], { env })).code).toBe(0);
    expect((await runCli(['add', '--name', 'holder'], { env, stdin: command() })).code).toBe(0);
    const refused = await runCli(['vault', 'use', 'keyring'], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Not switching to the OS keyring: runner "holder" keeps its secrets in the file vault/);
    expect(refused.stderr).toContain('runner-tray remove');
    expect(settingsOf(dataDir).vault).toBe('file');
    expect(refused.stdout + refused.stderr).not.toContain(IDS.secret);
  });

  it('does not remember a keyring that cannot be used', { timeout: 60_000 }, async () => {
    const { env, dataDir } = world();
    const r = await runCli(['vault', 'use', 'keyring'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Cannot probe the OS keyring/);
    expect(settingsOf(dataDir).vault).toBeUndefined();
  });

  it('RUNNER_TRAY_VAULT keeps precedence: a different choice is refused, naming the variable', { timeout: 60_000 }, async () => {
    const { env, dataDir } = world({ RUNNER_TRAY_VAULT: 'keyring' });
    const r = await runCli(['vault', 'use', 'file'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/RUNNER_TRAY_VAULT=keyring is set for this process and wins/);
    // Refused before settings are even read: no choice was written.
    expect(existsSync(join(dataDir, 'settings.json')) ? settingsOf(dataDir).vault : undefined).toBeUndefined();
  });

  it('says how to use it for anything else', async () => {
    const r = await runCli(['vault', 'use', 'somewhere'], { env: world().env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/runner-tray vault use file\|keyring/);
  });
});
