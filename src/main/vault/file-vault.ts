import path from 'node:path';
import { Secret } from '../../shared/secret.js';
import { ensureDataDir } from '../data-dir.js';
import { withFileLock } from '../file-lock.js';
import { storageWrite } from '../storage-error.js';
import { parseVaultEnvelope } from './envelope.js';
import { normalizeVaultKey } from './keys.js';
import { backUpCorrupt, checkPrivateDirectory, readPrivateFile, removeOrphanedTempFiles, writePrivateFile, type PrivateFileOptions } from './private-file.js';
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
  readonly #file: PrivateFileOptions;

  private constructor(
    readonly dir: string,
    platform: NodeJS.Platform,
  ) {
    this.path = path.join(dir, FILE_VAULT_NAME);
    this.location = `${this.path} (plain file, mode 0600)`;
    this.#file = { posix: platform !== 'win32', label: 'the file vault' };
  }

  /** Creates the directory if needed and reads the file once, so a bad file is reported at open time. */
  static async open(dataDir: string, options: FileVaultOptions = {}): Promise<FileVault> {
    const vault = new FileVault(dataDir, options.platform ?? process.platform);
    await storageWrite({ path: dataDir, what: 'the data directory' }, () => ensureDataDir(dataDir));
    await checkPrivateDirectory(dataDir, FILE_VAULT_NAME, { ...vault.#file, ownerOnly: true });
    await removeOrphanedTempFiles(dataDir, FILE_VAULT_NAME);
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
    return this.#exclusiveWrite(async () => {
      const file = await this.#read();
      file.secrets[k] = secret.reveal();
      await this.#write(file);
    });
  }

  async delete(key: string): Promise<boolean> {
    const k = normalizeVaultKey(key);
    return this.#exclusiveWrite(async () => {
      const file = await this.#read();
      if (!(k in file.secrets)) return false;
      delete file.secrets[k];
      await this.#write(file);
      return true;
    });
  }

  /** The in-process queue keeps our own writers in line; the lock file does the same for other processes (the CLI, serve). */
  #exclusiveWrite<T>(fn: () => Promise<T>): Promise<T> {
    return this.#exclusive(() => withFileLock(this.path, fn));
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

  async #read(): Promise<VaultFile> {
    const text = await readPrivateFile(this.path, this.#file);
    if (text === null) return { version: FORMAT_VERSION, service: VAULT_SERVICE, secrets: {} };
    const parsed = parseVaultFile(text);
    if (parsed === 'newer') {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `${this.path} was written by a newer Runner Tray (format newer than ${FORMAT_VERSION}). ` + 'Upgrade Runner Tray; the file was left untouched.',
      );
    }
    if (parsed === null) {
      const backup = await backUpCorrupt(this.path);
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

  async #write(file: VaultFile): Promise<void> {
    await writePrivateFile(this.path, `${JSON.stringify(file, null, 2)}\n`, this.#file);
  }
}

function parseVaultFile(text: string): VaultFile | 'newer' | null {
  const parsed = parseVaultEnvelope(text, { version: FORMAT_VERSION });
  if (parsed === null || parsed === 'newer') return parsed;
  return { version: FORMAT_VERSION, service: VAULT_SERVICE, secrets: parsed.secrets };
}

export { timestamp } from './private-file.js';
