/**
 * The built CLI on data directories that cannot be written: a real tmpfs that is full, a real
 * read-only bind mount, a directory the user may not write (run as nobody), one others can read.
 * Each must give a sentence naming the path and the fix, leave no lock behind, and let reading
 * work; once the fault is gone the next command succeeds at once. The tests run as root (mounts).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import { cliEnv, runCli, type CliRun } from '../support/cli.js';
import { ALL_SECRETS, IDS, paste } from '../support/pastes.js';

const PASTE = paste('wizard-oneline-workspace.txt');
const NOBODY = 65534;

const scratch = mkdtempSync(join(tmpdir(), 'rt-storage-'));
const mounts: string[] = [];
const runs: CliRun[] = [];

function mount(...args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe' });
}

function tmpfs(sizeKb: number): string {
  const dir = mkdtempSync(join(scratch, 'tmpfs-'));
  mount('-t', 'tmpfs', '-o', `size=${sizeKb}k,mode=0700`, 'tmpfs', dir);
  mounts.push(dir);
  return dir;
}

function readOnlyView(dir: string): string {
  const view = mkdtempSync(join(scratch, 'ro-'));
  mount('--bind', dir, view);
  mounts.push(view);
  mount('-o', 'remount,bind,ro', view);
  return view;
}

/** Writes zeros until the file system says ENOSPC. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

function newDataDir(): string {
  const dir = join(mkdtempSync(join(scratch, 'home-')), 'data');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

async function cli(dataDir: string, args: string[], stdin?: string, as?: { uid: number; gid: number }): Promise<CliRun & { ms: number }> {
  const started = Date.now();
  const run = await runCli(args, { env: cliEnv(dataDir, inject('dockerSocket')), timeoutMs: 90_000, ...(stdin === undefined ? {} : { stdin }), ...as });
  runs.push(run);
  return { ...run, ms: Date.now() - started };
}

/** Lock files and temp files: what a failed write must not leave. */
const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp'));

const listed = (run: CliRun) => (JSON.parse(run.stdout) as Array<{ runnerUuid: string }>).map((r) => r.runnerUuid);

afterAll(() => {
  for (const dir of mounts.reverse()) execFileSync('umount', [dir]);
  rmSync(scratch, { recursive: true, force: true });
  for (const run of runs) {
    for (const s of ALL_SECRETS) {
      expect(run.stdout).not.toContain(s);
      expect(run.stderr).not.toContain(s);
    }
  }
});

describe('a full disk (real tmpfs)', () => {
  let disk: string;
  let dataDir: string;

  beforeAll(() => {
    disk = tmpfs(512);
    dataDir = join(disk, 'data');
    mkdirSync(dataDir, { mode: 0o700 });
    fill(join(disk, 'filler'));
  });

  it('add says the disk is full, where, and what to do, and leaves no lock', async () => {
    const run = await cli(dataDir, ['add'], PASTE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`the disk holding ${dataDir} is full (ENOSPC: no space left on device)`);
    expect(run.stderr).toContain(`Free some space there (df -h '${dataDir}'`);
    expect(run.stderr).toContain('no lock file was left behind');
    expect(run.stderr).not.toContain('no space left on device, write');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(leftovers(dataDir)).toEqual([]);
  });

  it('once space is freed, the next add succeeds at once and list shows the runner', async () => {
    rmSync(join(disk, 'filler'));
    const run = await cli(dataDir, ['add'], PASTE);
    expect(run.stderr).not.toContain('lock');
    expect(run.code).toBe(0);
    // Before the fix it waited 10 s on the empty lock and failed; what remains is Node's start-up.
    expect(run.ms).toBeLessThan(8_000);
    expect(listed(await cli(dataDir, ['list', '--json']))).toEqual([IDS.runner]);
    expect(leftovers(dataDir)).toEqual([]);
  });
});

