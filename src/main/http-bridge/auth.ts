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

export class Sessions {
  readonly #token: string;
  readonly #max: number;
  /** Digests of live session ids, oldest first. */
  readonly #ids: Buffer[] = [];

  constructor(token: string, max = 64) {
    if (token.length < 16) throw new RangeError('The dashboard token must be at least 16 characters; leave RUNNER_TRAY_TOKEN unset for a random one.');
    this.#token = token;
    this.#max = max;
  }

  tokenMatches(given: string | null): boolean {
    return given !== null && sameSecret(given, this.#token);
  }

  /** A fresh session id (the cookie value); the oldest session ends beyond `max`. */
  open(): string {
    const id = randomBytes(32).toString('base64url');
    this.#ids.push(digest(id));
    if (this.#ids.length > this.#max) this.#ids.shift();
    return id;
  }

  has(id: string | null): boolean {
    if (id === null) return false;
    const d = digest(id);
    let found = false;
    for (const known of this.#ids) found = timingSafeEqual(known, d) || found;
    return found;
  }

  /** Cookie or Bearer token: scripts use the header, the page its cookie. */
  authorised(headers: { authorization?: string | undefined; cookie?: string | undefined }): boolean {
    return this.tokenMatches(bearerOf(headers.authorization)) || this.has(cookieOf(headers.cookie));
  }
}
