/**
 * The one window. Closing it hides it (the app lives in the tray); it is destroyed only on quit.
 * Visibility is reported so events flow to the page only while someone can see it.
 */
import type { BrowserWindow, BrowserWindowConstructorOptions } from 'electron';
import { APP_URL, windowOptions } from './security.js';

export interface MainWindowDeps {
  create: (options: BrowserWindowConstructorOptions) => BrowserWindow;
  preloadPath: string;
  /** The page to load; default APP_URL (window-opener.ts adds a view's fragment). */
  url?: string;
  /** Shown on screen (true) or hidden, minimised or gone (false). */
  onVisible: (visible: boolean) => void;
  /** True once the user chose Quit: then `close` really closes. */
  quitting: () => boolean;
  log?: (line: string) => void;
}

export function createMainWindow(deps: MainWindowDeps): BrowserWindow {
  const win = deps.create(windowOptions(deps.preloadPath));
  win.once('ready-to-show', () => win.show());
  win.on('show', () => deps.onVisible(true));
  win.on('restore', () => deps.onVisible(true));
  win.on('hide', () => deps.onVisible(false));
  win.on('minimize', () => deps.onVisible(false));
  win.on('closed', () => deps.onVisible(false));
  win.on('close', (event) => {
    if (deps.quitting()) return;
    event.preventDefault();
    win.hide();
  });
  win.loadURL(deps.url ?? APP_URL).catch((e: unknown) => deps.log?.(`the window could not load its page: ${e instanceof Error ? e.message : String(e)}`));
  return win;
}
