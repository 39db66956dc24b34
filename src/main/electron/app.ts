/**
 * The desktop app's entry (package.json `main`): wires Electron to the same host as
 * `runner-tray serve` — the app context, the runner monitor, the API — and adds the window,
 * the IPC transport, the tray and notifications. Everything with logic lives in the modules
 * it imports; this file only decides the order.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, clipboard, dialog, ipcMain, Menu, nativeImage, Notification, protocol, safeStorage, session, shell, Tray } from 'electron';
import { AppContext } from '../app-context.js';
import type { ContractEvent } from '../../shared/contract/index.js';
import { startHost, type Host } from '../host.js';
import { acquireInstanceLock } from '../instance-lock.js';
import { clipboardHasRunnerCommand, clipboardSource } from './clipboard.js';
import { registerIpc, type IpcRegistration } from './ipc.js';
import { openAtLogin, setOpenAtLogin, startedAtLogin } from './login-item.js';
import { notificationListener } from './notifications.js';
import { allowBasicTextFromEnv, SafeStorageVault } from './safe-storage-vault.js';
import { denyPermissions, hardenWebContents, registerAppScheme, serveAppScheme } from './security.js';
import { loadTrayPools, loadTrayRunners, TrayController } from './tray.js';
import { bringBackQuestion, stepRunningQuestion, stopFromTray, type TrayIcon, type TrayLanguage } from './tray-menu.js';
import { moveToClusterRoute } from '../../shared/window-route.js';
import { createMainWindow } from './window.js';
import { windowOpener } from './window-opener.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const RENDERER_ROOT = path.join(here, '..', '..', 'renderer');
const PRELOAD = path.join(here, '..', '..', 'preload', 'index.cjs');
const log = (line: string) => console.error(`runner-tray: ${line}`);

// Before ready: Electron fixes scheme privileges at start-up.
registerAppScheme(protocol);

if (!app.requestSingleInstanceLock()) {
  // Another instance owns the tray and the runners' streams; it shows its window (second-instance).
  app.quit();
} else {
  void main().catch((e: unknown) => fail('Runner Tray could not start', e));
}

async function main(): Promise<void> {
  let quitting = false;
  let ipc: IpcRegistration | null = null;

  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, { openExternal: (url) => shell.openExternal(url), log }));
  // The app lives in the tray: closing the window is not quitting.
  app.on('window-all-closed', () => undefined);

  await app.whenReady();
  denyPermissions(session.defaultSession);
  serveAppScheme(protocol, RENDERER_ROOT);

  const env = process.env;
  // safeStorage by default; RUNNER_TRAY_VAULT=keyring|file picks the CLI's backends (one vault shared with the CLI).
  const chosen = env.RUNNER_TRAY_VAULT?.trim();
  const ctx: AppContext = new AppContext({
    env,
    log,
    // At login the app races Docker Desktop: come up, say so in the tray and the window, and follow it.
    waitForEngine: true,
    ...(chosen ? {} : { openVault: () => SafeStorageVault.open({ dataDir: ctx.dataDir, safeStorage, allowBasicText: allowBasicTextFromEnv(env) }) }),
  });
  // Until the tray and notifications exist, events wait here: a crash from before the app started
  // is announced while the host comes up, and is notified like any other.
  const early: ContractEvent[] = [];
  let background = (event: ContractEvent) => void early.push(event);
  // A `runner-tray serve` on the same data directory supervises the same runners: say so and stop (fail()).
  const instance = await acquireInstanceLock(ctx.dataDir, { host: 'desktop' });
  let host: Host;
  try {
    // The window is the user at this machine, over IPC from our own page only: it may reveal a manifest's secret.
    host = await startHost({ ctx, clipboard: clipboardSource(clipboard), revealSecrets: true, onBackgroundEvent: (event) => background(event) });
  } catch (e) {
    await instance.release();
    throw e;
  }
  const settings = ctx.settings();
  const language = (): TrayLanguage => settings.get().ui?.language ?? (app.getLocale().toLowerCase().startsWith('pl') ? 'pl' : 'en');

  const windows = windowOpener({
    create: (url) =>
      createMainWindow({
        // The three that matter are restated literally: whatever windowOptions() becomes, they hold,
        // and a static checker (electronegativity) can see them at the constructor.
        create: (options) =>
          new BrowserWindow({
            ...options,
            webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false },
          }),
        preloadPath: PRELOAD,
        url,
        onVisible: (visible) => ipc?.setVisible(visible),
        quitting: () => quitting,
        log,
      }),
    log,
  });
  const showWindow = () => windows.open();

  ipc = registerIpc({
    ipcMain,
    dispatch: host.api.dispatch,
    onEvent: (l) => host.api.events.on(l),
    contents: () => windows.current()?.webContents ?? null,
    log,
  });

  const report = (title: string) => (r: { ok: boolean; error?: { message: string } }) => {
    if (!r.ok && Notification.isSupported()) new Notification({ title, body: r.error?.message ?? '' }).show();
  };
  const loginDeps = { app, env };
  // Stop and Bring back from the tray: asked first (native dialog) when the runner is running a step.
  const askedFromTray = (runnerUuid: string, question: typeof stepRunningQuestion, channel: 'runners.stop' | 'kubernetes.bringBack', failureTitle: string) => {
    const name = trayController.state.runners.find((r) => r.uuid === runnerUuid)?.displayName ?? runnerUuid;
    const confirm = async () => {
      const q = question(language(), name);
      const { response } = await dialog.showMessageBox({
        type: 'warning',
        message: q.message,
        detail: q.detail,
        buttons: q.buttons,
        defaultId: 1,
        cancelId: 1,
      });
      return response === 0;
    };
    void stopFromTray(runnerUuid, (req) => host.api.dispatch(channel, req), confirm).then((r) => r && report(failureTitle)(r));
  };
  const tray = new Tray(trayIcon('stopped'));
  const trayController = new TrayController({
    tray,
    buildMenu: (template) => Menu.buildFromTemplate(template),
    icon: trayIcon,
    initial: {
      engineConnected: host.status.current.engine.connected,
      hostStatus: host.status.current,
      clipboardHasCommand: clipboardHasRunnerCommand(clipboard),
      openAtLogin: openAtLogin(loginDeps),
      language: language(),
    },
    actions: {
      open: showWindow,
      start: (runnerUuid) => void host.api.dispatch('runners.start', { runnerUuid }).then(report('Runner Tray: could not start the runner')),
      stop: (runnerUuid) => askedFromTray(runnerUuid, stepRunningQuestion, 'runners.stop', 'Runner Tray: could not stop the runner'),
      // The add form, which offers the clipboard's command itself (redacted preview, full text on accept).
      addFromClipboard: () => windows.open('add-from-clipboard'),
      openPools: () => windows.open('pools'),
      // A form (context, namespace, kind, size, preview): the window's dialog for that runner.
      moveToCluster: (runnerUuid) => windows.open(moveToClusterRoute(runnerUuid)),
      bringBack: (runnerUuid) => askedFromTray(runnerUuid, bringBackQuestion, 'kubernetes.bringBack', 'Runner Tray: could not bring the runner back'),
      setOpenAtLogin: (enabled) => {
        try {
          setOpenAtLogin(loginDeps, enabled);
        } catch (e) {
          log(`could not change start at login: ${e instanceof Error ? e.message : String(e)}`);
        }
        trayController.update({ openAtLogin: openAtLogin(loginDeps) });
      },
      quit: () => app.quit(),
    },
  });
  const recheckClipboard = () => trayController.update({ clipboardHasCommand: clipboardHasRunnerCommand(clipboard) });
  // No clipboard-change event exists and we do not poll: look when the user is likely about to open the menu.
  tray.on('mouse-enter', recheckClipboard);
  tray.on('click', () => {
    recheckClipboard();
    showWindow();
  });
  app.on('browser-window-blur', recheckClipboard);
  app.on('browser-window-focus', recheckClipboard);

  const notify = notificationListener({
    create: (options) => new Notification(options),
    isSupported: () => Notification.isSupported(),
    enabled: () => settings.get().ui?.notifications ?? true,
    language,
    open: showWindow,
  });
  // The host's background listener: it does not count as someone looking at the UI (no Bitbucket polling for it).
  let listening = true;
  background = (event) => {
    if (!listening) return;
    trayController.onEvent(event);
    if (event.type === 'settings.changed') trayController.update({ language: language() });
    notify(event);
  };
  for (const event of early.splice(0)) background(event);
  const offBackground = () => void (listening = false);
  void loadTrayRunners(host.api.dispatch, trayController);
  void loadTrayPools(host.api.dispatch, trayController);

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  if (!startedAtLogin(app, process.argv)) showWindow();

  let closed = false;
  app.on('before-quit', (event) => {
    quitting = true;
    if (closed) return;
    // Stop following and pushing first; runner containers keep running under Docker's restart policy.
    event.preventDefault();
    closed = true;
    offBackground();
    trayController.close();
    ipc?.dispose();
    void host
      .close()
      .then(() => ctx.close())
      .then(() => instance.release())
      .catch((e: unknown) => log(`closing: ${e instanceof Error ? e.message : String(e)}`))
      .finally(() => {
        tray.destroy();
        app.quit();
      });
  });
}

/** Packaged: resources/tray (electron-builder extraResources); from the checkout: assets/tray. nativeImage picks @2x itself. */
function trayIcon(name: TrayIcon): Electron.NativeImage {
  const dir = app.isPackaged ? path.join(process.resourcesPath, 'tray') : path.join(here, '..', '..', '..', 'assets', 'tray');
  const file = process.platform === 'darwin' ? `${name}Template.png` : `${name}.png`;
  const full = path.join(dir, file);
  if (!existsSync(full)) log(`tray icon missing: ${full}`);
  const image = nativeImage.createFromPath(full);
  if (process.platform === 'darwin') image.setTemplateImage(true);
  return image;
}

function fail(title: string, e: unknown): void {
  // Our errors name the problem and the fix (engine not found, keyring locked, …); say them as they are.
  const message = e instanceof Error ? e.message : String(e);
  log(`${title}: ${message}`);
  dialog.showErrorBox(title, message);
  app.exit(1);
}
