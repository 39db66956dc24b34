/** Reading dockerode's errors: the engine's HTTP status and its own words. */

/** HTTP status of a dockerode error (404 no such…, 409 conflict, 304 already in that state). */
export function statusCodeOf(e: unknown): number | undefined {
  const s = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' ? s : undefined;
}

/** The engine's own words, without the request dump dockerode appends. */
export function engineMessage(e: unknown): string {
  const err = e as { json?: { message?: unknown }; message?: unknown } | null;
  if (typeof err?.json?.message === 'string') return err.json.message;
  return typeof err?.message === 'string' ? err.message : String(e);
}
