/** Reading dockerode's errors: the engine's HTTP status and its own words. */
import { maskEngineText } from '../../shared/mask-text.js';
import type { Secret } from '../../shared/secret.js';

/** HTTP status of a dockerode error (404 no such…, 409 conflict, 304 already in that state). */
export function statusCodeOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/**
 * The engine's own words, without the request dump dockerode appends, and masked: the one way
 * engine error text reaches a message, an event or a log. The engine quotes what it refused
 * (a container's whole `OAUTH_CLIENT_SECRET=…` when runc rejects it), so every known secret and
 * anything secret-shaped is masked here, whatever path the text then takes.
 */
export function engineMessage(e: unknown, secrets: ReadonlyArray<string | Secret> = []): string {
  const err = e as { json?: { message?: unknown }; message?: unknown } | null;
  const raw = typeof err?.json?.message === 'string' ? err.json.message : typeof err?.message === 'string' ? err.message : String(e);
  return maskEngineText(raw, secrets);
}
