/**
 * An advisory lock between our own processes (the CLI and a running app or `serve`) on one
 * data file: `<file>.lock`, holding "<pid> <epoch ms>" from its first byte (written to a temp
 * file and hard-linked into place, which fails if the lock exists), 0600.
 * A lock whose pid is gone, or that is older than staleMs, is taken over, so a crashed
 * writer cannot block the others for good. Hold it only around a read-modify-write.
 */
import { closeSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { storageWrite, storageWriteSync, type WriteTarget } from './storage-error.js';

export interface FileLockOptions {
  /** How long to wait for another process's lock before giving up. Default 10 s. */
  timeoutMs?: number;
  /** A lock older than this is treated as abandoned even if its pid lives (pid reuse, hung writer). Default 30 s. */
  staleMs?: number;
}

export class FileLockTimeoutError extends Error {
  readonly code = 'FILE_LOCK_TIMEOUT';
  constructor(
    readonly lockPath: string,
    waitedMs: number,
    holder: string,
  ) {
    super(
      `Timed out after ${waitedMs} ms waiting for the lock ${lockPath} (held by ${holder}). ` +
        'Another Runner Tray process is writing the same file; try again. If no Runner Tray process is running, delete the lock file.',
    );
    this.name = 'FileLockTimeoutError';
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_STALE_MS = 30_000;
const MAX_BACKOFF_MS = 50;
/**
 * Our locks are never empty, but an older Runner Tray created the file first and wrote its pid
 * after (and left it empty when that write failed on a full disk). Such a lock is abandoned once
 * it is older than the instant between those two calls; a second is ample.
 */
const EMPTY_LOCK_GRACE_MS = 1_000;

export function lockPathFor(file: string): string {
  return `${file}.lock`;
}

function lockTarget(file: string): WriteTarget {
  return { path: lockPathFor(file), what: `the lock for ${path.basename(file)}`, left: 'no lock file was left behind' };
}

export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T> {
  const lockPath = lockPathFor(file);
  const { timeoutMs = DEFAULT_TIMEOUT_MS, staleMs = DEFAULT_STALE_MS } = options;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (await storageWrite(lockTarget(file), () => createExclusive(lockPath, lockContent()))) break;
    const holder = await readHolder(lockPath);
    if (holder && isStale(holder, staleMs)) {
      await removeIfUnchanged(lockPath, holder.text);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new FileLockTimeoutError(lockPath, waited, describeHolder(holder));
    await new Promise((r) => setTimeout(r, backoff(attempt)));
  }
  try {
    return await fn();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

/** For conf, whose reads and writes are synchronous: waits by blocking this thread (briefly, bounded). */
export function withFileLockSync<T>(file: string, fn: () => T, options: FileLockOptions = {}): T {
  const lockPath = lockPathFor(file);
  const { timeoutMs = DEFAULT_TIMEOUT_MS, staleMs = DEFAULT_STALE_MS } = options;
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    if (storageWriteSync(lockTarget(file), () => createExclusiveSync(lockPath, lockContent()))) break;
    const holder = readHolderSync(lockPath);
    if (holder && isStale(holder, staleMs)) {
      removeIfUnchangedSync(lockPath, holder.text);
      continue;
    }
    const waited = Date.now() - started;
    if (waited >= timeoutMs) throw new FileLockTimeoutError(lockPath, waited, describeHolder(holder));
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, backoff(attempt));
  }
  try {
    return fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      /* already taken over as stale */
    }
  }
}

// link(2) fails with these where the file system has no hard links (FAT, some network shares).
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function tempNameFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Creates `file` holding `text`, or answers false if it exists. Readers never see it empty:
 * the text is written to a temp file first, and a failed write (a full disk) leaves nothing.
 */
export async function createExclusive(file: string, text: string): Promise<boolean> {
  const tmp = tempNameFor(file);
  try {
    await writeFile(tmp, text, { flag: 'wx', mode: 0o600 });
    try {
      await link(tmp, file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(code)) throw e;
    }
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  // Without hard links: create in place, and never leave it empty if the write fails.
  let fh;
  try {
    fh = await open(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    await fh.writeFile(text, 'utf8');
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw e;
  }
  await fh.close();
  return true;
}

export function createExclusiveSync(file: string, text: string): boolean {
  const tmp = tempNameFor(file);
  try {
    writeFileSync(tmp, text, { flag: 'wx', mode: 0o600 });
    try {
      linkSync(tmp, file);
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') return false;
      if (!NO_HARD_LINKS.has(code)) throw e;
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      /* never created */
    }
  }
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  try {
    writeSync(fd, text);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(file);
    } catch {
      /* best effort */
    }
    throw e;
  }
  closeSync(fd);
  return true;
}

interface Holder {
  text: string;
  pid: number | null;
  since: number;
}

function lockContent(): string {
  return `${process.pid} ${Date.now()}\n`;
}

function parseHolder(text: string, mtimeMs: number): Holder {
  const m = /^(\d+) (\d+)\s*$/.exec(text);
  // An empty lock (an older Runner Tray's, see EMPTY_LOCK_GRACE_MS): judged by its mtime.
  return m ? { text, pid: Number(m[1]), since: Number(m[2]) } : { text, pid: null, since: mtimeMs };
}

async function readHolder(lockPath: string): Promise<Holder | null> {
  try {
    const [text, st] = await Promise.all([readFile(lockPath, 'utf8'), stat(lockPath)]);
    return parseHolder(text, st.mtimeMs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function readHolderSync(lockPath: string): Holder | null {
  try {
    return parseHolder(readFileSync(lockPath, 'utf8'), statSync(lockPath).mtimeMs);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

function isStale(holder: Holder, staleMs: number): boolean {
  if (holder.pid === null) return Date.now() - holder.since > Math.min(staleMs, EMPTY_LOCK_GRACE_MS);
  if (Date.now() - holder.since > staleMs) return true;
  return holder.pid !== process.pid && !isProcessAlive(holder.pid);
}

// Re-reading just before the unlink narrows (cannot close) the window in which two waiters
// both judge the same lock stale and the slower one removes the faster one's fresh lock.
async function removeIfUnchanged(lockPath: string, seen: string): Promise<void> {
  const now = await readFile(lockPath, 'utf8').catch(() => null);
  if (now === seen) await unlink(lockPath).catch(() => undefined);
}

function removeIfUnchangedSync(lockPath: string, seen: string): void {
  let now: string;
  try {
    now = readFileSync(lockPath, 'utf8');
  } catch {
    return;
  }
  if (now !== seen) return;
  try {
    unlinkSync(lockPath);
  } catch {
    /* someone else removed it */
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
export function isProcessAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 2 + attempt * 3) + Math.random() * 5;
}

function describeHolder(holder: Holder | null): string {
  if (!holder) return 'a process that just released it';
  return holder.pid === null ? 'an older Runner Tray that has not written its pid yet' : `pid ${holder.pid} since ${new Date(holder.since).toISOString()}`;
}
