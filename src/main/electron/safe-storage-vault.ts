/**
 * The desktop app's vault: secrets encrypted with Electron's safeStorage (Keychain on macOS,
 * DPAPI on Windows, libsecret / KWallet on Linux), the ciphertext in its own 0600 file in the
 * data directory, apart from settings. On Linux, safeStorage falls back to `basic_text` — a key
 * hard-coded in Chromium, i.e. no protection — when no keyring is found; that is refused unless
 * the user opts in (RUNNER_TRAY_ALLOW_BASIC_TEXT=1).
 */
import path from 'node:path';
import type { SafeStorage } from 'electron';
import { Secret } from '../../shared/secret.js';
import { ensureDataDir } from '../data-dir.js';
import { parseVaultEnvelope } from '../vault/envelope.js';
import { normalizeVaultKey } from '../vault/keys.js';
import {
  backUpCorrupt,
  checkPrivateDirectory,
  readPrivateFile,
  removeOrphanedTempFiles,
  writePrivateFile,
  type PrivateFileOptions,
} from '../vault/private-file.js';
import { VAULT_SERVICE, VaultError, type SecretVault } from '../vault/types.js';

export const SAFE_STORAGE_FILE = 'secrets.safestorage.json';
export const ALLOW_BASIC_TEXT_ENV = 'RUNNER_TRAY_ALLOW_BASIC_TEXT';
const FORMAT_VERSION = 1;

interface SafeStorageFile {
  version: typeof FORMAT_VERSION;
  service: typeof VAULT_SERVICE;
  /** Which OS store made the key (Linux); a different one later cannot decrypt, and the message says why. */
  storageBackend: string;
  /** Base64 of safeStorage's ciphertext, per vault key. */
  secrets: Record<string, string>;
}

export interface SafeStorageVaultOptions {
  dataDir: string;
  safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString' | 'getSelectedStorageBackend' | 'setUsePlainTextEncryption'>;
  platform?: NodeJS.Platform;
  /** The user's explicit consent to Chromium's `basic_text` store on Linux (not encryption in any real sense). */
  allowBasicText?: boolean;
}

export function allowBasicTextFromEnv(env: Readonly<Record<string, string | undefined>>): boolean {
  return /^(1|true|yes)$/i.test(env[ALLOW_BASIC_TEXT_ENV]?.trim() ?? '');
}

export class SafeStorageVault implements SecretVault {
  readonly backend = 'safe-storage' as const;
  readonly location: string;
  readonly path: string;
  readonly storageBackend: string;
  readonly #safe: SafeStorageVaultOptions['safeStorage'];
  readonly #file: PrivateFileOptions;
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(options: SafeStorageVaultOptions, storageBackend: string, platform: NodeJS.Platform) {
    this.path = path.join(options.dataDir, SAFE_STORAGE_FILE);
    this.storageBackend = storageBackend;
    this.location = `${this.path} (encrypted with ${describeStore(platform, storageBackend)})`;
    this.#safe = options.safeStorage;
    this.#file = { posix: platform !== 'win32', label: 'the safeStorage vault' };
  }

  /** After `app.whenReady` (safeStorage has no key before). Reads the file once, so a bad file is reported at start. */
  static async open(options: SafeStorageVaultOptions): Promise<SafeStorageVault> {
    const platform = options.platform ?? process.platform;
    const safe = options.safeStorage;
    const storageBackend: string = platform === 'linux' ? safe.getSelectedStorageBackend() : platformStore(platform);
    if (storageBackend === 'unknown') {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        'safeStorage was asked before Electron was ready; this is a bug in Runner Tray (open the vault after app.whenReady()).',
      );
    }
    if (storageBackend === 'basic_text') {
      if (!options.allowBasicText) {
        throw new VaultError(
          'VAULT_UNAVAILABLE',
          'No OS keyring was found (Electron safeStorage would use "basic_text", which does not protect secrets). ' +
            'Fix: run a Secret Service (GNOME Keyring: apt install gnome-keyring, or KWallet) and log in again, or start Runner Tray with ' +
            '--password-store=gnome-libsecret (or kwallet5/kwallet6) if your desktop is not detected. Alternatives: RUNNER_TRAY_VAULT=keyring ' +
            `or RUNNER_TRAY_VAULT=file (a 0600 plain file). To accept basic_text anyway, set ${ALLOW_BASIC_TEXT_ENV}=1.`,
        );
      }
      // Electron refuses to encrypt with basic_text unless told it is wanted.
      safe.setUsePlainTextEncryption(true);
    }
    if (!safe.isEncryptionAvailable()) {
      throw new VaultError(
        'VAULT_UNAVAILABLE',
        `Electron safeStorage cannot encrypt right now (${describeStore(platform, storageBackend)} is not available or locked). ` +
          'Unlock your keyring / log in to your desktop session and start Runner Tray again, or choose RUNNER_TRAY_VAULT=keyring or file.',
      );
    }
    const vault = new SafeStorageVault(options, storageBackend, platform);
    await ensureDataDir(options.dataDir);
    await checkPrivateDirectory(options.dataDir, SAFE_STORAGE_FILE, vault.#file);
    await removeOrphanedTempFiles(options.dataDir, SAFE_STORAGE_FILE);
    await vault.#exclusive(() => vault.#read());
    return vault;
  }

