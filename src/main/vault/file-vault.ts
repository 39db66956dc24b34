import { constants } from 'node:fs';
import { open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Secret } from '../../shared/secret.js';
import { ensureDataDir } from '../data-dir.js';
import { normalizeVaultKey } from './keys.js';
import { VAULT_SERVICE, VaultError, type SecretVault } from './types.js';

export const FILE_VAULT_NAME = 'secrets.json';
const FORMAT_VERSION = 1;

interface VaultFile {
  version: typeof FORMAT_VERSION;
  service: typeof VAULT_SERVICE;
  secrets: Record<string, string>;
}

export interface FileVaultOptions {
  /** Defaults to this process's platform; tests pass another to check the Windows path. */
  platform?: NodeJS.Platform;
}

// One queue per file, shared by every FileVault of this process, so two instances
// on the same file cannot interleave their read-modify-write cycles.
const queues = new Map<string, Promise<unknown>>();

/**
 * Secrets in a plain JSON file readable only by this user (mode 0600, directory
 * 0700). Not encrypted: meant for headless servers without a keyring, chosen
 * explicitly with RUNNER_TRAY_VAULT=file.
 *
 * Windows has no POSIX mode bits: there the file relies on the per-user ACL of
 * %APPDATA%, and the mode and owner checks below are skipped. Use the keyring
 * (Credential Manager) on Windows.
 */
export class FileVault implements SecretVault {
  readonly backend = 'file' as const;
  readonly location: string;
  readonly path: string;
  readonly #posix: boolean;

  private constructor(readonly dir: string, platform: NodeJS.Platform) {
    this.path = path.join(dir, FILE_VAULT_NAME);
    this.location = `${this.path} (plain file, mode 0600)`;
    this.#posix = platform !== 'win32';
  }

  /** Creates the directory if needed and reads the file once, so a bad file is reported at open time. */
  static async open(dataDir: string, options: FileVaultOptions = {}): Promise<FileVault> {
    const vault = new FileVault(dataDir, options.platform ?? process.platform);
    await ensureDataDir(dataDir);
    await vault.#checkDirectory();
    await vault.#removeOrphanedTempFiles();
    await vault.#exclusive(() => vault.#read());
    return vault;
  }

