import { type Secret, redactText } from '../../shared/secret.js';
import type { ApiErrorBody, ApiPage } from './api-types.js';

export const DEFAULT_BITBUCKET_API = 'https://api.bitbucket.org/2.0';
export const BITBUCKET_API_ENV = 'RUNNER_TRAY_BITBUCKET_API';
export const API_TOKEN_URL = 'https://id.atlassian.com/manage-profile/security/api-tokens';
/** The scopes our read-only calls need, as Atlassian names them for API tokens. */
export const REQUIRED_SCOPES = ['read:repository:bitbucket', 'read:pipeline:bitbucket', 'read:runner:bitbucket'] as const;

/**
 * Basic: Atlassian account email + API token. Bearer: a repository, project or
 * workspace access token. Both are the documented ways to call REST 2.0.
 */
export type BitbucketAuth = { kind: 'basic'; email: string; token: Secret } | { kind: 'bearer'; token: Secret };

export type BitbucketErrorCode =
  | 'BITBUCKET_UNAUTHORIZED'
  | 'BITBUCKET_FORBIDDEN'
  | 'BITBUCKET_NOT_FOUND'
  | 'BITBUCKET_RATE_LIMITED'
  | 'BITBUCKET_SERVER_ERROR'
  | 'BITBUCKET_BAD_REQUEST'
  /** A create answered 400: Bitbucket's words for "invalid properties or runner limit exceeded". */
  | 'BITBUCKET_RUNNER_LIMIT'
  | 'BITBUCKET_BAD_RESPONSE'
  | 'BITBUCKET_TIMEOUT'
  | 'BITBUCKET_NETWORK'
  | 'BITBUCKET_CONFIG';

/** Worth retrying on its own after a pause; the others need the user to change something. */
export const TRANSIENT_CODES: ReadonlySet<BitbucketErrorCode> = new Set([
  'BITBUCKET_RATE_LIMITED',
  'BITBUCKET_SERVER_ERROR',
  'BITBUCKET_TIMEOUT',
  'BITBUCKET_NETWORK',
]);

export class BitbucketError extends Error {
  constructor(
    readonly code: BitbucketErrorCode,
    message: string,
    readonly details: { status?: number; retryAfterMs?: number; url?: string } = {},
  ) {
    super(message);
    this.name = 'BitbucketError';
  }

  get transient(): boolean {
    return TRANSIENT_CODES.has(this.code);
  }
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RequestLogEntry {
  method: HttpMethod;
  /** Never carries credentials: auth goes in a header only. */
  url: string;
  status?: number;
  ms: number;
  errorCode?: BitbucketErrorCode;
}

export interface BitbucketClientOptions {
  auth: BitbucketAuth;
  /** Defaults to $RUNNER_TRAY_BITBUCKET_API, then https://api.bitbucket.org/2.0. */
  baseUrl?: string;
  /** Per request, including reading the body. */
  timeoutMs?: number;
  /** Upper bound on `next` links followed by `paginate`, so a runaway list cannot exhaust the rate limit. */
  maxPages?: number;
  log?: (entry: RequestLogEntry) => void;
}

export type Query = Record<string, string | number | undefined>;

export interface GetOptions {
  /** Names the thing asked for in error messages, e.g. `repository "acme/web"`. */
  what?: string;
  signal?: AbortSignal;
  /** The scopes this request needs, named in the 401/403 messages (default: REQUIRED_SCOPES). */
  scopes?: readonly string[];
}

export interface WriteOptions extends GetOptions {
  /** Text for a 400 answer instead of the generic one; Bitbucket's own words are appended. */
  badRequest?: { code: BitbucketErrorCode; message: string };
}

export function bitbucketApiBase(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[BITBUCKET_API_ENV]?.trim();
  return fromEnv ? fromEnv : DEFAULT_BITBUCKET_API;
}

/**
 * Joins path segments, percent-encoding each one. Bitbucket wants UUIDs with
 * their braces, and `{`/`}` are not valid raw in a URL path, so `{abc}` becomes `%7Babc%7D`.
 */
export function apiPath(...segments: string[]): string {
  return '/' + segments.map((s) => encodeURIComponent(s)).join('/');
}

export class BitbucketClient {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxPages: number;
  readonly #auth: BitbucketAuth;
  readonly #base: URL;
  readonly #log: ((entry: RequestLogEntry) => void) | undefined;