it('settings: when the lock still fits but the new file does not, the sentence names settings.json and the file stays as it was', async () => {
  const disk = tmpfs(128);
  const store = SettingsStore.open(join(disk, 'data'));
  store.update({ ui: { theme: 'dark' } });
  const before = readFileSync(store.path, 'utf8');
  // Fill page by page, then free one page: room for the lock, not for a 10 KiB settings file.
  let pages = 0;
  try {
    for (; ; pages++) writeFileSync(join(disk, `page-${pages}`), Buffer.alloc(4096));
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
  rmSync(join(disk, 'page-0'));
  const watched = Array.from({ length: 400 }, (_, i) => `repository-number-${i}`);
  expect(() => store.update({ bitbucket: { workspace: 'acme', authKind: 'bearer', watchedRepositories: watched } })).toThrow(
    `Cannot write settings (${store.path}): the disk holding ${join(disk, 'data')} is full (ENOSPC: no space left on device)`,
  );
  expect(readFileSync(store.path, 'utf8')).toBe(before);
  // conf's writer (atomically) removes its temp file with an asynchronous unlink.
  await new Promise((r) => setTimeout(r, 200));
  expect(readdirSync(join(disk, 'data'))).toEqual(['settings.json']);
});

it('an empty lock left by an older Runner Tray is stale at once, not after 30 s', async () => {
  const dataDir = newDataDir();
  for (const name of ['settings.json.lock', 'secrets.json.lock']) {
    writeFileSync(join(dataDir, name), '');
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(join(dataDir, name), aMinuteAgo, aMinuteAgo);
  }
  const run = await cli(dataDir, ['add'], PASTE);
  expect(run.stderr).not.toContain('lock');
  expect(run.code).toBe(0);
  expect(run.ms).toBeLessThan(8_000);
  expect(leftovers(dataDir)).toEqual([]);
});

describe('a read-only data directory (real read-only bind mount)', () => {
  let dataDir: string;
  let readOnly: string;

  beforeAll(async () => {
    dataDir = newDataDir();
    expect((await cli(dataDir, ['add'], PASTE)).code).toBe(0);
    readOnly = readOnlyView(dataDir);
  });

  it('list and status read it without taking a lock', async () => {
    const list = await cli(readOnly, ['list', '--json']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect(listed(list)).toEqual([IDS.runner]);
    const status = await cli(readOnly, ['status', IDS.runner]);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(IDS.runner);
  });

  it('add says EROFS in words, names the directory and the fix, and changes nothing', async () => {
    const before = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    const run = await cli(readOnly, ['add', '--replace', '--name', 'Renamed'], PASTE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${readOnly} is on a read-only file system (EROFS). Remount it read-write, or set RUNNER_TRAY_HOME to a writable directory`);
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).toBe(before);
    expect(leftovers(dataDir)).toEqual([]);
  });
});

it('a data directory the user may not write: add names the chown fix (run as nobody)', async () => {
  const dataDir = newDataDir();
  // Its parents are root's 0700 temp dirs: let nobody reach the data directory itself.
  chmodSync(scratch, 0o711);
  chmodSync(join(dataDir, '..'), 0o711);
  chownSync(dataDir, NOBODY, NOBODY);
  chmodSync(dataDir, 0o500);
  const run = await cli(dataDir, ['add'], PASTE, { uid: NOBODY, gid: NOBODY });
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('permission denied (EACCES)');
  expect(run.stderr).toContain(`must be writable by the user running Runner Tray (uid ${NOBODY}). Fix: chown ${NOBODY} '${dataDir}' && chmod 700 '${dataDir}'`);
  expect(readdirSync(dataDir)).toEqual([]);
});

describe('the file vault and the mode of its directory', () => {
  it('refuses a data directory others can read (0755) with the exact chmod 700 fix, and works after it', async () => {
    const dataDir = newDataDir();
    chmodSync(dataDir, 0o755);
    const run = await cli(dataDir, ['add'], PASTE);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${dataDir}, can be read by other users (mode 0755)`);
    expect(run.stderr).toContain(`Fix: chmod 700 '${dataDir}'`);
    expect(readdirSync(dataDir)).not.toContain('secrets.json');
    chmodSync(dataDir, 0o700);
    expect((await cli(dataDir, ['add'], PASTE)).code).toBe(0);
  });
});
