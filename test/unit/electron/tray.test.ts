import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';

vi.mock('electron', () => ({}));

const { trayMenu, trayIconFor, trayTooltip, TRAY_ICONS } = await import('../../../src/main/electron/tray-menu.js');
const { TrayController } = await import('../../../src/main/electron/tray.js');
type TrayState = import('../../../src/main/electron/tray-menu.js').TrayState;
type TrayRunner = import('../../../src/main/electron/tray-menu.js').TrayRunner;
type RunnerView = import('../../../src/shared/contract/views.js').RunnerView;

const A = '{0a1b2c3d-1111-4222-8333-444455556666}';
const B = '{0a1b2c3d-2222-4222-8333-444455556666}';

const runner = (
  uuid: string,
  displayName: string,
  runnerState: TrayRunner['runnerState'],
  containerState: TrayRunner['containerState'] = runnerState === 'STOPPED' ? 'exited' : 'running',
): TrayRunner => ({
  uuid,
  displayName,
  runnerState,
  containerState,
});

const base: TrayState = { runners: [], engineConnected: true, clipboardHasCommand: false, openAtLogin: false, language: 'en' };

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      open: () => calls.push('open'),
      start: (u: string) => calls.push(`start ${u}`),
      stop: (u: string) => calls.push(`stop ${u}`),
      addFromClipboard: () => calls.push('addFromClipboard'),
      setOpenAtLogin: (b: boolean) => calls.push(`login ${b}`),
      quit: () => calls.push('quit'),
    },
  };
}

const labels = (items: MenuItemConstructorOptions[]) =>
  items.map((i) => (i.type === 'separator' ? '—' : `${i.label}${i.enabled === false ? ' (disabled)' : ''}`));
const click = (item: MenuItemConstructorOptions | undefined, checked = false) => (item!.click as unknown as (m: { checked: boolean }) => void)({ checked });

describe('trayMenu (pure)', () => {
  it('with no runners: says so, offers Open, Start at login and Quit', () => {
    expect(labels(trayMenu(base, recorder().actions))).toEqual(['No runners yet (disabled)', '—', 'Open Runner Tray', '—', 'Start at login', 'Quit']);
  });

  it('shows each runner with its state, Stop enabled for a running one and Start for a stopped one', () => {
    const { actions, calls } = recorder();
    const menu = trayMenu({ ...base, runners: [runner(A, 'build-1', 'BUSY'), runner(B, 'build-2', 'STOPPED')] }, actions);
    expect(labels(menu).slice(0, 2)).toEqual(['build-1 — busy', 'build-2 — stopped']);
    const [busy, stopped] = menu as Array<MenuItemConstructorOptions & { submenu: MenuItemConstructorOptions[] }>;
    expect(labels(busy!.submenu)).toEqual(['Start (disabled)', 'Stop']);
    expect(labels(stopped!.submenu)).toEqual(['Start', 'Stop (disabled)']);
    click(busy!.submenu[1]);
    click(stopped!.submenu[0]);
    expect(calls).toEqual([`stop ${A}`, `start ${B}`]);
  });

  it.each([
    ['STARTING', 'starting'],
    ['ONLINE', 'online'],
    ['BUSY', 'busy'],
    ['UNHEALTHY', 'unhealthy'],
    ['STOPPED', 'stopped'],
    ['CRASHED', 'crashed'],
  ] as const)('names the %s state as "%s"', (state, word) => {
    expect(trayMenu({ ...base, runners: [runner(A, 'r', state)] }, recorder().actions)[0]!.label).toBe(`r — ${word}`);
  });

  it('offers "Add runner from clipboard" only when the clipboard holds a runner command', () => {
    const { actions, calls } = recorder();
    expect(labels(trayMenu(base, actions))).not.toContain('Add runner from clipboard…');
    const menu = trayMenu({ ...base, clipboardHasCommand: true }, actions);
    click(menu.find((i) => i.id === 'add-from-clipboard'));
    expect(calls).toEqual(['addFromClipboard']);
  });

  it('with Docker unreachable: says so first and disables Start/Stop', () => {
    const menu = trayMenu({ ...base, engineConnected: false, runners: [runner(A, 'r', 'STOPPED')] }, recorder().actions);
    expect(menu[0]).toMatchObject({ label: 'Docker is not reachable', enabled: false });
    const item = menu.find((i) => i.id === `runner:${A}`) as { submenu: MenuItemConstructorOptions[] };
    expect(item.submenu.map((i) => i.enabled)).toEqual([false, false]);
  });

  it('Start at login is a checkbox showing the current setting; Quit quits', () => {
    const { actions, calls } = recorder();
    const menu = trayMenu({ ...base, openAtLogin: true }, actions);
    const login = menu.find((i) => i.id === 'open-at-login')!;
    expect(login).toMatchObject({ type: 'checkbox', checked: true });
    click(login, false);
    click(menu.find((i) => i.id === 'quit'));
    expect(calls).toEqual(['login false', 'quit']);
  });

  it('speaks Polish', () => {
    expect(labels(trayMenu({ ...base, language: 'pl', runners: [runner(A, 'r', 'CRASHED')] }, recorder().actions))).toEqual([
      'r — awaria',
      '—',
      'Otwórz Runner Tray',
      '—',
      'Uruchamiaj po zalogowaniu',
      'Zakończ',
    ]);
  });
});

