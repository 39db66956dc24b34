/**
 * One long-running host per data directory: `runner-tray serve` and the desktop app take
 * `<data dir>/serve.lock` before they start anything, so a second one says where the first runs
 * instead of supervising the same runners twice (Electron's single-instance lock only keeps two
 * desktop apps apart, not the app and a serve). The file holds the holder's pid, which host it is
 * and, once it listens, its dashboard address (never the token); it is removed on exit and taken
 * over when its holder is gone.
 */
import { unlinkSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { uptime } from 'node:os';
import path from 'node:path';
import { ensureDataDir } from './data-dir.js';
import { createExclusive, isProcessAlive } from './file-lock.js';
import { storageWrite, type WriteTarget } from './storage-error.js';

export const SERVE_LOCK_NAME = 'serve.lock';

export type HostKind = 'serve' | 'desktop';

export interface InstanceHolder {
  pid: number;
  startedAt: string;
  /** Absent in files written before the desktop app took the lock: a serve. */
  host?: HostKind;
  /** Set once the holder listens: its dashboard without the token, e.g. http://127.0.0.1:7391/ */
  url?: string;
  port?: number;
}

export class InstanceRunningError extends Error {
  readonly code = 'ALREADY_RUNNING';
  constructor(
    readonly holder: InstanceHolder,
    readonly lockPath: string,
  ) {
    super(holderMessage(holder, lockPath));
    this.name = 'InstanceRunningError';
  }
}

function holderMessage(holder: InstanceHolder, lockPath: string): string {
  const dir = path.dirname(lockPath);
  if (holder.host === 'desktop') {
    return (
      `The Runner Tray desktop app (pid ${holder.pid}) is already running on the data directory ${dir}, since ${holder.startedAt}, ` +
      `and supervises its runners. Use its tray icon and window, or quit it first (tray menu → Quit); ` +
      'a runner-tray serve beside it needs its own data directory (RUNNER_TRAY_HOME).'
    );
  }
  const where = holder.url ? `, with its dashboard at ${holder.url}` : ' (still starting, not listening yet)';
  return (
    `Another runner-tray serve (pid ${holder.pid}) is already running on the data directory ${dir}${where}, ` +
    `since ${holder.startedAt}. Use that one (its link with the token is in its output or journal), or stop it first (kill ${holder.pid}); ` +
    'a second serve, or the desktop app, needs its own data directory (RUNNER_TRAY_HOME).'
  );
}

export interface InstanceLock {
  readonly path: string;
  /** Records where this host listens, for the message a second one shows. */
  announce(where: { url: string; port: number }): Promise<void>;
  /** Removes the file if it is still ours. */
  release(): Promise<void>;
}

export interface InstanceLockOptions {
  /** Which host takes it (default serve): the message a second one shows depends on it. */
  host?: HostKind;
  /** A holder that has not announced an address within this long is taken to be gone. Default 2 min. */
  startupGraceMs?: number;
  /** Whether something listens at the holder's port (test seam; default: a TCP connect to 127.0.0.1). */
  isListening?: (port: number) => Promise<boolean>;
}

const DEFAULT_STARTUP_GRACE_MS = 120_000;

export async function acquireInstanceLock(dataDir: string, options: InstanceLockOptions = {}): Promise<InstanceLock> {
  const lockPath = path.join(dataDir, SERVE_LOCK_NAME);
  const target: WriteTarget = { path: lockPath, what: "serve's instance lock", left: 'no lock file was left behind' };
  await storageWrite({ path: dataDir, what: 'the data directory' }, () => ensureDataDir(dataDir));
  let mine: InstanceHolder = { pid: process.pid, startedAt: new Date().toISOString(), host: options.host ?? 'serve' };
  for (let attempt = 0; ; attempt++) {
    if (await storageWrite(target, () => createExclusive(lockPath, serialize(mine)))) break;
    const seen = await readFile(lockPath, 'utf8').catch(() => null);
    if (seen === null) continue; // released between our two calls
    const holder = parse(seen);
    if (holder && (await holderLives(holder, options))) throw new InstanceRunningError(holder, lockPath);
    // Gone (dead pid, nothing on its port, or unreadable): take it over unless someone else just did.
    if ((await readFile(lockPath, 'utf8').catch(() => null)) === seen) await unlink(lockPath).catch(() => undefined);
    if (attempt > 20) throw new Error(`Could not take ${lockPath}: it keeps changing. Is another runner-tray serve starting right now?`);
  }
  // A crash (uncaught error) still runs 'exit' handlers; SIGKILL leaves the file, taken over next time.
  const onExit = () => {
    try {
      unlinkSync(lockPath);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', onExit);
  return {
    path: lockPath,
    async announce(where) {
      mine = { ...mine, url: where.url, port: where.port };
      const tmp = `${lockPath}.${process.pid}.tmp`;
      await storageWrite(target, async () => {
        try {
          await writeFile(tmp, serialize(mine), { mode: 0o600 });
          await rename(tmp, lockPath);
        } catch (e) {
          await unlink(tmp).catch(() => undefined);
          throw e;
        }
      });
    },
    async release() {
      process.removeListener('exit', onExit);
      const now = parse((await readFile(lockPath, 'utf8').catch(() => null)) ?? '');
      if (now?.pid === process.pid) await unlink(lockPath).catch(() => undefined);
    },
  };
}

async function holderLives(holder: InstanceHolder, options: InstanceLockOptions): Promise<boolean> {
  if (holder.pid === process.pid || !isProcessAlive(holder.pid)) return false;
  // Written before this boot: its pid, if alive, is another program's now.
  const started = Date.parse(holder.startedAt);
  if (Number.isFinite(started) && started < Date.now() - uptime() * 1000) return false;
  // After a reboot the pid may belong to another program: a live serve also answers on its port.
  if (holder.port !== undefined) return (options.isListening ?? isListening)(holder.port);
  // The desktop app listens nowhere: its live pid since this boot is the answer.
  if (holder.host === 'desktop') return true;
  return Number.isFinite(started) && Date.now() - started < (options.startupGraceMs ?? DEFAULT_STARTUP_GRACE_MS);
}

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(2_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function serialize(holder: InstanceHolder): string {
  return `${JSON.stringify(holder)}\n`;
}

function parse(text: string): InstanceHolder | null {
  try {
    const doc = JSON.parse(text) as Partial<InstanceHolder> | null;
    if (typeof doc?.pid !== 'number' || !Number.isInteger(doc.pid) || doc.pid <= 0 || typeof doc.startedAt !== 'string') return null;
    const holder: InstanceHolder = { pid: doc.pid, startedAt: doc.startedAt };
    if (doc.host === 'serve' || doc.host === 'desktop') holder.host = doc.host;
    if (typeof doc.url === 'string' && /^http:\/\/127\.0\.0\.1:\d+\/$/.test(doc.url)) holder.url = doc.url;
    if (typeof doc.port === 'number' && Number.isInteger(doc.port)) holder.port = doc.port;
    return holder;
  } catch {
    return null;
  }
}
