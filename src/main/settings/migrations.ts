import { SETTINGS_VERSION } from './schema.js';

type Raw = Record<string, unknown>;

/**
 * migrations[n] turns a version-n document into version n+1. Our own table:
 * electron-store's `migrations` are unsupported per its readme and key on the app
 * version, not the file's. Add an entry whenever SETTINGS_VERSION goes up.
 */
export const migrations: Record<number, (doc: Raw) => Raw> = {
  // Version 0: files from before settings were versioned, including the empty `{}` conf writes.
  0: (doc) => ({ ...doc, version: 1, runners: Array.isArray(doc.runners) ? doc.runners : [] }),
};

export type MigrationOutcome =
  | { kind: 'current'; doc: Raw }
  | { kind: 'migrated'; doc: Raw; from: number }
  | { kind: 'too-new'; version: number }
  | { kind: 'unknown-version'; version: unknown };

/** Brings a parsed settings document up to SETTINGS_VERSION without validating it. */
export function migrateSettings(doc: Raw): MigrationOutcome {
  const declared = doc.version === undefined ? 0 : doc.version;
  if (typeof declared !== 'number' || !Number.isInteger(declared) || declared < 0) {
    return { kind: 'unknown-version', version: declared };
  }
  if (declared > SETTINGS_VERSION) return { kind: 'too-new', version: declared };
  let current = doc;
  for (let v = declared; v < SETTINGS_VERSION; v++) {
    const step = migrations[v];
    if (!step) return { kind: 'unknown-version', version: declared };
    current = step(current);
  }
  return declared === SETTINGS_VERSION ? { kind: 'current', doc } : { kind: 'migrated', doc: current, from: declared };
}
