/**
 * The tray's "Add runner from clipboard…", the Electron half: the real desktop entry (app.ts) on
 * the private dockerd, with a stand-in electron module (Electron's binary cannot run here; the
 * stand-ins in test/support/electron-standin.ts are shaped like its API). The item sends the window
 * to the Add runner view (a new window at it, or an open one brought back and moved there), and
 * the page's clipboard requests over IPC answer with the redacted preview and a draft id: the
 * secret is in no URL, no reply, no pushed event and no log line. The page's half is
 * test/e2e/add-from-clipboard.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import type { StandInBrowserWindow, StandInIpcMain } from '../support/electron-standin.js';

// Made-up values, shaped like Bitbucket's.
const ACCOUNT = '{6e5d4c3b-2a19-4f8e-9d7c-6b5a4f3e2d1c}';
const RUNNER = '{b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e}';
const SECRET = 'tRaYcLiPbOaRd-0p9o8i7u6y5t4r3e2w1q_m1n2b3v4c5x6z7l8k9j0hGfDsA12';
const COMMAND = [
  'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
  '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
  `-e ACCOUNT_UUID=${ACCOUNT}`,
  `-e RUNNER_UUID=${RUNNER}`,
  '-e RUNTIME_PREREQUISITES_ENABLED=true',
  '-e OAUTH_CLIENT_ID=Qw9Er8Ty7Ui6Op5As4Df3Gh2Jk1Lz0Xc',
  `-e OAUTH_CLIENT_SECRET=${SECRET}`,
  '-e WORKING_DIRECTORY=/tmp',
  `--name runner-${RUNNER.slice(1, -1)}`,
  'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
].join(' ');

const stand = vi.hoisted(() => ({
  clipboard: '',
  menus: [] as MenuItemConstructorOptions[][],
  quits: 0,
  ipcMain: null as unknown as StandInIpcMain,
  windows: [] as StandInBrowserWindow[],
  app: null as unknown as import('node:events').EventEmitter,
}));

vi.mock('electron', async () => {
  const { StandInSafeStorage, StandInIpcMain, StandInBrowserWindow } = await import('../support/electron-standin.js');
  const { EventEmitter } = await import('node:events');
  const noop = () => undefined;
  stand.ipcMain = new StandInIpcMain();
  stand.windows = StandInBrowserWindow.all;
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    requestSingleInstanceLock: () => true,
    quit: () => void stand.quits++,
    exit: noop,
    whenReady: async () => undefined,
    getLocale: () => 'en-US',
    getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
    setLoginItemSettings: noop,
    getAppPath: () => '/app',
  });
  stand.app = app;
  /** `Tray`: an EventEmitter holding what it was last given. */
  class Tray extends EventEmitter {
    setContextMenu(menu: MenuItemConstructorOptions[]) {
      stand.menus.push(menu);
    }
    setImage = noop;
    setToolTip = noop;
    destroy = noop;
  }
  return {
    app,
    protocol: { registerSchemesAsPrivileged: noop, handle: noop },
    session: { defaultSession: { setPermissionRequestHandler: noop, setPermissionCheckHandler: noop, setDevicePermissionHandler: noop } },
    dialog: { showErrorBox: (title: string, content: string) => console.error(`dialog: ${title}: ${content}`) },
    safeStorage: new StandInSafeStorage('gnome_libsecret'),
    shell: { openExternal: async () => undefined },
    clipboard: { readText: () => stand.clipboard },
    ipcMain: stand.ipcMain,
    BrowserWindow: StandInBrowserWindow,
    Menu: { buildFromTemplate: (t: unknown) => t },
    Tray,
    Notification: Object.assign(class {}, { isSupported: () => false }),
    nativeImage: { createFromPath: () => ({ setTemplateImage: noop }) },
  };
});

const home = mkdtempSync(join(tmpdir(), 'desktop-clipboard-'));
const logged: string[] = [];
const PAGE = 'app://runner-tray/index.html';
const ownFrame = (w: StandInBrowserWindow) => ({ url: w.webContents.getURL().split('#')[0]!, parent: null });
const trayItem = (id: string) => stand.menus.at(-1)!.find((i) => i.id === id);
const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as unknown as () => void)();