  async get(key: string): Promise<Secret | null> {
    const k = normalizeVaultKey(key);
    return this.#exclusive(async () => {
      const file = await this.#read();
      const sealed = file.secrets[k];
      if (sealed === undefined) return null;
      try {
        return new Secret(this.#safe.decryptString(Buffer.from(sealed, 'base64')));
      } catch {
        // Not corrupt: the key lives in the OS store, and that store changed. Keep the file as it is.
        throw new VaultError(
          'VAULT_UNAVAILABLE',
          `The secret for ${k} in ${this.path} cannot be decrypted: it was encrypted with ${describeStore(process.platform, file.storageBackend)}, ` +
            `and this session uses ${describeStore(process.platform, this.storageBackend)}, or that keyring was reset. ` +
            'Log in with the same keyring, or add the runner again with its pasted command (replace) to store a new secret.',
        );
      }
    });
  }

  async set(key: string, secret: Secret): Promise<void> {
    const k = normalizeVaultKey(key);
    return this.#exclusive(async () => {
      const file = await this.#read();
      file.secrets[k] = this.#safe.encryptString(secret.reveal()).toString('base64');
      file.storageBackend = this.storageBackend;
      await writePrivateFile(this.path, `${JSON.stringify(file, null, 2)}\n`, this.#file);
    });
  }

  async delete(key: string): Promise<boolean> {
    const k = normalizeVaultKey(key);
    return this.#exclusive(async () => {
      const file = await this.#read();
      if (!(k in file.secrets)) return false;
      delete file.secrets[k];
      await writePrivateFile(this.path, `${JSON.stringify(file, null, 2)}\n`, this.#file);
      return true;
    });
  }

  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(fn, fn);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #read(): Promise<SafeStorageFile> {
    const text = await readPrivateFile(this.path, this.#file);
    if (text === null) return { version: FORMAT_VERSION, service: VAULT_SERVICE, storageBackend: this.storageBackend, secrets: {} };
    const parsed = parseFile(text);
    if (parsed === 'newer') {
      throw new VaultError('VAULT_UNAVAILABLE', `${this.path} was written by a newer Runner Tray. Upgrade Runner Tray; the file was left untouched.`);
    }
    if (parsed === null) {
      const backup = await backUpCorrupt(this.path);
      throw new VaultError(
        'VAULT_CORRUPT',
        `${this.path} is not a valid Runner Tray secrets file. It was moved to ${backup} (nothing deleted). ` +
          'Add the affected runners again with their pasted commands (replace), or repair the backup and move it back.',
      );
    }
    return parsed;
  }
}

function parseFile(text: string): SafeStorageFile | 'newer' | null {
  const parsed = parseVaultEnvelope(text, { version: FORMAT_VERSION, isValue: (v) => /^[A-Za-z0-9+/]*={0,2}$/.test(v) });
  if (parsed === null || parsed === 'newer') return parsed;
  const { storageBackend } = parsed.fields;
  if (typeof storageBackend !== 'string') return null;
  return { version: FORMAT_VERSION, service: VAULT_SERVICE, storageBackend, secrets: parsed.secrets };
}

function platformStore(platform: NodeJS.Platform): string {
  return platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : 'os';
}

function describeStore(platform: NodeJS.Platform, backend: string): string {
  switch (backend) {
    case 'keychain':
      return 'the macOS Keychain';
    case 'dpapi':
      return 'Windows DPAPI';
    case 'gnome_libsecret':
      return 'the Secret Service (GNOME Keyring / libsecret)';
    case 'kwallet':
    case 'kwallet5':
    case 'kwallet6':
      return `KWallet (${backend})`;
    case 'basic_text':
      return 'basic_text (a fixed key: no real protection)';
    default:
      return `${backend} on ${platform}`;
  }
}
