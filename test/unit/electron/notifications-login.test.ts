import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

const { notificationListener, notificationText } = await import('../../../src/main/electron/notifications.js');
const { autostartFile, openAtLogin, setOpenAtLogin, startedAtLogin } = await import('../../../src/main/electron/login-item.js');
type ContractEvent = import('../../../src/shared/contract/events.js').ContractEvent;

const RUNNER = '{0a1b2c3d-1111-4222-8333-444455556666}';
const failed: Extract<ContractEvent, { type: 'notification' }> = {
  type: 'notification',
  kind: 'stepFailed',
  runnerUuid: RUNNER,
  runnerDisplayName: 'build-1',
  step: { stepUuid: '{5e6f7a8b-1111-4222-8333-444455556666}', stepName: 'Unit tests', repositoryFullName: 'acme/api' },
};

describe('desktop notifications (with a stand-in Notification)', () => {
  function setup(enabled = true) {
    const shown: Array<{ title?: string; body?: string }> = [];
    const clicks: Array<() => void> = [];
    let opened = 0;
    const listener = notificationListener({
      create: (options) => ({ show: () => shown.push(options), on: (_e: 'click', l: () => void) => clicks.push(l) }),
      isSupported: () => true,
      enabled: () => enabled,
      language: () => 'en',
      open: () => opened++,
    });
    return { listener, shown, clicks, opened: () => opened };
  }

  it('shows a failed step with its repository and name; a click opens the window', () => {
    const { listener, shown, clicks, opened } = setup();
    listener(failed);
    expect(shown).toEqual([expect.objectContaining({ title: 'Step failed on build-1', body: 'acme/api · Unit tests' })]);
    clicks[0]!();
    expect(opened()).toBe(1);
  });

  it('ignores other events, and everything while notifications are off in settings', () => {
    const on = setup();
    on.listener({ type: 'runner.removed', runnerUuid: RUNNER });
    expect(on.shown).toEqual([]);
    const off = setup(false);
    off.listener(failed);
    expect(off.shown).toEqual([]);
  });

  it('has words for every kind, in English and Polish', () => {
    for (const kind of ['stepFailed', 'runnerCrashed', 'runnerOnline'] as const) {
      const en = notificationText({ ...failed, kind }, 'en');
      const pl = notificationText({ ...failed, kind }, 'pl');
      expect(en.title).toContain('build-1');
      expect(pl.title).toContain('build-1');
      expect(pl.title).not.toBe(en.title);
    }
  });
});

describe('start at login (with a stand-in app)', () => {
  const config = mkdtempSync(join(tmpdir(), 'autostart-'));
  afterAll(() => rmSync(config, { recursive: true, force: true }));

  function standInApp() {
    const set: unknown[] = [];
    return {
      set,
      app: {
        isPackaged: false,
        getAppPath: () => '/opt/runner-tray app',
        getLoginItemSettings: () => ({ openAtLogin: set.length > 0 && (set.at(-1) as { openAtLogin: boolean }).openAtLogin, wasOpenedAtLogin: false }),
        setLoginItemSettings: (s: unknown) => void set.push(s),
      },
    };
  }

  it('on Linux writes and removes an XDG autostart entry that starts hidden', () => {
    const { app } = standInApp();
    const deps = { app: app as never, platform: 'linux' as const, env: { XDG_CONFIG_HOME: config }, execPath: '/usr/bin/electron' };
    expect(openAtLogin(deps)).toBe(false);
    setOpenAtLogin(deps, true);
    const file = autostartFile({ XDG_CONFIG_HOME: config });
    expect(file).toBe(join(config, 'autostart', 'runner-tray.desktop'));
    expect(readFileSync(file, 'utf8')).toContain('Exec=/usr/bin/electron "/opt/runner-tray app" --hidden');
    expect(openAtLogin(deps)).toBe(true);
    setOpenAtLogin(deps, false);
    expect(existsSync(file)).toBe(false);
  });

  it('on macOS and Windows uses app.setLoginItemSettings, opening hidden', () => {
    const { app, set } = standInApp();
    setOpenAtLogin({ app: app as never, platform: 'darwin' }, true);
    expect(set).toEqual([{ openAtLogin: true, openAsHidden: true, args: ['--hidden'] }]);
    expect(openAtLogin({ app: app as never, platform: 'darwin' })).toBe(true);
    expect(startedAtLogin(app as never, ['electron', '.', '--hidden'])).toBe(true);
    expect(startedAtLogin(app as never, ['electron', '.'])).toBe(false);
  });
});
