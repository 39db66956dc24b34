/**
 * Shows the one window, making it if there is none, optionally at a view (src/shared/window-route.ts).
 * A new window loads the page with the route's fragment; a loaded one is sent there by a
 * fragment-only `loadURL`, which Chromium runs as a same-document navigation: no reload, the page's
 * `hashchange` listener opens the view, and Electron resolves the call on `did-navigate-in-page`.
 * (`will-navigate` does not fire for it, so the navigation lock in security.ts stays as it is.)
 */
import type { BrowserWindow } from 'electron';
import { windowRouteHash, type WindowRoute } from '../../shared/window-route.js';
import { APP_URL } from './security.js';

export type OpenableWindow = Pick<BrowserWindow, 'isDestroyed' | 'isMinimized' | 'restore' | 'show' | 'focus'> & {
  on(event: 'closed', listener: () => void): unknown;
  webContents: Pick<BrowserWindow['webContents'], 'loadURL'>;
};

export interface WindowOpenerDeps<W extends OpenableWindow> {
  /** Makes the window, loading the page at `url`. */
  create: (url: string) => W;
  log?: (line: string) => void;
}

export interface WindowOpener<W extends OpenableWindow> {
  open(route?: WindowRoute): void;
  /** The window now, or null while there is none. */
  current(): W | null;
}

export function pageUrl(route?: WindowRoute): string {
  return route ? `${APP_URL}${windowRouteHash(route)}` : APP_URL;
}

export function windowOpener<W extends OpenableWindow>(deps: WindowOpenerDeps<W>): WindowOpener<W> {
  let win: W | null = null;
  return {
    open(route) {
      if (win === null || win.isDestroyed()) {
        const made = deps.create(pageUrl(route));
        win = made;
        made.on('closed', () => {
          if (win === made) win = null;
        });
        return;
      }
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
      if (route) {
        win.webContents
          .loadURL(pageUrl(route))
          .catch((e: unknown) => deps.log?.(`the window could not open ${route}: ${e instanceof Error ? e.message : String(e)}`));
      }
    },
    current: () => (win !== null && !win.isDestroyed() ? win : null),
  };
}