  constructor(options: BitbucketClientOptions) {
    this.#auth = options.auth;
    const raw = (options.baseUrl ?? bitbucketApiBase()).replace(/\/+$/, '');
    let base: URL;
    try {
      base = new URL(raw);
    } catch {
      throw new BitbucketError(
        'BITBUCKET_CONFIG',
        `The Bitbucket API address "${raw}" is not a URL. Set ${BITBUCKET_API_ENV} to e.g. ${DEFAULT_BITBUCKET_API}, or unset it.`,
      );
    }
    if (base.protocol !== 'https:' && base.protocol !== 'http:') {
      throw new BitbucketError(
        'BITBUCKET_CONFIG',
        `The Bitbucket API address "${raw}" must start with https:// (set ${BITBUCKET_API_ENV} accordingly, or unset it).`,
      );
    }
    this.#base = base;
    this.baseUrl = raw;
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxPages = options.maxPages ?? 10;
    this.#log = options.log;
    if (options.auth.token.reveal().trim() === '') {
      throw new BitbucketError('BITBUCKET_CONFIG', 'The Bitbucket token is empty. Paste the token on standard input.');
    }
  }

  get authKind(): BitbucketAuth['kind'] {
    return this.#auth.kind;
  }

  /** GET `path` (relative to the base, built with `apiPath`) and parse the JSON body. */
  async get<T>(path: string, query: Query = {}, options: GetOptions = {}): Promise<T> {
    return this.#request<T>(this.#url(path, query), options);
  }

  /** POST a JSON body and parse the JSON answer. Never retried here: a create must not happen twice. */
  async post<T>(path: string, body: unknown, options: WriteOptions = {}): Promise<T> {
    return this.#request<T>(this.#url(path, {}), options, 'POST', body);
  }

  /** PUT a JSON body and parse the JSON answer. */
  async put<T>(path: string, body: unknown, options: WriteOptions = {}): Promise<T> {
    return this.#request<T>(this.#url(path, {}), options, 'PUT', body);
  }

  /** DELETE; resolves on 2xx (Bitbucket answers 204 with no body). */
  async delete(path: string, options: WriteOptions = {}): Promise<void> {
    await this.#request<unknown>(this.#url(path, {}), options, 'DELETE');
  }

  /**
   * GET a paginated list and follow `next` up to `maxPages` pages.
   * `truncated` says whether Bitbucket had more than we fetched.
   */
  async paginate<T>(
    path: string,
    query: Query = {},
    options: GetOptions & { maxPages?: number; maxItems?: number } = {},
  ): Promise<{ values: T[]; truncated: boolean }> {
    const maxPages = options.maxPages ?? this.maxPages;
    const maxItems = options.maxItems ?? Number.POSITIVE_INFINITY;
    const values: T[] = [];
    let url: URL | null = this.#url(path, query);
    let pages = 0;
    while (url) {
      const page: ApiPage<T> = await this.#request<ApiPage<T>>(url, options);
      pages += 1;
      if (!Array.isArray(page.values)) {
        throw new BitbucketError(
          'BITBUCKET_BAD_RESPONSE',
          `Bitbucket's answer for ${options.what ?? url.pathname} has no "values" list; is ${BITBUCKET_API_ENV} (${this.baseUrl}) really a Bitbucket Cloud 2.0 API?`,
          { url: url.toString() },
        );
      }
      values.push(...page.values);
      if (values.length >= maxItems) {
        return { values: values.slice(0, maxItems), truncated: values.length > maxItems || Boolean(page.next) };
      }
      if (!page.next) return { values, truncated: false };
      if (pages >= maxPages) return { values, truncated: true };
      url = this.#followable(page.next);
    }
    return { values, truncated: false };
  }

  #url(path: string, query: Query): URL {
    const url = new URL(this.#base.toString().replace(/\/+$/, '') + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url;
  }

  /** Our credentials go only to the API we were configured with, whatever a `next` link says. */
  #followable(next: string): URL {
    let url: URL;
    try {
      url = new URL(next, this.#base);
    } catch {
      throw new BitbucketError('BITBUCKET_BAD_RESPONSE', `Bitbucket returned a "next" page link that is not a URL.`);
    }
    const basePath = this.#base.pathname.replace(/\/+$/, '') + '/';
    if (url.origin !== this.#base.origin || !url.pathname.startsWith(basePath)) {
      throw new BitbucketError(
        'BITBUCKET_BAD_RESPONSE',
        `Bitbucket returned a "next" page link outside ${this.baseUrl} (${url.origin}); not following it, so the token is not sent elsewhere.`,
        { url: url.origin },
      );
    }
    return url;
  }

