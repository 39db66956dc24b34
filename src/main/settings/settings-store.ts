import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import Conf, { type Options } from 'conf';
import { ensureDataDirSync } from '../data-dir.js';
import { withFileLockSync } from '../file-lock.js';
import { StorageError, storageWriteSync, type WriteTarget } from '../storage-error.js';
import { timestamp } from '../vault/file-vault.js';
import { SettingsError } from './errors.js';
import { migrateSettings } from './migrations.js';
import { SETTINGS_VERSION, validateSettings, type BitbucketSettings, type Settings, type UiSettings } from './schema.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import type { PoolStore, RunnerRecord, RunnerStore } from './types.js';

export const SETTINGS_FILE_NAME = 'settings.json';

/**
 * The conf options for settings.json. The desktop app passes the same options to
 * electron-store (a Conf subclass) so both share one file and one validator:
 * `serialize` runs validateSettings, so no write path can skip it.
 * Call prepareSettingsFile first: conf itself neither migrates our way nor keeps a corrupt file.
 */
export function settingsConfOptions(dataDir: string): Partial<Options<Settings>> {
  return {
    cwd: dataDir,
    configName: 'settings',
    fileExtension: 'json',
    configFileMode: 0o600,
    accessPropertiesByDotNotation: false,
    clearInvalidConfig: false,
    watch: false,
    // No `defaults`: conf's constructor writes them into the file, and opening must not write
    // (a read-only data directory can still be listed). SettingsStore.open creates the file.
    serialize: (value) => `${JSON.stringify(validateSettings(value), null, 2)}\n`,
  };
}

/**
 * Gets settings.json ready for conf: migrates an older version (and writes it
 * back), refuses a newer one without touching it, and moves an unreadable or
 * invalid file aside to settings.json.corrupt-<time> before reporting it.
 */
export function prepareSettingsFile(filePath: string): void {
  storageWriteSync(settingsTarget(filePath), () => prepare(filePath));
}

function settingsTarget(filePath: string): WriteTarget {
  return { path: filePath, what: 'settings' };
}

function prepare(filePath: string): void {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }

  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw corrupt(filePath, 'it is not valid JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw corrupt(filePath, 'it is not a JSON object');

  const outcome = migrateSettings(doc as Record<string, unknown>);
  if (outcome.kind === 'too-new') {
    throw new SettingsError(
      'SETTINGS_TOO_NEW',
      `${filePath} is settings version ${outcome.version}, written by a newer Runner Tray (this one reads up to ${SETTINGS_VERSION}). ` +
        'Upgrade Runner Tray; the file was left untouched.',
    );
  }
  if (outcome.kind === 'unknown-version') throw corrupt(filePath, 'its "version" is not a settings version');

  try {
    validateSettings(outcome.doc);
  } catch (e) {
    if (e instanceof SettingsError) throw corrupt(filePath, e.message.replace(/^Settings not saved: /, '').replace(/\.$/, ''));
    throw e;
  }
  if (outcome.kind === 'migrated') writeFileAtomicSync(filePath, `${JSON.stringify(outcome.doc, null, 2)}\n`);
}

function corrupt(filePath: string, why: string): SettingsError {
  const backup = `${filePath}.corrupt-${timestamp()}`;
  renameSync(filePath, backup);
  return new SettingsError(
    'SETTINGS_CORRUPT',
    `${filePath} could not be used (${why}). It was moved to ${backup}, nothing deleted; Runner Tray starts with empty settings. ` +
      'Running runners are found again from Docker by their labels; to restore the rest, fix the backup and move it back to ' +
      `${SETTINGS_FILE_NAME}.`,
    backup,
  );
}

type FileState = 'ready' | 'missing' | 'too-new' | 'prepare';