describe('trayIconFor (pure)', () => {
  it.each([
    ['no runners', [], true, 'stopped'],
    ['all stopped', [runner(A, 'a', 'STOPPED')], true, 'stopped'],
    ['one online', [runner(A, 'a', 'ONLINE'), runner(B, 'b', 'STOPPED')], true, 'idle'],
    ['one starting', [runner(A, 'a', 'STARTING')], true, 'idle'],
    ['one busy', [runner(A, 'a', 'ONLINE'), runner(B, 'b', 'BUSY')], true, 'busy'],
    ['one crashed beside a busy one', [runner(A, 'a', 'CRASHED'), runner(B, 'b', 'BUSY')], true, 'error'],
    ['one unhealthy', [runner(A, 'a', 'UNHEALTHY')], true, 'error'],
    ['Docker unreachable', [runner(A, 'a', 'ONLINE')], false, 'error'],
  ] as const)('%s → %s', (_name, runners, engineConnected, icon) => {
    expect(trayIconFor({ runners: [...runners], engineConnected })).toBe(icon);
  });

  it('the tooltip counts runners per state', () => {
    expect(trayTooltip({ language: 'en', runners: [runner(A, 'a', 'BUSY'), runner(B, 'b', 'BUSY')] })).toBe('Runner Tray — 2 busy');
    expect(trayTooltip({ language: 'en', runners: [] })).toBe('Runner Tray — no runners');
  });
});