  #authorization(): string {
    const a = this.#auth;
    if (a.kind === 'bearer') return `Bearer ${a.token.reveal()}`;
    return `Basic ${Buffer.from(`${a.email}:${a.token.reveal()}`).toString('base64')}`;
  }

  /** Every form in which the credential could come back to us in text. */
  #secretForms(): string[] {
    const t = this.#auth.token.reveal();
    const forms = [t, encodeURIComponent(t)];
    if (this.#auth.kind === 'basic') {
      const pair = `${this.#auth.email}:${t}`;
      forms.push(pair, Buffer.from(pair).toString('base64'));
    }
    return forms;
  }

  #redact(text: string): string {
    return redactText(text, this.#secretForms());
  }

  async #request<T>(url: URL, options: WriteOptions, method: HttpMethod = 'GET', body?: unknown): Promise<T> {
    const started = performance.now();
    const shown = `${url.pathname}${url.search}`;
    const what = options.what ?? shown;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    const log = (status: number | undefined, errorCode?: BitbucketErrorCode): void => {
      this.#log?.({ method, url: url.toString(), status, ms: Math.round(performance.now() - started), errorCode });
    };
    let res: Response;
    let text: string;
    const headers: Record<string, string> = { Authorization: this.#authorization(), Accept: 'application/json', 'User-Agent': 'runner-tray' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        redirect: 'error',
        signal,
      });
      text = await res.text();
    } catch (err) {
      const e = this.#transportError(err, `${method} ${shown}`, timeout, options.signal);
      log(undefined, e.code);
      throw e;
    }
    if (res.ok && (res.status === 204 || (method === 'DELETE' && text.trim() === ''))) {
      log(res.status);
      return undefined as T;
    }
    if (res.ok) {
      try {
        const body = JSON.parse(text) as T;
        log(res.status);
        return body;
      } catch {
        log(res.status, 'BITBUCKET_BAD_RESPONSE');
        throw new BitbucketError(
          'BITBUCKET_BAD_RESPONSE',
          `Bitbucket answered ${what} with something that is not JSON (HTTP ${res.status}); is ${BITBUCKET_API_ENV} (${this.baseUrl}) a Bitbucket Cloud 2.0 API?`,
          { status: res.status },
        );
      }
    }
    const e = this.#httpError(res, text, what, options);
    log(res.status, e.code);
    throw e;
  }

  #transportError(err: unknown, shown: string, timeout: AbortSignal, callerSignal?: AbortSignal): BitbucketError {
    if (callerSignal?.aborted && !timeout.aborted) {
      return new BitbucketError('BITBUCKET_TIMEOUT', `The request ${shown} was cancelled.`);
    }
    if (timeout.aborted) {
      return new BitbucketError(
        'BITBUCKET_TIMEOUT',
        `Bitbucket did not answer ${shown} within ${this.timeoutMs / 1000} s. Check the network or proxy; it is retried later.`,
      );
    }
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const reason = this.#redact(cause?.code ?? cause?.message ?? (err as Error).message ?? String(err));
    return new BitbucketError(
      'BITBUCKET_NETWORK',
      `Cannot reach Bitbucket at ${this.#base.origin} (${reason}). Check the network, DNS and proxy settings${
        this.baseUrl === DEFAULT_BITBUCKET_API ? '' : `, and ${BITBUCKET_API_ENV} (now ${this.baseUrl})`
      }.`,
    );
  }

  #httpError(res: Response, text: string, what: string, options: WriteOptions = {}): BitbucketError {
    const status = res.status;
    const said = this.#upstreamMessage(text);
    const saidPart = said ? ` Bitbucket said: "${said}".` : '';
    const scopes = (options.scopes ?? REQUIRED_SCOPES).join(', ');
    if (status === 401) {
      const how =
        this.#auth.kind === 'basic'
          ? `Check that the email is the Atlassian account email the API token belongs to. To make a new API token: ${API_TOKEN_URL} → "Create API token with scopes" → app Bitbucket → scopes ${scopes}; then run "runner-tray bitbucket connect --workspace <workspace> --email <email>" and paste it.`
          : `Without --email the token is sent as an access token (Bearer). If it is an Atlassian API token, connect again with --email <your Atlassian email>. To make a new API token: ${API_TOKEN_URL} → "Create API token with scopes" → app Bitbucket → scopes ${scopes}.`;
      return new BitbucketError('BITBUCKET_UNAUTHORIZED', `Bitbucket rejected the token (HTTP 401): it is wrong, expired or revoked.${saidPart} ${how}`, {
        status,
      });
    }
    if (status === 403) {
      if (options.scopes) {
        const missing = missingScopes(text, options.scopes);
        const lacks =
          missing.length > 0
            ? `the token lacks the scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`
            : `the token lacks one of the scopes ${scopes}`;
        return new BitbucketError(
          'BITBUCKET_FORBIDDEN',
          `Bitbucket refused access to ${what} (HTTP 403): ${lacks}, or its account is not an admin of the workspace or repository.${saidPart} Create an API token with the scopes ${scopes} at ${API_TOKEN_URL} (or give the access token those scopes) and run "runner-tray bitbucket connect" again.`,
          { status },
        );
      }
      return new BitbucketError(
        'BITBUCKET_FORBIDDEN',
        `Bitbucket refused access to ${what} (HTTP 403): the token lacks a scope, or its account has no access there.${saidPart} The token needs the scopes ${scopes}; listing runners may also need admin rights on the workspace or repository. Create a token with those scopes at ${API_TOKEN_URL} and connect again.`,
        { status },
      );
    }
    if (status === 400 && options.badRequest) {
      return new BitbucketError(options.badRequest.code, `${options.badRequest.message}${saidPart}`, { status });
    }
    if (status === 404) {
      return new BitbucketError(
        'BITBUCKET_NOT_FOUND',
        `Bitbucket has no ${what} (HTTP 404), or this token cannot see it.${saidPart} Check the spelling: use the workspace and repository slugs from the address https://bitbucket.org/<workspace>/<repository>.`,
        { status },
      );
    }
    if (status === 429) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      const when = retryAfterMs !== undefined ? `in ${Math.ceil(retryAfterMs / 1000)} s` : 'later, with growing pauses';
      return new BitbucketError(
        'BITBUCKET_RATE_LIMITED',
        `Bitbucket's rate limit is exhausted (HTTP 429) while asking for ${what}.${saidPart} Retrying ${when}. Bitbucket counts requests per hour per account or token; watching fewer repositories polls less.`,
        { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
      );
    }
    if (status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
      return new BitbucketError(
        'BITBUCKET_SERVER_ERROR',
        `Bitbucket failed to answer ${what} (HTTP ${status}).${saidPart} This is on Bitbucket's side (see https://bitbucket.status.atlassian.com); it is retried later.`,
        { status, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) },
      );
    }
    return new BitbucketError('BITBUCKET_BAD_REQUEST', `Bitbucket did not accept the request for ${what} (HTTP ${status}).${saidPart}`, { status });
  }

  /** Bitbucket's own words, redacted (servers and proxies may echo the request) and kept short. */
  #upstreamMessage(text: string): string {
    let message: string;
    try {
      const body = JSON.parse(text) as ApiErrorBody;
      const m = body.error?.message;
      const d = body.error?.detail;
      message = [m, typeof d === 'string' ? d : undefined].filter(Boolean).join(' — ');
    } catch {
      message = /<[a-z!]/i.test(text) ? '' : text;
    }
    message = this.#redact(message.replace(/\s+/g, ' ').trim());
    return message.length > 300 ? `${message.slice(0, 300)}…` : message;
  }
}

/**
 * Of `needed`, the scopes Bitbucket's 403 answer says are required but not granted
 * (`error.detail.{required, granted}`, where it sends them); all of `needed` the answer names as
 * required when it lists no granted ones; empty when the answer says nothing about scopes.
 */
export function missingScopes(text: string, needed: readonly string[]): string[] {
  let detail: unknown;
  try {
    detail = (JSON.parse(text) as ApiErrorBody).error?.detail;
  } catch {
    return [];
  }
  if (!detail || typeof detail !== 'object') return [];
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const required = list((detail as Record<string, unknown>).required);
  const granted = new Set(list((detail as Record<string, unknown>).granted));
  return needed.filter((s) => required.includes(s) && !granted.has(s));
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
