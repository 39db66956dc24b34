import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { StandInWebContents } from '../../support/electron-standin.js';

vi.mock('electron', () => ({}));

const security = await import('../../../src/main/electron/security.js');
const { CONTENT_SECURITY_POLICY } = await import('../../../src/main/http-bridge/server.js');

describe('window options (with a stand-in electron module)', () => {
  it('are exactly the hardened set, with our preload', () => {
    expect(security.windowOptions('/app/dist/preload/index.cjs').webPreferences).toEqual({
      preload: '/app/dist/preload/index.cjs',
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
    });
  });

  it('registers app:// as a standard, secure scheme before ready', () => {
    const calls: unknown[] = [];
    security.registerAppScheme({ registerSchemesAsPrivileged: (s) => calls.push(s) });
    expect(calls).toEqual([[{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]]);
  });
});

describe('hardened webContents (with a stand-in webContents)', () => {
  function hardened() {
    const contents = new StandInWebContents();
    const opened: string[] = [];
    const logs: string[] = [];
    security.hardenWebContents(contents as never, { openExternal: async (u) => void opened.push(u), log: (l) => logs.push(l) });
    return { contents, opened, logs };
  }

  it('refuses every navigation and redirect away from the page', () => {
    const { contents, logs } = hardened();
    expect(contents.navigate('https://evil.example/phish?token=abc')).toBe(false);
    expect(contents.navigate('file:///etc/passwd')).toBe(false);
    expect(contents.navigate('app://runner-tray/other.html', 'will-redirect')).toBe(false);
    // Where, never the query: it could carry anything.
    expect(logs.join('\n')).not.toContain('token=abc');
  });

  it('refuses a <webview>', () => {
    const { contents } = hardened();
    let prevented = false;
    contents.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {});
    expect(prevented).toBe(true);
  });

  it('denies every new window; opens allow-listed https links in the browser instead', async () => {
    const { contents, opened } = hardened();
    const step = 'https://bitbucket.org/acme/api/pipelines/results/42/steps/%7Bstep%7D';
    expect(contents.open(step)).toEqual({ action: 'deny' });
    expect(contents.open('https://support.atlassian.com/bitbucket-cloud/docs/runners/')).toEqual({ action: 'deny' });
    for (const bad of [
      'http://bitbucket.org/acme',
      'https://bitbucket.org.evil.example/',
      'https://bitbucket.org@evil.example/',
      'https://evil.example/?u=https://bitbucket.org',
      'https://bitbucket.org:8443/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
    ]) {
      expect(contents.open(bad)).toEqual({ action: 'deny' });
    }
    await Promise.resolve();
    expect(opened).toEqual([step, 'https://support.atlassian.com/bitbucket-cloud/docs/runners/']);
  });
});

describe('permissions (with a stand-in session)', () => {
  type RequestHandler = (wc: unknown, permission: string, cb: (granted: boolean) => void, details: unknown) => void;
  type CheckHandler = (wc: unknown, permission: string, origin: string, details: unknown) => boolean;
  type DeviceHandler = (details: unknown) => boolean;

  // Shaped like Electron's Session: the three permission handler setters.
  function session() {
    const handlers: { request?: RequestHandler; check?: CheckHandler; device?: DeviceHandler } = {};
    security.denyPermissions({
      setPermissionRequestHandler: (h: RequestHandler) => void (handlers.request = h),
      setPermissionCheckHandler: (h: CheckHandler) => void (handlers.check = h),
      setDevicePermissionHandler: (h: DeviceHandler) => void (handlers.device = h),
    } as never);
    return handlers;
  }

  const ask = (s: ReturnType<typeof session>, permission: string, url: string) => {
    let granted: boolean | undefined;
    s.request!(new StandInWebContents(url), permission, (g: boolean) => (granted = g), {});
    return granted;
  };

  it('denies camera, microphone, notifications, geolocation, clipboard reading, devices…', () => {
    const s = session();
    for (const p of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'pointerLock', 'hid', 'serial']) {
      expect(ask(s, p, 'app://runner-tray/index.html')).toBe(false);
      expect(s.check!(null, p, 'app://runner-tray', {})).toBe(false);
    }
    expect(s.device!({})).toBe(false);
  });

  it('grants writing to the clipboard (the copy buttons) to our own page only', () => {
    const s = session();
    expect(ask(s, 'clipboard-sanitized-write', 'app://runner-tray/index.html')).toBe(true);
    expect(ask(s, 'clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(s.check!(null, 'clipboard-sanitized-write', 'app://runner-tray', {})).toBe(true);
    expect(s.check!(null, 'clipboard-sanitized-write', 'https://evil.example', {})).toBe(false);
  });
});

describe('app:// responses (real files)', () => {
  const root = mkdtempSync(join(tmpdir(), 'app-scheme-'));
  const outside = mkdtempSync(join(tmpdir(), 'app-scheme-outside-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Runner Tray</title>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(outside, 'secret.txt'), 'not for the page');
  symlinkSync(join(outside, 'secret.txt'), join(root, 'assets', 'link.txt'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it("serves the page and its assets with the dashboard's CSP", async () => {
    const page = await security.appSchemeResponse(root, 'app://runner-tray/index.html');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Runner Tray</title>');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const script = await security.appSchemeResponse(root, 'app://runner-tray/assets/index-abc123.js');
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('cannot leave the renderer directory', async () => {
    for (const url of [
      'app://runner-tray/%2e%2e/%2e%2e/etc/passwd',
      'app://runner-tray/assets/..%2f..%2fetc%2fpasswd',
      'app://runner-tray/assets/link.txt',
      'app://runner-tray/..%5c..%5csecret.txt',
      'app://other-host/index.html',
    ]) {
      const r = await security.appSchemeResponse(root, url);
      expect([400, 404], url).toContain(r.status);
      expect(await r.text()).not.toContain('not for the page');
    }
  });
});