describe('TrayController (with stand-in Tray and Menu objects)', () => {
  afterEach(() => vi.useRealTimers());

  const view = (uuid: string, displayName: string, runnerState: RunnerView['runnerState']): RunnerView => ({
    uuid,
    displayName,
    kind: 'workspace',
    name: `runner-${uuid.slice(1, -1)}`,
    runnerState,
    containerState: runnerState === 'STOPPED' ? 'exited' : 'running',
    image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
    workingDirectory: '/tmp',
  });

  function controller() {
    // Shaped like Electron's Tray: setContextMenu(menu), setImage(image), setToolTip(text).
    const tray = { menus: [] as MenuItemConstructorOptions[][], images: [] as string[], tooltips: [] as string[] };
    const c = new TrayController({
      tray: {
        setContextMenu: (m) => tray.menus.push(m as unknown as MenuItemConstructorOptions[]),
        setImage: (i) => tray.images.push(i as unknown as string),
        setToolTip: (t) => tray.tooltips.push(t),
      },
      buildMenu: (template) => template as never,
      icon: (name) => name as never,
      actions: recorder().actions,
      initial: { engineConnected: true, clipboardHasCommand: false, openAtLogin: false, language: 'en' },
      debounceMs: 100,
    });
    return { c, tray };
  }

  it('builds the menu at once, then rebuilds the whole menu once per burst of changes', () => {
    vi.useFakeTimers();
    const { c, tray } = controller();
    expect(tray.menus).toHaveLength(1);
    expect(tray.images).toEqual(['stopped']);
    c.setRunners([view(A, 'build-1', 'ONLINE')]);
    c.onEvent({ type: 'runner.changed', runner: view(A, 'build-1', 'BUSY') });
    c.onEvent({ type: 'runner.changed', runner: view(B, 'build-2', 'ONLINE') });
    expect(tray.menus).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(tray.menus).toHaveLength(2);
    expect(labels(tray.menus[1]!).slice(0, 2)).toEqual(['build-1 — busy', 'build-2 — online']);
    expect(tray.images).toEqual(['stopped', 'busy']);
    expect(tray.tooltips.at(-1)).toBe('Runner Tray — 1 busy, 1 online');
  });

  it('sets the menu again on every change (Linux shows only what setContextMenu was given), and the icon only when it changes', () => {
    vi.useFakeTimers();
    const { c, tray } = controller();
    c.onEvent({ type: 'runner.changed', runner: view(A, 'a', 'ONLINE') });
    vi.advanceTimersByTime(100);
    c.update({ clipboardHasCommand: true });
    vi.advanceTimersByTime(100);
    c.onEvent({ type: 'runner.removed', runnerUuid: A });
    vi.advanceTimersByTime(100);
    c.onEvent({ type: 'engine.connection', connected: false });
    vi.advanceTimersByTime(100);
    expect(tray.menus).toHaveLength(5);
    expect(labels(tray.menus[2]!)).toContain('Add runner from clipboard…');
    expect(labels(tray.menus[3]!)[0]).toBe('No runners yet (disabled)');
    expect(tray.images).toEqual(['stopped', 'idle', 'stopped', 'error']);
  });

  it('does nothing after close', () => {
    vi.useFakeTimers();
    const { c, tray } = controller();
    c.onEvent({ type: 'runner.changed', runner: view(A, 'a', 'ONLINE') });
    c.close();
    vi.advanceTimersByTime(1000);
    expect(tray.menus).toHaveLength(1);
  });
});

describe('tray icon files', () => {
  const dir = new URL('../../../assets/tray/', import.meta.url);
  /** Width and height from the PNG header (IHDR). */
  const size = (name: string) => {
    const png = readFileSync(new URL(name, dir));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    return [png.readUInt32BE(16), png.readUInt32BE(20)];
  };

  it.each(TRAY_ICONS.map((s) => [s]))('%s: 16 px, @2x 32 px, and macOS template images', (state) => {
    expect(size(`${state}.png`)).toEqual([16, 16]);
    expect(size(`${state}@2x.png`)).toEqual([32, 32]);
    expect(size(`${state}Template.png`)).toEqual([16, 16]);
    expect(size(`${state}Template@2x.png`)).toEqual([32, 32]);
  });
});

const { stopFromTray, stepRunningQuestion } = await import('../../../src/main/electron/tray-menu.js');

describe("the tray's Stop while a step runs", () => {
  const refusal = { ok: false as const, error: { code: 'STEP_RUNNING', message: 'a step is running: stopping fails it.' } };

  it('asks, and stops with force only on a yes', async () => {
    const asked: Array<{ runnerUuid: string; force: boolean }> = [];
    const stop = async (req: { runnerUuid: string; force: boolean }) => (asked.push(req), req.force ? { ok: true as const } : refusal);
    expect(await stopFromTray(A, stop, async () => true)).toEqual({ ok: true });
    expect(asked).toEqual([
      { runnerUuid: A, force: false },
      { runnerUuid: A, force: true },
    ]);
    asked.length = 0;
    expect(await stopFromTray(A, stop, async () => false)).toBeNull();
    expect(asked).toEqual([{ runnerUuid: A, force: false }]);
  });

  it('does not ask when nothing runs, and passes other errors on', async () => {
    let confirmed = 0;
    const down = { ok: false as const, error: { code: 'DOCKER_UNAVAILABLE', message: 'Docker cannot be reached.' } };
    expect(
      await stopFromTray(
        A,
        async () => down,
        async () => (confirmed++, true),
      ),
    ).toEqual(down);
    expect(confirmed).toBe(0);
  });

  it('words the question in both languages', () => {
    expect(stepRunningQuestion('en', 'build box').message).toBe('“build box” is running a step: stopping fails it.');
    expect(stepRunningQuestion('pl', 'build box').buttons).toEqual(['Zatrzymaj i przerwij krok', 'Anuluj']);
  });
});
