/**
 * The entry's order of things, with a stand-in electron module: the app:// scheme is privileged
 * before ready, a second instance quits at once, and a start that cannot reach Docker says why
 * in a dialog and exits (after hardening the session and serving app://).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const stand = vi.hoisted(() => ({
  calls: [] as string[],
  lock: true,
  errorBox: [] as Array<[string, string]>,
  exited: null as null | ((code: number) => void),
}));

vi.mock('electron', async () => {
  const { StandInSafeStorage } = await import('../../support/electron-standin.js');
  const { EventEmitter } = await import('node:events');
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    requestSingleInstanceLock: () => (stand.calls.push('requestSingleInstanceLock'), stand.lock),
    quit: () => void stand.calls.push('quit'),
    exit: (code: number) => {
      stand.calls.push(`exit ${code}`);
      stand.exited?.(code);
    },
    whenReady: async () => void stand.calls.push('whenReady'),
    getLocale: () => 'en-US',
    getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: false }),
    setLoginItemSettings: () => undefined,
    getAppPath: () => '/app',
  });
  const noop = () => undefined;
  return {
    app,
    protocol: {
      registerSchemesAsPrivileged: () => void stand.calls.push('registerSchemesAsPrivileged'),
      handle: (scheme: string) => void stand.calls.push(`protocol.handle ${scheme}`),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: () => void stand.calls.push('setPermissionRequestHandler'),
        setPermissionCheckHandler: noop,
        setDevicePermissionHandler: noop,
      },
    },
    dialog: { showErrorBox: (title: string, content: string) => void stand.errorBox.push([title, content]) },
    safeStorage: new StandInSafeStorage('gnome_libsecret'),
    shell: { openExternal: async () => undefined },
    clipboard: { readText: () => '' },
    ipcMain: { handle: noop, removeHandler: noop },
    BrowserWindow: class {},
    Menu: { buildFromTemplate: (t: unknown) => t },
    Tray: class {},
    Notification: Object.assign(class {}, { isSupported: () => false }),
    nativeImage: { createFromPath: () => ({ setTemplateImage: noop }) },
  };
});

const home = mkdtempSync(join(tmpdir(), 'app-entry-'));
afterEach(() => {
  vi.resetModules();
  vi.unstubAllEnvs();
  stand.calls.length = 0;
  stand.errorBox.length = 0;
});
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

describe('desktop entry (with a stand-in electron module)', () => {
  it('a second instance registers the scheme, fails the lock and quits without starting anything', { timeout: 60_000 }, async () => {
    stand.lock = false;
    await import('../../../src/main/electron/app.js');
    expect(stand.calls).toEqual(['registerSchemesAsPrivileged', 'requestSingleInstanceLock', 'quit']);
  });

  it('with no Docker engine: hardens the session, serves app://, then shows why in a dialog and exits 1', { timeout: 60_000 }, async () => {
    stand.lock = true;
    vi.stubEnv('RUNNER_TRAY_HOME', home);
    vi.stubEnv('RUNNER_TRAY_VAULT', '');
    vi.stubEnv('DOCKER_HOST', `unix://${join(home, 'no-docker.sock')}`);
    const exited = new Promise<number>((resolve) => (stand.exited = resolve));
    await import('../../../src/main/electron/app.js');
    expect(await exited).toBe(1);
    expect(stand.calls.slice(0, 5)).toEqual(['registerSchemesAsPrivileged', 'requestSingleInstanceLock', 'whenReady', 'setPermissionRequestHandler', 'protocol.handle app']);
    expect(stand.errorBox).toHaveLength(1);
    expect(stand.errorBox[0]![0]).toBe('Runner Tray could not start');
    expect(stand.errorBox[0]![1]).toMatch(/No Docker engine answered/);
    expect(stand.errorBox[0]![1]).toContain('no-docker.sock');
  });
});
