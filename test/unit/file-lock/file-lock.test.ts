import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileLockTimeoutError, lockPathFor, withFileLock, withFileLockSync } from '../../../src/main/file-lock.js';

const child = path.resolve('test/support/concurrent-writer-child.ts');
// tsx itself, not through npx: npx may print npm's update notice on stderr, which is not the writer's.
const TSX = path.resolve('node_modules/.bin/tsx');
const WRITERS = 4;
const EACH = 10;

function runWriter(kind: 'settings' | 'vault', dataDir: string, first: number): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(TSX, [child, kind, dataDir, String(first), String(EACH)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, err }));
  });
}

async function runWriters(kind: 'settings' | 'vault', dataDir: string): Promise<void> {
  const results = await Promise.all(Array.from({ length: WRITERS }, (_, i) => runWriter(kind, dataDir, i * EACH)));
  for (const r of results) expect(r.err).toBe('');
  expect(results.map((r) => r.code)).toEqual(Array(WRITERS).fill(0));
}

const expectedNumbers = Array.from({ length: WRITERS * EACH }, (_, n) => n);
const numberOf = (uuid: string) => Number(uuid.replace(/[{}]/g, '').split('-').pop());

describe('cross-process lock on the data files (real child processes)', () => {
  it(`keeps all ${WRITERS * EACH} runner records when ${WRITERS} processes add ${EACH} each to settings.json at once`, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rt-lock-settings-'));
    await runWriters('settings', dataDir);
    const doc = JSON.parse(await readFile(path.join(dataDir, 'settings.json'), 'utf8')) as { runners: { spec: { runnerUuid: string } }[] };
    expect(doc.runners.map((r) => numberOf(r.spec.runnerUuid)).sort((a, b) => a - b)).toEqual(expectedNumbers);
    expect(existsSync(path.join(dataDir, 'settings.json.lock'))).toBe(false);
  }, 120_000);

  it(`keeps all ${WRITERS * EACH} secrets when ${WRITERS} processes add ${EACH} each to the file vault at once`, async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'rt-lock-vault-'));
    await runWriters('vault', dataDir);
    const doc = JSON.parse(await readFile(path.join(dataDir, 'secrets.json'), 'utf8')) as { secrets: Record<string, string> };
    expect(
      Object.keys(doc.secrets)
        .map(numberOf)
        .sort((a, b) => a - b),
    ).toEqual(expectedNumbers);
    expect(existsSync(path.join(dataDir, 'secrets.json.lock'))).toBe(false);
  }, 120_000);
});

describe('withFileLock', () => {
  async function deadPid(): Promise<number> {
    const p = spawn(process.execPath, ['-e', '']);
    await new Promise((r) => p.on('exit', r));
    return p.pid!;
  }

  it('takes over a lock left by a process that has died', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-lock-'));
    const file = path.join(dir, 'data.json');
    await writeFile(lockPathFor(file), `${await deadPid()} ${Date.now()}\n`);
    expect(await withFileLock(file, async () => 'ran', { timeoutMs: 2_000 })).toBe('ran');
    expect(withFileLockSync(file, () => 'ran too', { timeoutMs: 2_000 })).toBe('ran too');
    await writeFile(lockPathFor(file), `${await deadPid()} ${Date.now()}\n`);
    expect(withFileLockSync(file, () => 'sync took it', { timeoutMs: 2_000 })).toBe('sync took it');
    expect(existsSync(lockPathFor(file))).toBe(false);
  });

  it('takes over a lock older than staleMs even when its pid is alive', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-lock-'));
    const file = path.join(dir, 'data.json');
    await writeFile(lockPathFor(file), `${process.ppid} ${Date.now() - 60_000}\n`);
    expect(await withFileLock(file, async () => 'ran', { timeoutMs: 2_000, staleMs: 30_000 })).toBe('ran');
  });

  it('gives up on a lock held by a live process with an error naming the lock file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-lock-'));
    const file = path.join(dir, 'data.json');
    const lock = lockPathFor(file);
    await writeFile(lock, `${process.ppid} ${Date.now()}\n`);
    let ran = false;
    const err = await withFileLock(file, async () => (ran = true), { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileLockTimeoutError);
    expect((err as Error).message).toContain(lock);
    expect((err as Error).message).toContain(`pid ${process.ppid}`);
    expect(() => withFileLockSync(file, () => (ran = true), { timeoutMs: 300 })).toThrow(lock);
    expect(ran).toBe(false);
    // The holder's lock is not ours to remove.
    expect(await readFile(lock, 'utf8')).toContain(String(process.ppid));
  });

  it('releases the lock when the work throws, and writes the lock 0600 with pid and time while held', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-lock-'));
    const file = path.join(dir, 'data.json');
    const seen = await withFileLock(file, async () => {
      const st = await stat(lockPathFor(file));
      return { mode: st.mode & 0o777, text: await readFile(lockPathFor(file), 'utf8') };
    });
    expect(seen.mode).toBe(0o600);
    expect(seen.text).toMatch(new RegExp(`^${process.pid} \\d+\\n$`));
    await expect(
      withFileLock(file, async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(() =>
      withFileLockSync(file, () => {
        throw new Error('bang');
      }),
    ).toThrow('bang');
    expect(existsSync(lockPathFor(file))).toBe(false);
  });

  it('takes an empty lock (an older Runner Tray died before writing its pid) at once once it is a second old', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-lock-'));
    const file = path.join(dir, 'data.json');
    const old = new Date(Date.now() - 60_000);
    await writeFile(lockPathFor(file), '');
    await utimes(lockPathFor(file), old, old);
    let started = Date.now();
    expect(await withFileLock(file, async () => 'ran', { timeoutMs: 10_000 })).toBe('ran');
    expect(Date.now() - started).toBeLessThan(500);
    await writeFile(lockPathFor(file), '');
    await utimes(lockPathFor(file), old, old);
    started = Date.now();
    expect(withFileLockSync(file, () => 'ran too', { timeoutMs: 10_000 })).toBe('ran too');
    expect(Date.now() - started).toBeLessThan(500);
    // A fresh empty one may be an older writer between its create and its write: waited for, briefly.
    await writeFile(lockPathFor(file), '');
    started = Date.now();
    expect(await withFileLock(file, async () => 'waited', { timeoutMs: 10_000 })).toBe('waited');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(existsSync(lockPathFor(file))).toBe(false);
  });

  it('leaves no temp file behind, taken or refused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-lock-'));
    const file = path.join(dir, 'data.json');
    await withFileLock(file, async () => undefined);
    withFileLockSync(file, () => undefined);
    await writeFile(lockPathFor(file), `${process.ppid} ${Date.now()}\n`);
    await withFileLock(file, async () => undefined, { timeoutMs: 100 }).catch(() => undefined);
    expect(await readdir(dir)).toEqual(['data.json.lock']);
  });
});
