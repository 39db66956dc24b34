/**
 * A secrets file only its owner can read: opened without following links and checked on the
 * descriptor itself, written atomically as a fresh 0600 file renamed over the old one.
 * Shared by the plain file vault and the desktop app's safeStorage vault, which must keep the
 * same promises about their files.
 *
 * Windows has no POSIX mode bits: with `posix: false` the mode and owner checks are skipped
 * and the file relies on the per-user ACL of %APPDATA%.
 */
import { constants } from 'node:fs';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { isProcessAlive } from '../file-lock.js';
import { toStorageError } from '../storage-error.js';
import { VaultError } from './types.js';

export interface PrivateFileOptions {
  posix: boolean;
  /** Names the owner in messages, e.g. "the file vault". */
  label: string;
}

/**
 * Others who can write the directory can swap our file for theirs. With `ownerOnly` (the plain
 * file vault, whose README promises a 0700 directory) others may not even list or enter it.
 */
export async function checkPrivateDirectory(dir: string, fileName: string, options: PrivateFileOptions & { ownerOnly?: boolean }): Promise<void> {
  if (!options.posix) return;
  const st = await stat(dir);
  if ((st.mode & 0o022) !== 0) {
    throw new VaultError(
      'VAULT_UNAVAILABLE',
      `The directory of ${options.label}, ${dir}, can be written by other users (mode ${octal(st.mode)}), ` +
        `so they could replace ${fileName}. Fix: chmod 700 '${dir}'`,
    );
  }
  if (options.ownerOnly && (st.mode & 0o077) !== 0) {
    throw new VaultError(
      'VAULT_UNAVAILABLE',
      `The directory of ${options.label}, ${dir}, can be read by other users (mode ${octal(st.mode)}); ${options.label} keeps its ` +
        `plain-text ${fileName} only in a directory of mode 0700. Fix: chmod 700 '${dir}'`,
    );
  }
}

/** The file's text, or null when it does not exist yet. */
export async function readPrivateFile(file: string, options: PrivateFileOptions): Promise<string | null> {
  try {
    const fh = await open(file, constants.O_RDONLY | (options.posix ? constants.O_NOFOLLOW : 0));
    try {
      checkFile(file, await fh.stat(), options);
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ELOOP') {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `${file} is a symbolic link; ${options.label} only uses a regular file it owns. ` +
          `Fix: replace the link with the file itself (mv the target to '${file}').`,
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new VaultError('VAULT_UNAVAILABLE', `Cannot read ${file}: permission denied. It must belong to the user running Runner Tray.`);
    }
    throw e;
  }
}

function checkFile(file: string, st: { uid: number; mode: number; isFile(): boolean }, options: PrivateFileOptions): void {
  if (!st.isFile()) {
    throw new VaultError('VAULT_UNAVAILABLE', `${file} is not a regular file. Move it away so Runner Tray can create ${options.label}'s file.`);
  }
  if (!options.posix) return;
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new VaultError(
      'VAULT_UNAVAILABLE',
      `${file} belongs to uid ${st.uid}, not to you (uid ${uid}); ${options.label} only trusts its own file. ` +
        `Fix: chown ${uid} '${file}' (and chmod 600 it), or remove it.`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw new VaultError(
      'VAULT_UNAVAILABLE',
      `${file} can be read or written by other users (mode ${octal(st.mode)}); ${options.label} requires 0600. ` +
        `Fix: chmod 600 '${file}' — and treat the secrets in it as exposed: rotate them in Bitbucket.`,
    );
  }
}

/** Write to a fresh 0600 temp file, flush, then rename over: readers see the old or the new file, never half of one. */
export async function writePrivateFile(file: string, text: string, options: PrivateFileOptions): Promise<void> {
  const dir = path.dirname(file);
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    const fh = await open(tmp, 'wx', 0o600);
    try {
      // The umask can only remove bits, but a fchmod makes 0600 certain.
      if (options.posix) await fh.chmod(0o600);
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    // A full disk, a read-only mount or a directory we may not write: the sentence names the fix.
    throw toStorageError(e, { path: file, what: options.label });
  }
  if (options.posix) await fsyncDir(dir);
}

/** Moves an unreadable file aside (never deletes it) and returns where it went. */
export async function backUpCorrupt(file: string, date = new Date()): Promise<string> {
  const backup = `${file}.corrupt-${timestamp(date)}`;
  await rename(file, backup);
  return backup;
}

/** A writer that crashed between creating and renaming its temp file leaves a copy of the secrets behind. */
export async function removeOrphanedTempFiles(dir: string, fileName: string): Promise<void> {
  const pattern = new RegExp(`^${fileName.replace(/\./g, '\\.')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
  for (const name of await readdir(dir)) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined && !isProcessAlive(Number(pid))) await unlink(path.join(dir, name)).catch(() => undefined);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  // Makes the rename itself durable; some file systems refuse, and that is not worth failing for.
  try {
    const fh = await open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch {
    /* best effort */
  }
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/** File-name-safe on every OS (no `:`). */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
