import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/shared/secret.js';
import type { RunnerSpec } from '../../../src/shared/runner-command/types.js';
import { RUNNER_IMAGE } from '../../../src/shared/runner-command/types.js';
import { FileVault } from '../../../src/main/vault/file-vault.js';
import { SettingsError } from '../../../src/main/settings/errors.js';
import { settingsConfOptions, SettingsStore } from '../../../src/main/settings/settings-store.js';
import type { Settings } from '../../../src/main/settings/schema.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';

const ACCOUNT = '{3f2e1d0c-b9a8-4765-8432-10fedcba9876}';
const uuid = (n: number) => `{a1b2c3d4-e5f6-4a7b-8c9d-${String(n).padStart(12, '0')}}`;

function spec(n: number, extraEnv: Record<string, string> = {}): RunnerSpec {
  const runnerUuid = uuid(n);
  return {
    kind: 'workspace',
    accountUuid: ACCOUNT,
    repositoryUuid: null,
    runnerUuid,
    name: `runner-${runnerUuid.slice(1, -1)}`,
    image: RUNNER_IMAGE,
    oauthClientId: `clientid${n}`,
    workingDirectory: '/tmp',
    env: { ACCOUNT_UUID: ACCOUNT, RUNNER_UUID: runnerUuid, OAUTH_CLIENT_ID: `clientid${n}`, WORKING_DIRECTORY: '/tmp', ...extraEnv },
    binds: ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/containers:/var/lib/docker/containers:ro'],
    args: [],
  };
}
const record = (n: number, extraEnv?: Record<string, string>): RunnerRecord => ({
  spec: spec(n, extraEnv),
  displayName: `Runner ${n}`,
  addedAt: '2026-11-29T12:00:00.000Z',
});

const newDir = async () => path.join(await mkdtemp(path.join(tmpdir(), 'rt-settings-')), 'data');
const settingsPath = (dir: string) => path.join(dir, 'settings.json');
const readJson = async (dir: string) => JSON.parse(await readFile(settingsPath(dir), 'utf8')) as Settings;

function thrown(fn: () => unknown): SettingsError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return e as SettingsError;
  }
  throw new Error('expected a SettingsError');
}