beforeAll(async () => {
  vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  vi.stubEnv('RUNNER_TRAY_HOME', home);
  vi.stubEnv('RUNNER_TRAY_VAULT', '');
  vi.stubEnv('DOCKER_HOST', `unix://${inject('dockerSocket')}`);
  stand.clipboard = COMMAND;
  await import('../../src/main/electron/app.js');
  // Up once the window is made and the tray has its menu (the app starts with its window unless started at login).
  await vi.waitFor(() => expect(stand.windows.length > 0 && stand.menus.length > 0).toBe(true), { timeout: 60_000, interval: 100 });
}, 90_000);

afterAll(async () => {
  const event = { preventDefault: () => undefined };
  const quit = stand.quits;
  stand.app.emit('before-quit', event);
  await vi.waitFor(() => expect(stand.quits).toBeGreaterThan(quit), { timeout: 30_000 });
  vi.unstubAllEnvs();
  rmSync(home, { recursive: true, force: true });
});

describe('desktop: Add runner from clipboard (stand-in electron, private dockerd)', () => {
  it('the tray offers the item while the clipboard holds a runner command', () => {
    expect(trayItem('add-from-clipboard')).toMatchObject({ label: 'Add runner from clipboard…' });
    expect(stand.windows[0]!.webContents.loads).toEqual([PAGE]);
  });

  it('with the window open but hidden: brings it back and sends it to the Add runner view, in place', () => {
    const w = stand.windows[0]!;
    w.hide();
    click(trayItem('add-from-clipboard'));
    expect(stand.windows).toHaveLength(1);
    expect(w.visible).toBe(true);
    expect(w.webContents.loads).toEqual([PAGE, `${PAGE}#add-from-clipboard`]);
  });

  it("the page's clipboard requests get the redacted preview and a draft id; the secret stays in main", async () => {
    const w = stand.windows[0]!;
    const peek = (await stand.ipcMain.invokeFrom(w.webContents, ownFrame(w), 'clipboard.peek', {})) as {
      ok: true;
      value: { available: boolean; offer: { preview: string; runnerUuid: string; kind: string } };
    };
    expect(peek.ok).toBe(true);
    expect(peek.value.available).toBe(true);
    expect(peek.value.offer).toMatchObject({ runnerUuid: RUNNER, kind: 'workspace' });
    expect(peek.value.offer.preview).toContain('OAUTH_CLIENT_SECRET=');
    expect(peek.value.offer.preview).not.toContain(SECRET);

    const read = (await stand.ipcMain.invokeFrom(w.webContents, ownFrame(w), 'clipboard.read', {})) as {
      ok: true;
      value: { draftId: string; parsed: { valid: boolean } };
    };
    expect(read.ok).toBe(true);
    expect(read.value.parsed.valid).toBe(true);
    expect(read.value.draftId).toMatch(/^[0-9a-f-]{36}$/);
    for (const reply of [peek, read]) expect(JSON.stringify(reply)).not.toContain(SECRET);
  });

  it('with the window gone: makes a new one at the Add runner view', () => {
    stand.windows[0]!.destroy();
    click(trayItem('add-from-clipboard'));
    expect(stand.windows).toHaveLength(2);
    expect(stand.windows[1]!.webContents.loads).toEqual([`${PAGE}#add-from-clipboard`]);
  });

  it('no URL, pushed event or log line carries the secret', () => {
    const urls = stand.windows.flatMap((w) => w.webContents.loads);
    const pushed = stand.windows.flatMap((w) => w.webContents.sent.map((s) => JSON.stringify(s)));
    for (const text of [...urls, ...pushed, ...logged]) expect(text).not.toContain(SECRET);
    // The requests above were logged (one line each), so the log was looked at, not empty.
    expect(logged.some((l) => l.includes('clipboard.read'))).toBe(true);
  });
});
