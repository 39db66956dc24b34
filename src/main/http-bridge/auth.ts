/** The dashboard token and the sessions it buys. Comparisons take the same time whatever matches. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SESSION_COOKIE } from '../../shared/contract/http-protocol.js';

/** 32 random bytes, URL-safe: fits a URL fragment and an Authorization header as it is. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Equal-length digests, so neither the content nor the length of a guess leaks through timing. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerOf(header: string | undefined): string | null {
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

export function cookieOf(header: string | undefined, name: string = SESSION_COOKIE): string | null {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** A session nobody used for this long ends; the page then asks for the link again. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;

export interface SessionsOptions {
  /** Sessions kept at most; the oldest ends beyond. Default 64. */
  max?: number;
  /** Idle lifetime. Default 12 h. */
  idleMs?: number;
  now?: () => number;
}

export class Sessions {
  readonly #token: string;
  readonly #max: number;
  readonly #idleMs: number;
  readonly #now: () => number;
  /** Digests of live session ids with their last use, oldest first. */
  readonly #ids: Array<{ digest: Buffer; lastUsed: number }> = [];

  constructor(token: string, options: SessionsOptions = {}) {
    if (token.length < 16) throw new RangeError('The dashboard token must be at least 16 characters; leave RUNNER_TRAY_TOKEN unset for a random one.');
    this.#token = token;
    this.#max = options.max ?? 64;
    this.#idleMs = options.idleMs ?? SESSION_IDLE_MS;
    this.#now = options.now ?? Date.now;
  }

  tokenMatches(given: string | null): boolean {
    return given !== null && sameSecret(given, this.#token);
  }

  /** A fresh session id (the cookie value); the oldest session ends beyond `max`. */
  open(): string {
    const id = randomBytes(32).toString('base64url');
    this.#ids.push({ digest: digest(id), lastUsed: this.#now() });
    if (this.#ids.length > this.#max) this.#ids.shift();
    return id;
  }

  /** A live session; using it keeps it alive for another idle period. */
  has(id: string | null): boolean {
    const now = this.#now();
    for (let i = this.#ids.length - 1; i >= 0; i--) if (now - this.#ids[i]!.lastUsed > this.#idleMs) this.#ids.splice(i, 1);
    if (id === null) return false;
    const d = digest(id);
    let found: { lastUsed: number } | null = null;
    for (const known of this.#ids) if (timingSafeEqual(known.digest, d)) found = known;
    if (found) found.lastUsed = now;
    return found !== null;
  }

  /** Cookie or Bearer token: scripts use the header, the page its cookie. */
  authorised(headers: { authorization?: string | undefined; cookie?: string | undefined }, cookieName: string = SESSION_COOKIE): boolean {
    return this.tokenMatches(bearerOf(headers.authorization)) || this.has(cookieOf(headers.cookie, cookieName));
  }
}