  async get(key: string): Promise<Secret | null> {
    const k = normalizeVaultKey(key);
    return this.#exclusive(async () => {
      const value = (await this.#read()).secrets[k];
      return value === undefined ? null : new Secret(value);
    });
  }

  async set(key: string, secret: Secret): Promise<void> {
    const k = normalizeVaultKey(key);
    return this.#exclusive(async () => {
      const file = await this.#read();
      file.secrets[k] = secret.reveal();
      await this.#write(file);
    });
  }

  async delete(key: string): Promise<boolean> {
    const k = normalizeVaultKey(key);
    return this.#exclusive(async () => {
      const file = await this.#read();
      if (!(k in file.secrets)) return false;
      delete file.secrets[k];
      await this.#write(file);
      return true;
    });
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = queues.get(this.path) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => undefined);
    queues.set(this.path, tail);
    void tail.then(() => {
      if (queues.get(this.path) === tail) queues.delete(this.path);
    });
    return run;
  }

  async #checkDirectory(): Promise<void> {
    if (!this.#posix) return;
    const st = await stat(this.dir);
    // Others who can write the directory can swap our file for theirs.
    if ((st.mode & 0o022) !== 0) {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `The file vault's directory ${this.dir} can be written by other users (mode ${octal(st.mode)}), ` +
          `so they could replace ${FILE_VAULT_NAME}. Fix: chmod 700 '${this.dir}'`,
      );
    }
  }

  async #read(): Promise<VaultFile> {
    const empty: VaultFile = { version: FORMAT_VERSION, service: VAULT_SERVICE, secrets: {} };
    let text: string;
    try {
      // O_NOFOLLOW and checks on the opened descriptor: what we check is what we read.
      const fh = await open(this.path, constants.O_RDONLY | (this.#posix ? constants.O_NOFOLLOW : 0));
      try {
        const st = await fh.stat();
        this.#checkFile(st);
        text = await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return empty;
      if (code === 'ELOOP') {
        throw new VaultError(
          'VAULT_UNAVAILABLE',
          `${this.path} is a symbolic link; the file vault only uses a regular file it owns. ` +
            `Fix: replace the link with the file itself (mv the target to '${this.path}').`,
        );
      }
      if (code === 'EACCES' || code === 'EPERM') {
        throw new VaultError('VAULT_UNAVAILABLE', `Cannot read ${this.path}: permission denied. It must belong to the user running Runner Tray.`);
      }
      throw e;
    }

    const parsed = parseVaultFile(text);
    if (parsed === 'newer') {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `${this.path} was written by a newer Runner Tray (format newer than ${FORMAT_VERSION}). ` +
          'Upgrade Runner Tray; the file was left untouched.',
      );
    }
    if (parsed === null) {
      const backup = `${this.path}.corrupt-${timestamp()}`;
      await rename(this.path, backup);
      // Never echo the content (or JSON.parse's message, which quotes it): it holds secrets.
      throw new VaultError(
        'VAULT_CORRUPT',
        `${this.path} is not a valid Runner Tray secrets file. It was moved to ${backup} (nothing deleted). ` +
          'Add the affected runners again with the pasted command (runner-tray add --replace), ' +
          `or repair the backup and move it back to ${FILE_VAULT_NAME}.`,
      );
    }
    return parsed;
  }

  #checkFile(st: { uid: number; mode: number; isFile(): boolean }): void {
    if (!st.isFile()) {
      throw new VaultError('VAULT_UNAVAILABLE', `${this.path} is not a regular file. Move it away so Runner Tray can create the vault file.`);
    }
    if (!this.#posix) return;
    const uid = process.getuid?.();
    if (uid !== undefined && st.uid !== uid) {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `${this.path} belongs to uid ${st.uid}, not to you (uid ${uid}); the file vault only trusts its own file. ` +
          `Fix: chown ${uid} '${this.path}' (and chmod 600 it), or remove it.`,
      );
    }
    if ((st.mode & 0o077) !== 0) {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `${this.path} can be read or written by other users (mode ${octal(st.mode)}); the file vault requires 0600. ` +
          `Fix: chmod 600 '${this.path}' — and treat the secrets in it as exposed: rotate them in Bitbucket.`,
      );
    }
  }

  /** Write to a fresh 0600 temp file, flush, then rename over: readers see the old or the new file, never half of one. */
  async #write(file: VaultFile): Promise<void> {
    const tmp = `${this.path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        // The umask can only remove bits, but a fchmod makes 0600 certain.
        if (this.#posix) await fh.chmod(0o600);
        await fh.writeFile(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        throw new VaultError('VAULT_UNAVAILABLE', `Cannot write the file vault in ${this.dir} (${code}). The directory must be writable by the user running Runner Tray.`);
      }
      throw e;
    }
    if (this.#posix) await fsyncDir(this.dir);
  }

  /** A writer that crashed between creating and renaming its temp file leaves a copy of the secrets behind. */
  async #removeOrphanedTempFiles(): Promise<void> {
    const pattern = new RegExp(`^${FILE_VAULT_NAME.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`);
    for (const name of await readdir(this.dir)) {
      const pid = pattern.exec(name)?.[1];
      if (pid !== undefined && !isAlive(Number(pid))) await unlink(path.join(this.dir, name)).catch(() => undefined);
    }
  }
}

function parseVaultFile(text: string): VaultFile | 'newer' | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const { version, secrets } = data as Record<string, unknown>;
  if (typeof version === 'number' && Number.isInteger(version) && version > FORMAT_VERSION) return 'newer';
  if (version !== FORMAT_VERSION || typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secrets)) {
    if (typeof v !== 'string') return null;
    out[k] = v;
  }
  return { version: FORMAT_VERSION, service: VAULT_SERVICE, secrets: out };
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

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/** File-name-safe on every OS (no `:`). */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/[:.]/g, '-');
}
