/**
 * Commands read from the clipboard (`clipboard.read`), kept in the service under a random id until
 * `runners.add` takes one: the page sees a redacted preview and the id, never the secret.
 */
import { randomUUID } from 'node:crypto';
import type { ParseResult } from '../../../shared/runner-command/index.js';
import { ApiError } from '../contract-errors.js';

/** A clipboard draft lives this long; the user accepts the offer or pastes by hand meanwhile. */
export const DRAFT_TTL_MS = 10 * 60_000;

export class ClipboardDrafts {
  readonly #drafts = new Map<string, { parsed: ParseResult; expires: number }>();

  /** A new id; only a command that parsed is kept (a failed one has nothing to add). */
  put(parsed: ParseResult): string {
    const draftId = randomUUID();
    if (parsed.ok) this.#drafts.set(draftId, { parsed, expires: Date.now() + DRAFT_TTL_MS });
    return draftId;
  }

  /** The draft, once: using it removes it. */
  take(draftId: string): ParseResult {
    const now = Date.now();
    for (const [id, d] of this.#drafts) if (d.expires < now) this.#drafts.delete(id);
    const draft = this.#drafts.get(draftId);
    if (!draft) throw new ApiError('NOT_FOUND', 'That clipboard command is no longer held (it expired or was used); copy it again or paste it into the box.');
    this.#drafts.delete(draftId);
    return draft.parsed;
  }
}
