/**
 * The loopback bridge's wire protocol (`runner-tray serve`), shared by the
 * server and the page's HTTP transport so both spell it the same.
 *
 * - `POST /api/session` with `Authorization: Bearer <token>` → 204 + HttpOnly SameSite=Strict cookie
 *   named `runner_tray_session_<server port>`.
 * - `POST /api/<channel>` JSON body → the result envelope; status from `httpStatusFor`.
 * - `GET /api/events` → Server-Sent Events; each message's `data:` is one `ContractEvent` as JSON.
 * - The page URL carries the token in its fragment, `#token=<token>`, never in a query string
 *   (fragments are not sent to servers or written to access logs).
 */
import type { Channel } from './channels.js';

export const API_PREFIX = '/api/';
export const SESSION_PATH = '/api/session';
export const EVENTS_PATH = '/api/events';
export const SESSION_COOKIE = 'runner_tray_session';

/**
 * The session cookie's name for a server on `port`. Cookies are not port-scoped: two dashboards
 * on one machine (or tunnels to two servers) would otherwise overwrite each other's session.
 */
export function sessionCookieName(port: number): string {
  return `${SESSION_COOKIE}_${port}`;
}
export const TOKEN_FRAGMENT_KEY = 'token';

export function channelPath(channel: Channel): string {
  return `${API_PREFIX}${channel}`;
}

/** The channel named by a request path, or null when the path is not a channel path. */
export function channelFromPath(pathname: string): string | null {
  if (!pathname.startsWith(API_PREFIX)) return null;
  const rest = pathname.slice(API_PREFIX.length);
  return /^[a-z]+(\.[a-zA-Z]+)+$/.test(rest) ? rest : null;
}

export function dashboardUrl(port: number, token: string): string {
  return `http://127.0.0.1:${port}/#${TOKEN_FRAGMENT_KEY}=${encodeURIComponent(token)}`;
}