/** What opening must do to the file; only 'missing' and 'prepare' write (under the lock). */
function settingsFileState(filePath: string): FileState {
  let text: string;
  try {
    text = readFileSync(filePath, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'prepare';
  }
  try {
    const doc: unknown = JSON.parse(text);
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'prepare';
    const outcome = migrateSettings(doc as Record<string, unknown>);
    if (outcome.kind === 'too-new') return 'too-new';
    if (outcome.kind !== 'current') return 'prepare';
    validateSettings(outcome.doc);
    return 'ready';
  } catch {
    return 'prepare';
  }
}

function writeFileAtomicSync(filePath: string, data: string): void {
  const tmp = `${filePath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, filePath);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
}

/** Changes to the non-runner parts. `null` removes a section; `ui` is merged field by field. */
export interface SettingsPatch {
  bitbucket?: BitbucketSettings | null;
  ui?: UiSettings | null;
  vault?: 'keyring' | 'file' | null;
  stopsRecordedSince?: string;
}

/** Conf's surface we use; electron-store instances fit it too. */
export interface SettingsBackingStore {
  readonly path: string;
  store: Settings;
}

/**
 * Non-secret settings in settings.json (conf; same file and schema as the desktop app).
 * Each call re-reads the file, so a change made by another of our processes is seen; each
 * read-modify-write holds settings.json.lock, so the CLI and a running app cannot lose each other's change.
 */
export class SettingsStore {
  constructor(readonly backing: SettingsBackingStore) {}

  /**
   * Creates the data directory (0700) and the file if needed, migrates or rescues the file, and
   * opens it. A current file is only read: no lock, no write, so a read-only data directory
   * (or a full disk) still lists its runners.
   */
  static open(dataDir: string): SettingsStore {
    storageWriteSync({ path: dataDir, what: 'the data directory' }, () => ensureDataDirSync(dataDir));
    const file = path.join(dataDir, SETTINGS_FILE_NAME);
    const state = settingsFileState(file);
    // Throws SETTINGS_TOO_NEW without writing anything.
    if (state === 'too-new') prepareSettingsFile(file);
    if (state === 'missing' || state === 'prepare') {
      try {
        // Under the lock: migrating or creating the file would overwrite another process's first write.
        withFileLockSync(file, () => {
          prepareSettingsFile(file);
          if (!existsSync(file)) storageWriteSync(settingsTarget(file), () => writeFileAtomicSync(file, `${JSON.stringify(newSettings(), null, 2)}\n`));
        });
      } catch (e) {
        // No file yet and none can be written: reading goes on with empty settings; a write says why it cannot.
        if (!(state === 'missing' && e instanceof StorageError)) throw e;
      }
    }
    return new SettingsStore(new Conf<Settings>(settingsConfOptions(dataDir)));
  }

  get path(): string {
    return this.backing.path;
  }

  get(): Settings {
    const first = this.#tryRead();
    if (first) return first;
    // Broken by hand (or by something else) while we were running: rescue and report it.
    prepareSettingsFile(this.path);
    return this.#tryRead() ?? emptySettings();
  }

  #tryRead(): Settings | undefined {
    try {
      const doc = this.backing.store as unknown;
      // conf answers {} when the file was deleted under us.
      if (typeof doc === 'object' && doc !== null && Object.keys(doc).length === 0) return emptySettings();
      return validateSettings(doc);
    } catch {
      return undefined;
    }
  }

  update(patch: SettingsPatch): Settings {
    return withFileLockSync(this.path, () => this.#update(patch));
  }

  #update(patch: SettingsPatch): Settings {
    const current = this.get();
    const next: Record<string, unknown> = { ...current };
    if (patch.bitbucket === null) delete next.bitbucket;
    else if (patch.bitbucket !== undefined) next.bitbucket = patch.bitbucket;
    if (patch.ui === null) delete next.ui;
    else if (patch.ui !== undefined) next.ui = { ...current.ui, ...patch.ui };
    if (patch.vault === null) delete next.vault;
    else if (patch.vault !== undefined) next.vault = patch.vault;
    if (patch.stopsRecordedSince !== undefined) next.stopsRecordedSince = patch.stopsRecordedSince;
    return this.#write(next);
  }

  /** The Bitbucket connection part, in the shape main/bitbucket's BitbucketConnectionStore expects. */
  bitbucket(): { read(): BitbucketSettings | null; write(connection: BitbucketSettings | null): void } {
    return {
      read: () => this.get().bitbucket ?? null,
      write: (connection) => void this.update({ bitbucket: connection }),
    };
  }

  runners(): RunnerStore {
    return {
      list: () => this.get().runners,
      get: (runnerUuid) => this.get().runners.find((r) => sameUuid(r.spec.runnerUuid, runnerUuid)),
      put: (record: RunnerRecord) =>
        withFileLockSync(this.path, () => {
          const current = this.get();
          const i = current.runners.findIndex((r) => sameUuid(r.spec.runnerUuid, record.spec.runnerUuid));
          const runners = [...current.runners];
          if (i === -1) runners.push(record);
          else runners[i] = record;
          this.#write({ ...current, runners });
        }),
      remove: (runnerUuid) =>
        withFileLockSync(this.path, () => {
          const current = this.get();
          const runners = current.runners.filter((r) => !sameUuid(r.spec.runnerUuid, runnerUuid));
          if (runners.length === current.runners.length) return false;
          this.#write({ ...current, runners });
          return true;
        }),
    };
  }

  pools(): PoolStore {
    return {
      list: () => this.get().pools ?? [],
      get: (name) => (this.get().pools ?? []).find((p) => p.name === name),
      put: (pool: PoolConfig) =>
        withFileLockSync(this.path, () => {
          const current = this.get();
          const pools = [...(current.pools ?? [])];
          const i = pools.findIndex((p) => p.name === pool.name);
          if (i === -1) pools.push(pool);
          else pools[i] = pool;
          this.#write({ ...current, pools });
        }),
      remove: (name) =>
        withFileLockSync(this.path, () => {
          const current = this.get();
          const pools = (current.pools ?? []).filter((p) => p.name !== name);
          if (pools.length === (current.pools ?? []).length) return false;
          const next: Record<string, unknown> = { ...current, pools };
          if (pools.length === 0) delete next.pools;
          this.#write(next);
          return true;
        }),
    };
  }

  #write(next: unknown): Settings {
    // Validate before handing to conf so the caller gets our error, not conf's wrapping of it.
    const valid = validateSettings(next);
    storageWriteSync(settingsTarget(this.path), () => {
      this.backing.store = valid;
    });
    return valid;
  }
}

/** A new file: this version records user stops from the start, so nothing down is taken as stopped (see runners/earlier-stops). */
function newSettings(): Settings {
  return { ...emptySettings(), stopsRecordedSince: new Date().toISOString() };
}

function emptySettings(): Settings {
  return { version: SETTINGS_VERSION, runners: [] };
}

/** Accepts the UUID with or without braces, in any case, as users type it. */
function sameUuid(a: string, b: string): boolean {
  const bare = (s: string) =>
    s
      .trim()
      .replace(/^\{|\}$/g, '')
      .toLowerCase();
  return bare(a) === bare(b);
}