describe('SettingsStore', () => {
  it('creates settings.json (version 1, no runners, mode 0600) in a 0700 data directory', async () => {
    const dir = await newDir();
    const store = SettingsStore.open(dir);
    expect(store.path).toBe(settingsPath(dir));
    expect(await readJson(dir)).toEqual({ version: 1, runners: [], stopsRecordedSince: expect.any(String) });
    expect((await stat(settingsPath(dir))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('opens a current file without writing it or waiting for the write lock (reading needs no lock)', async () => {
    const dir = await newDir();
    SettingsStore.open(dir).runners().put(record(1));
    const before = await stat(settingsPath(dir));
    // A live process (our parent) holds the write lock: a write would wait 10 s for it.
    await writeFile(`${settingsPath(dir)}.lock`, `${process.ppid} ${Date.now()}\n`);
    const started = Date.now();
    const store = SettingsStore.open(dir);
    expect(
      store
        .runners()
        .list()
        .map((r) => r.displayName),
    ).toEqual(['Runner 1']);
    expect(Date.now() - started).toBeLessThan(1_000);
    const after = await stat(settingsPath(dir));
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it('adds, replaces, finds (braces optional) and removes runners, persisting each change', async () => {
    const dir = await newDir();
    const runners = SettingsStore.open(dir).runners();
    runners.put(record(1));
    runners.put(record(2));
    runners.put({ ...record(1), displayName: 'Renamed' });

    const again = SettingsStore.open(dir).runners();
    expect(again.list().map((r) => r.displayName)).toEqual(['Renamed', 'Runner 2']);
    expect(again.get(uuid(2).slice(1, -1))?.spec).toEqual(spec(2));
    expect(again.remove(uuid(1))).toBe(true);
    expect(again.remove(uuid(1))).toBe(false);
    expect((await readJson(dir)).runners.map((r) => r.spec.runnerUuid)).toEqual([uuid(2)]);
  });

  it('updates bitbucket and ui; ui merges field by field, null removes a section', async () => {
    const dir = await newDir();
    const store = SettingsStore.open(dir);
    store.update({ bitbucket: { workspace: 'acme-team', email: 'dev@example.com', authKind: 'basic', watchedRepositories: ['acme-team/app'] } });
    store.update({ ui: { language: 'pl' } });
    store.update({ ui: { theme: 'dark' } });
    expect(SettingsStore.open(dir).get()).toMatchObject({ ui: { language: 'pl', theme: 'dark' }, bitbucket: { workspace: 'acme-team' } });
    store.update({ bitbucket: null });
    expect('bitbucket' in (await readJson(dir))).toBe(false);

    const connection = store.bitbucket();
    connection.write({ workspace: 'other-team', authKind: 'bearer', watchedRepositories: [] });
    expect(SettingsStore.open(dir).bitbucket().read()).toEqual({ workspace: 'other-team', authKind: 'bearer', watchedRepositories: [] });
    connection.write(null);
    expect(connection.read()).toBeNull();
  });

  it('rejects invalid values with a message naming each field, and leaves the file as it was', async () => {
    const dir = await newDir();
    const store = SettingsStore.open(dir);
    store.runners().put(record(1));
    const before = await readFile(settingsPath(dir), 'utf8');

    const bad = { ...record(2), spec: { ...spec(2), runnerUuid: 'not-a-uuid' } };
    const e1 = thrown(() => store.runners().put(bad));
    expect(e1.code).toBe('SETTINGS_INVALID');
    expect(e1.message).toMatch(/runners\[1\]\.spec\.runnerUuid: must be a UUID in braces/);

    const e2 = thrown(() => store.update({ ui: { language: 'de' as 'en' } }));
    expect(e2.message).toMatch(/ui\.language/);
    const e3 = thrown(() => store.update({ bitbucket: { workspace: 'Acme Team', authKind: 'basic', watchedRepositories: [] } }));
    expect(e3.message).toMatch(/bitbucket\.workspace: must be a Bitbucket workspace ID/);
    const e4 = thrown(() => store.runners().put({ ...record(1), spec: { ...spec(1), extra: 1 } as RunnerSpec }));
    expect(e4.message).toMatch(/runners\[0\]\.spec.*extra/);

    expect(await readFile(settingsPath(dir), 'utf8')).toBe(before);
  });

  it('refuses to store anything secret-looking — e.g. OAUTH_CLIENT_SECRET in a spec env — without echoing it', async () => {
    const dir = await newDir();
    const store = SettingsStore.open(dir);
    const secret = `test-only-${randomBytes(24).toString('base64url')}`;
    const e = thrown(() => store.runners().put(record(1, { OAUTH_CLIENT_SECRET: secret })));
    expect(e.code).toBe('SETTINGS_INVALID');
    expect(e.message).toMatch(/runners\[0\]\.spec\.env\.OAUTH_CLIENT_SECRET looks like a secret; secrets belong in the vault/);
    expect(e.message).not.toContain(secret);

    const secretEnvs: Record<string, string>[] = [{ BITBUCKET_API_TOKEN: 'x1' }, { DB_PASSWORD: 'x2' }];
    for (const env of secretEnvs) {
      expect(() => store.runners().put(record(2, env))).toThrow(/looks like a secret/);
    }
    // A Secret that slipped through JSON.stringify would be stored as the marker and lose the real value.
    const marker = JSON.parse(JSON.stringify({ v: new Secret(secret) })) as { v: string };
    expect(() => store.runners().put({ ...record(3), displayName: marker.v })).toThrow(/redaction marker/);
    expect(await readFile(settingsPath(dir), 'utf8')).not.toContain(secret);
    expect(store.runners().list()).toEqual([]);
  });

  it('validates writes made through conf directly too (the desktop app shares these options with electron-store)', async () => {
    const dir = await newDir();
    SettingsStore.open(dir);
    const conf = new Conf<Settings>(settingsConfOptions(dir));
    expect(() => conf.set('runners', [record(1, { OAUTH_CLIENT_SECRET: 'abcd-efgh' })])).toThrow(/looks like a secret/);
    expect(await readFile(settingsPath(dir), 'utf8')).not.toContain('abcd-efgh');
    conf.set('ui', { theme: 'light' });
    expect(SettingsStore.open(dir).get().ui).toEqual({ theme: 'light' });
  });

  it('keeps the runner secret only in the vault: settings.json and its directory never contain it', async () => {
    const dir = await newDir();
    const secret = `test-only-${randomBytes(24).toString('base64url')}`;
    const vault = await FileVault.open(path.join(dir, 'vault'));
    const store = SettingsStore.open(dir);
    const r = record(1, { RUNTIME_PREREQUISITES_ENABLED: 'true' });
    await vault.set(r.spec.runnerUuid, new Secret(secret));
    store.runners().put(r);
    store.update({ ui: { language: 'en' } });

    const text = await readFile(settingsPath(dir), 'utf8');
    expect(text).toContain(r.spec.runnerUuid);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('OAUTH_CLIENT_SECRET');
    expect((await vault.get(r.spec.runnerUuid))?.reveal()).toBe(secret);
  });

  it('migrates an unversioned (version 0) file to version 1 and writes it back', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(settingsPath(dir), JSON.stringify({ runners: [record(1)], ui: { theme: 'dark' } }), { mode: 0o600 });
    const store = SettingsStore.open(dir);
    expect(store.get()).toEqual({ version: 1, runners: [record(1)], ui: { theme: 'dark' } });
    expect((await readJson(dir)).version).toBe(1);

    const dir2 = await newDir();
    await mkdir(dir2, { recursive: true, mode: 0o700 });
    await writeFile(settingsPath(dir2), '{}');
    expect(SettingsStore.open(dir2).get()).toEqual({ version: 1, runners: [] });
  });

  it('refuses a file from a newer version with SETTINGS_TOO_NEW and leaves it byte for byte', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const text = JSON.stringify({ version: 2, runners: [], somethingNew: true });
    await writeFile(settingsPath(dir), text, { mode: 0o600 });
    const e = thrown(() => SettingsStore.open(dir));
    expect(e.code).toBe('SETTINGS_TOO_NEW');
    expect(e.message).toMatch(/settings version 2, written by a newer Runner Tray.*Upgrade/);
    expect(await readFile(settingsPath(dir), 'utf8')).toBe(text);
    expect(await readdir(dir)).toEqual(['settings.json']);
  });

  it('moves a corrupt file aside and reports SETTINGS_CORRUPT with the backup path; the next open starts empty', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const broken = '{"version": 1, "runners": [';
    await writeFile(settingsPath(dir), broken, { mode: 0o600 });

    const e = thrown(() => SettingsStore.open(dir));
    expect(e.code).toBe('SETTINGS_CORRUPT');
    expect(e.message).toMatch(/not valid JSON/);
    expect(e.backupPath).toMatch(/settings\.json\.corrupt-/);
    expect(e.message).toContain(e.backupPath!);
    expect(await readFile(e.backupPath!, 'utf8')).toBe(broken);
    expect(SettingsStore.open(dir).get()).toEqual({ version: 1, runners: [], stopsRecordedSince: expect.any(String) });
  });

  it('treats a well-formed file that breaks the schema as corrupt too, naming the field', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(settingsPath(dir), JSON.stringify({ version: 1, runners: [{ ...record(1), displayName: 42 }] }));
    const e = thrown(() => SettingsStore.open(dir));
    expect(e.code).toBe('SETTINGS_CORRUPT');
    expect(e.message).toMatch(/runners\[0\]\.displayName/);
  });

  it('notices a file broken by hand while open: backs it up and reports it on the next read', async () => {
    const dir = await newDir();
    const store = SettingsStore.open(dir);
    store.runners().put(record(1));
    await writeFile(settingsPath(dir), 'not json');
    const e = thrown(() => store.get());
    expect(e.code).toBe('SETTINGS_CORRUPT');
    expect(await readFile(e.backupPath!, 'utf8')).toBe('not json');
    expect(store.runners().list()).toEqual([]);
  });

  it('rejects two runners with the same UUID', async () => {
    const dir = await newDir();
    SettingsStore.open(dir);
    const conf = new Conf<Settings>(settingsConfOptions(dir));
    expect(() => conf.set('runners', [record(1), record(1)])).toThrow(/duplicates another runner/);
  });
});

it('settings.json stays private even when the umask is permissive', async () => {
  const dir = await newDir();
  const old = process.umask(0o000);
  try {
    SettingsStore.open(dir).update({ ui: { theme: 'dark' } });
  } finally {
    process.umask(old);
  }
  expect((await stat(settingsPath(dir))).mode & 0o777).toBe(0o600);
});
