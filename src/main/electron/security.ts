/**
 * Every security setting of the desktop window in one place: the window's webPreferences, the
 * app:// scheme the UI is served from (with the same CSP as the headless dashboard), and the
 * refusals: no navigation, no new windows, no permissions, no <webview>. The page can only talk
 * to the services through the preload's contract.
 */
import type { BrowserWindowConstructorOptions, Event, Protocol, Session, WebContents, WebContentsWillNavigateEventParams } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../http-bridge/server.js';
import { lookupStatic } from '../http-bridge/static-files.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'runner-tray';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_URL = `${APP_ORIGIN}/index.html`;

/** Links the UI may open, in the user's browser: Bitbucket (step pages, runner settings) and Atlassian's docs. */
export const EXTERNAL_HOSTS: readonly string[] = ['bitbucket.org', 'support.atlassian.com'];

/** Before `app.whenReady`: app:// behaves like https (origin, module scripts, fetch, storage). */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Security headers on every app:// response; the CSP is the headless dashboard's, so both hosts run the same page under the same rules. */
export const APP_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/**
 * Answers app://runner-tray/<path> from the built renderer. `lookupStatic` decodes and resolves
 * the path and refuses anything outside `root` (`..`, encoded dots, backslashes, symlinks).
 */
export async function appSchemeResponse(root: string, requestUrl: string): Promise<Response> {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return new Response('Bad request\n', { status: 400, headers: APP_RESPONSE_HEADERS });
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return new Response('Not found\n', { status: 404, headers: APP_RESPONSE_HEADERS });
  const found = await lookupStatic(root, url.pathname);
  if (!found.ok) return new Response(found.status === 404 ? 'Not found\n' : 'Bad request\n', { status: found.status, headers: APP_RESPONSE_HEADERS });
  return new Response(new Uint8Array(found.file.body), {
    status: 200,
    headers: { ...APP_RESPONSE_HEADERS, 'Content-Type': found.file.contentType, 'Cache-Control': found.file.cacheControl },
  });
}

/** After `app.whenReady`, on the window's session. */
export function serveAppScheme(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, (request) => appSchemeResponse(root, request.url));
}

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 480,
    title: 'Runner Tray',
    // Shown once the page has painted, so the user never sees a white flash.
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
    },
  };
}

/** https only, exactly an allow-listed host: no userinfo tricks (`https://bitbucket.org@evil`), no other ports. */
export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.username === '' && url.password === '' && url.port === '' && EXTERNAL_HOSTS.includes(url.hostname);
}

export interface HardenOptions {
  /** `shell.openExternal`. */
  openExternal: (url: string) => Promise<void>;
  log?: (line: string) => void;
}

/** For every webContents the app creates (`app.on('web-contents-created')`), not only the main window's. */
export function hardenWebContents(contents: WebContents, options: HardenOptions): void {
  const log = options.log ?? (() => undefined);
  // The page is a single-page app: it never needs to leave app://runner-tray/index.html.
  const refuseNavigation = (event: Event<WebContentsWillNavigateEventParams>) => {
    event.preventDefault();
    log(`refused navigation to ${originOf(event.url)}`);
  };
  contents.on('will-navigate', refuseNavigation);
  contents.on('will-redirect', refuseNavigation);
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('refused a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternalUrl(url)) {
      options.openExternal(url).catch(() => log(`could not open ${originOf(url)} in the browser`));
    } else {
      log(`refused to open ${originOf(url)}`);
    }
    return { action: 'deny' };
  });
}

/**
 * No camera, microphone, notifications-from-the-page, geolocation, … The one exception is
 * writing text to the clipboard from our own page: the copy buttons for fix commands and the
 * pipelines snippet use `navigator.clipboard.writeText`. Reading the clipboard goes through
 * the contract (`clipboard.peek`/`clipboard.read`), never the page.
 */
export function denyPermissions(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>): void {
  session.setPermissionRequestHandler((contents, permission, callback) => {
    callback(permission === 'clipboard-sanitized-write' && isOwnPage(contents.getURL()));
  });
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => permission === 'clipboard-sanitized-write' && requestingOrigin === APP_ORIGIN);
  session.setDevicePermissionHandler(() => false);
}

export function isOwnPage(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

/** Logs name where, not what: a URL's query could carry anything. */
function originOf(raw: string): string {
  try {
    const u = new URL(raw);
    return u.origin === 'null' ? `${u.protocol}…` : u.origin;
  } catch {
    return '(not a URL)';
  }
}
