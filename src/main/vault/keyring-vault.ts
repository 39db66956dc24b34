import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { Secret, redactText } from '../../shared/secret.js';
import { normalizeVaultKey } from './keys.js';
import { VAULT_SERVICE, VaultError, type SecretVault } from './types.js';

export interface KeyringVaultOptions {
  platform?: NodeJS.Platform;
  /** Named in the "use the file vault instead" advice. */
  dataDir?: string;
  /**
   * How long one keyring call may take. Generous: on a desktop an unlock prompt
   * may be waiting for the user; without a limit a headless CLI could hang.
   */
  timeoutMs?: number;
}

/** Never a vault key (see keys.ts), so the probe cannot touch a real entry. */
const PROBE_ACCOUNT = 'runner-tray:probe';

/**
 * The OS keyring: Secret Service (GNOME Keyring, KWallet) on Linux, Keychain on
 * macOS, Credential Manager on Windows. Entries: service `runner-tray`, account = key.
 */
export class KeyringVault implements SecretVault {
  readonly backend = 'keyring' as const;
  readonly location: string;
  readonly #platform: NodeJS.Platform;
  readonly #dataDir: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: KeyringVaultOptions = {}) {
    this.#platform = options.platform ?? process.platform;
    this.#dataDir = options.dataDir;
    this.#timeoutMs = options.timeoutMs ?? 120_000;
    this.location = `${storeName(this.#platform)}, service "${VAULT_SERVICE}"`;
  }

  /** Opens and proves the keyring can store and delete an entry, so "no usable keyring" surfaces now, with its fix. */
  static async open(options: KeyringVaultOptions = {}): Promise<KeyringVault> {
    const vault = new KeyringVault(options);
    await vault.probe();
    return vault;
  }

  /**
   * A write, not a read: a locked keyring or a missing default collection still
   * answers reads of absent entries with "not found".
   */
  async probe(): Promise<void> {
    await this.#call('probe', PROBE_ACCOUNT, (e) => e.setPassword('probe'));
    await this.#call('probe', PROBE_ACCOUNT, (e) => e.deletePassword());
  }

  async get(key: string): Promise<Secret | null> {
    const value = await this.#call('read', normalizeVaultKey(key), (e) => e.getPassword());
    return value === null ? null : new Secret(value);
  }

  async set(key: string, secret: Secret): Promise<void> {
    await this.#call('store', normalizeVaultKey(key), (e) => e.setPassword(secret.reveal()), secret);
  }

  async delete(key: string): Promise<boolean> {
    return this.#call('delete', normalizeVaultKey(key), (e) => e.deletePassword());
  }

  async #call<T>(op: string, account: string, fn: (entry: AsyncEntry) => Promise<T>, secret?: Secret): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    try {
      // The constructor itself throws when there is no D-Bus session bus.
      const entry = new AsyncEntry(VAULT_SERVICE, account, entryOptions(this.#platform));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(this.#timeoutMs)), this.#timeoutMs);
      });
      return await Promise.race([fn(entry), timeout]);
    } catch (e) {
      if (e instanceof VaultError) throw e;
      throw keyringFailure(e, { op, account, platform: this.#platform, dataDir: this.#dataDir, secret });
    } finally {
      clearTimeout(timer);
    }
  }
}

class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${Math.round(ms / 1000)} s — an unlock prompt may be waiting`);
  }
}

function entryOptions(platform: NodeJS.Platform): EntryOptions | undefined {
  // The default on Linux silently falls back to the kernel keyring, which forgets
  // everything at reboot: a runner would lose its secret. Require the Secret Service.
  return platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
}

function storeName(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'macOS Keychain';
  if (platform === 'win32') return 'Windows Credential Manager';
  return 'Secret Service (GNOME Keyring / KWallet)';
}

interface FailureContext {
  op: string;
  account: string;
  platform: NodeJS.Platform;
  dataDir: string | undefined;
  secret: Secret | undefined;
}

/** Turns a keyring library failure into a VaultError that says what is wrong and how to fix it. */
export function keyringFailure(error: unknown, ctx: FailureContext): VaultError {
  const raw = error instanceof Error ? error.message : String(error);
  const reason = redactText(raw, ctx.secret ? [ctx.secret] : []);
  const subject = ctx.account === PROBE_ACCOUNT ? 'the OS keyring' : `the OS keyring entry ${VAULT_SERVICE}/${ctx.account}`;

  if (/ambiguous/i.test(raw)) {
    const clear = ctx.platform === 'linux' ? ` (e.g. secret-tool clear service ${VAULT_SERVICE} username '${ctx.account}')` : '';
    return new VaultError(
      'VAULT_CORRUPT',
      `Cannot ${ctx.op} ${subject}: the keyring holds more than one matching entry. ` +
        `Delete the duplicates${clear}, then add the runner again with its pasted command.`,
    );
  }

  const fileAdvice =
    'On a headless server without a keyring, set RUNNER_TRAY_VAULT=file instead: secrets are then kept in ' +
    `${ctx.dataDir ? `${ctx.dataDir}/secrets.json` : 'secrets.json in the Runner Tray data directory'}, ` +
    'readable only by your user (mode 0600) but NOT encrypted — root, anyone who gets your account, ' +
    'and your backups can read them. Runner Tray never falls back to that file on its own.';

  let diagnosis: string;
  let fix: string;
  if (ctx.platform === 'darwin') {
    diagnosis = 'the Keychain refused access';
    fix = 'Unlock your login keychain (Keychain Access) and allow Runner Tray when asked.';
  } else if (ctx.platform === 'win32') {
    diagnosis = 'Credential Manager is not available to this user';
    fix = 'Run Runner Tray as a user with a loaded profile (Credential Manager needs one).';
  } else if (/DBUS_SESSION_BUS_ADDRESS|autolaunch|AccessDenied|org\.freedesktop\.DBus|Failed to connect to socket/i.test(raw)) {
    diagnosis = 'there is no D-Bus session bus to reach the Secret Service (typical for SSH, cron, systemd services)';
    fix =
      'In a desktop session, start GNOME Keyring or KWallet. In a shell without one: ' +
      "dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock --components=secrets; runner-tray …' (it reads the keyring password on stdin).";
  } else if (/locked|prompt|dismissed/i.test(raw)) {
    diagnosis = 'the keyring is locked and could not be unlocked';
    fix = 'Unlock your keyring (GNOME Keyring: log in graphically, or run gnome-keyring-daemon --unlock; KWallet: open it) and try again.';
  } else if (/no result found|ServiceUnknown|not provided by any \.service/i.test(raw)) {
    diagnosis = 'no Secret Service keyring is running or it has no default keyring to store into';
    fix = 'Start and unlock GNOME Keyring or KWallet (e.g. gnome-keyring-daemon --unlock --components=secrets in your session).';
  } else {
    diagnosis = 'the keyring did not accept the request';
    fix = 'Make sure GNOME Keyring or KWallet is running and unlocked in your session.';
  }
  return new VaultError('VAULT_UNAVAILABLE', `Cannot ${ctx.op} ${subject}: ${diagnosis} (${reason}). ${fix} ${fileAdvice}`);
}
