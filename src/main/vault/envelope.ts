/**
 * The versioned JSON envelope both file-backed vaults write: `{ version, service, secrets, … }`.
 * One parser, so the two vaults agree on what a newer, a corrupt and a valid file are.
 */

export interface VaultEnvelope {
  /** Every top-level field, for the caller's own extra checks (e.g. `storageBackend`). */
  fields: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface EnvelopeFormat {
  /** The format version this build writes; a higher integer means a newer Runner Tray wrote the file. */
  version: number;
  /** Extra check per stored value (beyond being a string), e.g. that it is base64. */
  isValue?: (value: string) => boolean;
}

/** The envelope, `'newer'` for a file from a newer format, or null when the text is not a valid file. */
export function parseVaultEnvelope(text: string, format: EnvelopeFormat): VaultEnvelope | 'newer' | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
  const fields = data as Record<string, unknown>;
  const { version, secrets } = fields;
  if (typeof version === 'number' && Number.isInteger(version) && version > format.version) return 'newer';
  if (version !== format.version || typeof secrets !== 'object' || secrets === null || Array.isArray(secrets)) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(secrets)) {
    if (typeof v !== 'string' || (format.isValue !== undefined && !format.isValue(v))) return null;
    out[k] = v;
  }
  return { fields, secrets: out };
}
