/**
 * What a failed write of ours says to a person. Node's own text ("ENOSPC: no space left on
 * device, write") names neither the file nor the fix; every place that writes in the data
 * directory (settings, the file vault, their locks, serve's instance lock) turns the errno
 * codes a user can act on into one sentence with the path and what to do.
 */
import path from 'node:path';

export type StorageErrorCode = 'STORAGE_FULL' | 'STORAGE_READ_ONLY' | 'STORAGE_DENIED';

export class StorageError extends Error {
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    /** The file (or directory) that could not be written. */
    readonly path: string,
    /** The operating system's code, e.g. ENOSPC. */
    readonly errno: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

export interface WriteTarget {
  /** The file or directory being written. */
  path: string;
  /** What it is, for the sentence: "settings", "the file vault", "the lock for settings.json". */
  what: string;
  /** What a failed write left, said after the fix. Default: written atomically, so the file is as it was. */
  left?: string;
}

const CODES: Record<string, StorageErrorCode> = {
  ENOSPC: 'STORAGE_FULL',
  EDQUOT: 'STORAGE_FULL',
  EROFS: 'STORAGE_READ_ONLY',
  EACCES: 'STORAGE_DENIED',
  EPERM: 'STORAGE_DENIED',
};

/** A StorageError for the errno codes a user can fix; anything else (and our own errors) unchanged. */
export function toStorageError(e: unknown, target: WriteTarget): unknown {
  if (e instanceof StorageError) return e;
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  // Only the operating system's errors: they carry a numeric errno next to the code.
  if (typeof errno !== 'string' || typeof (e as NodeJS.ErrnoException).errno !== 'number') return e;
  const code = CODES[errno];
  return code === undefined ? e : new StorageError(code, sentence(code, errno, target), target.path, errno);
}

/** Runs a synchronous write, rethrowing an errno error as a StorageError for `target`. */
export function storageWriteSync<T>(target: WriteTarget, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw toStorageError(e, target);
  }
}

export async function storageWrite<T>(target: WriteTarget, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toStorageError(e, target);
  }
}

function sentence(code: StorageErrorCode, errno: string, { path: file, what, left = 'the file was left as it was' }: WriteTarget): string {
  const dir = path.dirname(file);
  const head = `Cannot write ${what} (${file})`;
  switch (code) {
    case 'STORAGE_FULL':
      return (
        `${head}: the disk holding ${dir} is full (${errno === 'EDQUOT' ? 'EDQUOT: your disk quota is used up' : 'ENOSPC: no space left on device'}). ` +
        `Free some space there (df -h '${dir}' shows how much is left), then run the command again; ${left}.`
      );
    case 'STORAGE_READ_ONLY':
      return (
        `${head}: ${dir} is on a read-only file system (EROFS). Remount it read-write, or set RUNNER_TRAY_HOME to a writable directory ` +
        '(list and status still work: reading needs no write).'
      );
    case 'STORAGE_DENIED': {
      const uid = process.getuid?.();
      const owner = uid === undefined ? 'you' : `uid ${uid}`;
      const fix = process.platform === 'win32' ? `give your user write access to ${dir}` : `chown ${uid ?? '$(id -u)'} '${dir}' && chmod 700 '${dir}'`;
      return (
        `${head}: permission denied (${errno}). ${dir} must be writable by the user running Runner Tray (${owner}). ` +
        `Fix: ${fix}, or set RUNNER_TRAY_HOME to a directory you own.`
      );
    }
  }
}
