/**
 * The entry's order of things, with a stand-in electron module: the app:// scheme is privileged
 * before ready, a second instance quits at once, and a start that cannot reach Docker (at login
 * the app races Docker Desktop) comes up anyway: no dialog, no exit, and the tray says why. It takes
 * the data directory's host lock, so it and a `runner-tray serve` never supervise the same runners.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

const stand = vi.hoisted(() => ({
  calls: [] as string[],
  lock: true,
  errorBox: [] as Array<[string, string]>,
  exited: null as null | ((code: number) => void),
  openedAtLogin: false,
  app: null as null | import('node:events').EventEmitter,
  trays: [] as Array<import('../../support/electron-standin.js').StandInTray>,
}));

vi.mock('electron', async () => {
  const { StandInSafeStorage, StandInTray } = await import('../../support/electron-standin.js');
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
    getLoginItemSettings: () => ({ openAtLogin: false, wasOpenedAtLogin: stand.openedAtLogin }),
    setLoginItemSettings: () => undefined,
    getAppPath: () => '/app',
  });
  const noop = () => undefined;
  stand.app = app;
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
    Tray: class extends StandInTray {
      constructor(image: unknown) {
        super(image);
        stand.trays.push(this);
      }
    },
    Notification: Object.assign(class {}, { isSupported: () => false }),
    nativeImage: { createFromPath: (path: string) => ({ path, setTemplateImage: noop }) },
  };
});

const home = mkdtempSync(join(tmpdir(), 'app-entry-'));
afterEach(() => {
  vi.resetModules();
  vi.unstubAllEnvs();
  stand.calls.length = 0;
  stand.errorBox.length = 0;
  stand.trays.length = 0;
});
process.on('exit', () => rmSync(home, { recursive: true, force: true }));

describe('desktop entry (with a stand-in electron module)', () => {
  it('a second instance registers the scheme, fails the lock and quits without starting anything', { timeout: 60_000 }, async () => {
    stand.lock = false;
    await import('../../../src/main/electron/app.js');
    expect(stand.calls).toEqual(['registerSchemesAsPrivileged', 'requestSingleInstanceLock', 'quit']);
  });

  it(
    'with no Docker engine: hardens the session, serves app://, comes up without a dialog or exit, and the tray shows the error with its reason',
    { timeout: 60_000 },
    async () => {
      stand.lock = true;
      // Started at login, as when it races Docker Desktop: no window, only the tray.
      stand.openedAtLogin = true;
      vi.stubEnv('RUNNER_TRAY_HOME', home);
      vi.stubEnv('RUNNER_TRAY_VAULT', '');
      vi.stubEnv('DOCKER_HOST', `unix://${join(home, 'no-docker.sock')}`);
      await import('../../../src/main/electron/app.js');
      await vi.waitFor(() => expect(stand.trays[0]?.toolTip).toMatch(/Docker is not reachable/), { timeout: 30_000, interval: 50 });
      expect(stand.calls.slice(0, 5)).toEqual([
        'registerSchemesAsPrivileged',
        'requestSingleInstanceLock',
        'whenReady',
        'setPermissionRequestHandler',
        'protocol.handle app',
      ]);
      const tray = stand.trays[0]!;
      expect(tray.toolTip).toContain('no-docker.sock');
      expect(tray.toolTip).toContain('no such socket');
      expect((tray.image as { path: string }).path).toMatch(/[\\/]error(Template)?\.png$/);
      const menu = tray.menu as Array<{ label?: string; enabled?: boolean }>;
      expect(menu[0]).toMatchObject({ enabled: false });
      expect(menu[0]!.label).toMatch(/^Docker is not reachable: .*no-docker\.sock/);
      // Still running: nothing said "could not start", nothing quit.
      expect(stand.errorBox).toEqual([]);
      expect(stand.calls.filter((c) => c === 'quit' || c.startsWith('exit'))).toEqual([]);

      // It holds the data directory's host lock, so a `runner-tray serve` there says the app runs.
      const lock = join(home, 'serve.lock');
      expect(JSON.parse(readFileSync(lock, 'utf8'))).toMatchObject({ pid: process.pid, host: 'desktop' });

      // A user's Quit closes the host (the engine wait included) and then quits, giving the lock back.
      stand.app!.emit('before-quit', { preventDefault: () => undefined });
      await vi.waitFor(() => expect(stand.calls).toContain('quit'), { timeout: 30_000, interval: 50 });
      expect(tray.destroyed).toBe(true);
      expect(existsSync(lock)).toBe(false);
    },
  );

  it('a runner-tray serve already on the data directory: says where it runs and exits, starting nothing', { timeout: 60_000 }, async () => {
    stand.lock = true;
    stand.openedAtLogin = true;
    const dir = mkdtempSync(join(tmpdir(), 'app-entry-serve-'));
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    // A live pid (the test runner's parent) that answers on its port: a serve as far as the lock can tell.
    writeFileSync(
      join(dir, 'serve.lock'),
      JSON.stringify({ pid: process.ppid, startedAt: new Date().toISOString(), host: 'serve', url: `http://127.0.0.1:${port}/`, port }),
    );
    vi.stubEnv('RUNNER_TRAY_HOME', dir);
    vi.stubEnv('RUNNER_TRAY_VAULT', 'file');
    vi.stubEnv('DOCKER_HOST', `unix://${join(dir, 'no-docker.sock')}`);
    const exited = new Promise<number>((r) => (stand.exited = r));
    try {
      await import('../../../src/main/electron/app.js');
      expect(await exited).toBe(1);
      expect(stand.errorBox).toHaveLength(1);
      expect(stand.errorBox[0]![1]).toContain(`Another runner-tray serve (pid ${process.ppid}) is already running on the data directory ${dir}`);
      expect(stand.errorBox[0]![1]).toContain(`dashboard at http://127.0.0.1:${port}/`);
      expect(stand.trays).toEqual([]);
    } finally {
      stand.exited = null;
      await new Promise((r) => server.close(r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
