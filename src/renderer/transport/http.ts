/**
 * ContractClient over the headless dashboard's loopback bridge. The token
 * arrives in the URL fragment (never sent to a server, never logged), is traded
 * once for an HttpOnly session cookie, and is then wiped from the address bar and history.
 */
// Runtime imports come from the small modules, not the index, so zod's schemas stay out of the page bundle.
import { EVENTS_PATH, SESSION_PATH, TOKEN_FRAGMENT_KEY, channelPath } from '../../shared/contract/http-protocol.js';
import { isContractEvent } from '../../shared/contract/events.js';
import { isErrorCode } from '../../shared/contract/result.js';
import type { Channel, ContractClient, ContractEvent, EventOf, EventType, RequestOf, ResponseOf, Result } from '../../shared/contract/index.js';

export interface HttpClientEnv {
  location: Pick<Location, 'hash' | 'pathname' | 'search'>;
  history: Pick<History, 'replaceState' | 'state'>;
  fetch: typeof fetch;
  EventSource: typeof EventSource;
  /** The page's visibility; without it the event stream stays open. */
  visibility?: { hidden(): boolean; onChange(listener: () => void): void };
}

/**
 * A page hidden this long closes its event stream, so the service no longer counts it as
 * watching (Bitbucket polling and live stats stop); shown again, it reopens and everything refetches.
 */
export const HIDDEN_CLOSE_MS = 30_000;

export type TransportTextKey = 'noAnswer' | 'badLink' | 'signInNoAnswer' | 'sessionEnded' | 'noResult';
/** The transport's own messages come from the page's dictionaries (`transport.*`), in the UI's language. */
export type TransportText = (key: TransportTextKey, params?: { status?: number }) => string;

export function readFragmentToken(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith('#') ? hash.slice(1) : hash);
  const token = params.get(TOKEN_FRAGMENT_KEY);
  return token && token.length > 0 ? token : null;
}

export function createHttpClient(env: HttpClientEnv = browserEnv(), text: TransportText = (key) => key): ContractClient {
  const session = establishSession(env, text);
  const listeners = new Map<EventType, Set<(event: ContractEvent) => void>>();
  let source: EventSource | null = null;
  let hadError = false;
  let hiddenTimer: ReturnType<typeof setTimeout> | undefined;
  let closedWhileHidden = false;

  function dispatch(event: ContractEvent): void {
    for (const cb of listeners.get(event.type) ?? []) cb(event);
  }

  env.visibility?.onChange(() => {
    clearTimeout(hiddenTimer);
    if (env.visibility!.hidden()) {
      hiddenTimer = setTimeout(() => {
        if (!source) return;
        source.close();
        source = null;
        closedWhileHidden = true;
      }, HIDDEN_CLOSE_MS);
    } else if (closedWhileHidden) {
      // Whatever happened meanwhile was not heard: reopen, and have every view refetch once open.
      hadError = true;
      closedWhileHidden = false;
      openEvents();
    }
  });

  function openEvents(): void {
    if (source) return;
    void session.then(() => {
      if (source || closedWhileHidden) return;
      source = new env.EventSource(EVENTS_PATH, { withCredentials: true });
      source.onmessage = (message) => {
        let data: unknown;
        try {
          data = JSON.parse(String(message.data));
        } catch {
          return;
        }
        if (isContractEvent(data)) dispatch(data);
      };
      source.onerror = () => {
        hadError = true;
      };
      source.onopen = () => {
        // EventSource reconnects by itself; whatever happened in the gap is lost.
        if (hadError) dispatch({ type: 'resync' });
        hadError = false;
      };
    });
  }

  return {
    async invoke<C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Result<ResponseOf<C>>> {
      const sessionError = await session;
      if (sessionError) return sessionError;
      try {
        const response = await env.fetch(channelPath(channel), {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify(payload ?? {}),
        });
        return await readEnvelope<ResponseOf<C>>(response, text);
      } catch {
        return { ok: false, error: { code: 'INTERNAL', message: text('noAnswer') } };
      }
    },
    on<E extends EventType>(type: E, listener: (event: EventOf<E>) => void): () => void {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      const cb = listener as (event: ContractEvent) => void;
      set.add(cb);
      openEvents();
      return () => {
        set.delete(cb);
      };
    },
  };
}

type SessionError = { ok: false; error: { code: 'UNAUTHORIZED' | 'INTERNAL'; message: string } };

async function establishSession(env: HttpClientEnv, text: TransportText): Promise<SessionError | null> {
  const token = readFragmentToken(env.location.hash);
  // Without a token in the URL this is a reload: the cookie from the first visit still holds.
  if (!token) return null;
  env.history.replaceState(env.history.state, '', env.location.pathname + env.location.search);
  try {
    const response = await env.fetch(SESSION_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Authorization: `Bearer ${token}` },
    });
    if (response.ok) return null;
    return { ok: false, error: { code: 'UNAUTHORIZED', message: text('badLink') } };
  } catch {
    return { ok: false, error: { code: 'INTERNAL', message: text('signInNoAnswer') } };
  }
}

async function readEnvelope<T>(response: Response, text: TransportText): Promise<Result<T>> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  if (isEnvelope<T>(body)) return body;
  if (response.status === 401) {
    return { ok: false, error: { code: 'UNAUTHORIZED', message: text('sessionEnded') } };
  }
  return { ok: false, error: { code: 'INTERNAL', message: text('noResult', { status: response.status }) } };
}

function isEnvelope<T>(body: unknown): body is Result<T> {
  if (typeof body !== 'object' || body === null) return false;
  const b = body as { ok?: unknown; value?: unknown; error?: { code?: unknown; message?: unknown } };
  if (b.ok === true) return 'value' in b;
  return b.ok === false && typeof b.error?.message === 'string' && isErrorCode(b.error.code);
}

function browserEnv(): HttpClientEnv {
  return {
    location: window.location,
    history: window.history,
    fetch: window.fetch.bind(window),
    EventSource: window.EventSource,
    visibility: { hidden: () => document.hidden, onChange: (listener) => document.addEventListener('visibilitychange', listener) },
  };
}
