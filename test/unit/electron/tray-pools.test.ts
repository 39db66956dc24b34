/** The pools part of the tray menu: each pool's busy/desired and problem, and "Open Pools". */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';

vi.mock('electron', () => ({}));

const { trayMenu } = await import('../../../src/main/electron/tray-menu.js');
const { TrayController, loadTrayPools } = await import('../../../src/main/electron/tray.js');
type TrayState = import('../../../src/main/electron/tray-menu.js').TrayState;
type PoolView = import('../../../src/shared/contract/pool-views.js').PoolView;

const base: TrayState = { runners: [], engineConnected: true, clipboardHasCommand: false, openAtLogin: false, language: 'en' };

function recorder() {
  const calls: string[] = [];
  return {
    calls,
    actions: {
      open: () => calls.push('open'),
      openPools: () => calls.push('openPools'),
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
const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as unknown as () => void)();

function poolView(name: string, busy: number, desired: number, problem: string | null = null): PoolView {
  return {
    name,
    on: 'docker',
    workspace: 'acme',
    repository: null,
    labels: ['docker'],
    min: 0,
    max: 3,
    idle: 0,
    coolDownSeconds: 300,
    startTimeoutSeconds: 120,
    size: '1x',
    kubernetes: null,
    status: 'active',
    desired,
    counts: { busy, idle: desired - busy, starting: 0, offline: 0, waiting: 0, waitingUnknownLabels: 0 },
    cappedBy: null,
    problem,
    notes: [],
    runners: [],
    activity: [],
    history: [],
    observedAt: '2026-12-01T12:00:00.000Z',
  };
}

describe('trayMenu with pools (pure)', () => {
  it('without pools the menu has no pools part', () => {
    expect(labels(trayMenu(base, recorder().actions))).not.toContain('Open Pools');
  });

  it('lists each pool with busy/desired, its problem under it, then Open Pools; a pool line opens the Pools screen', () => {
    const { actions, calls } = recorder();
    const problem =
      'Bitbucket refused to create a runner in workspace "acme" (HTTP 400): runner limit exceeded — Bitbucket allows 100 runners per workspace or repository.';
    const menu = trayMenu(
      {
        ...base,
        pools: [
          { name: 'ci', busy: 1, desired: 2, problem: null },
          { name: 'nightly', busy: 0, desired: 0, problem },
        ],
      },
      actions,
    );
    const shown = labels(menu);
    const at = shown.indexOf('ci — 1/2 busy');
    expect(at).toBeGreaterThan(0);
    expect(shown[at - 1]).toBe('—');
    expect(shown[at + 1]).toBe('nightly — 0/0 busy');
    // A native menu line is short: the problem is cut, and says so with an ellipsis.
    expect(shown[at + 2]).toMatch(/^⚠ Bitbucket refused to create a runner in workspace "acme" \(HTTP 400\).*… \(disabled\)$/);
    expect(shown[at + 2]!.length).toBeLessThan(110);
    expect(shown[at + 3]).toBe('Open Pools');
    click(menu.find((i) => i.id === 'pool:ci'));
    click(menu.find((i) => i.id === 'open-pools'));
    expect(calls).toEqual(['openPools', 'openPools']);
  });

  it('speaks Polish', () => {
    const menu = trayMenu({ ...base, language: 'pl', pools: [{ name: 'ci', busy: 2, desired: 3, problem: null }] }, recorder().actions);
    expect(labels(menu)).toEqual(expect.arrayContaining(['ci — zajęte 2/3', 'Otwórz pule']));
  });
});

describe('TrayController pools (with stand-in Tray and Menu objects)', () => {
  afterEach(() => vi.useRealTimers());

  function controller() {
    const tray = { menus: [] as MenuItemConstructorOptions[][] };
    const c = new TrayController({
      tray: { setContextMenu: (m) => tray.menus.push(m as unknown as MenuItemConstructorOptions[]), setImage: () => undefined, setToolTip: () => undefined },
      buildMenu: (template) => template as never,
      icon: (name) => name as never,
      actions: recorder().actions,
      initial: { engineConnected: true, clipboardHasCommand: false, openAtLogin: false, language: 'en' },
      debounceMs: 100,
    });
    return { c, tray };
  }

  it('fills the pools from pools.list, sorted by name, and rebuilds only when a line changes', async () => {
    vi.useFakeTimers();
    const { c, tray } = controller();
    let answer: PoolView[] = [poolView('web', 0, 1), poolView('ci', 1, 2, 'Docker is not reachable.')];
    const dispatch = async (channel: string) => {
      expect(channel).toBe('pools.list');
      return { ok: true as const, value: answer };
    };
    await loadTrayPools(dispatch, c);
    vi.advanceTimersByTime(100);
    expect(tray.menus).toHaveLength(2);
    const shown = labels(tray.menus[1]!);
    expect(shown.filter((l) => / — \d+\/\d+ busy$/.test(l))).toEqual(['ci — 1/2 busy', 'web — 0/1 busy']);
    expect(shown).toContain('⚠ Docker is not reachable. (disabled)');
    await loadTrayPools(dispatch, c);
    vi.advanceTimersByTime(100);
    expect(tray.menus).toHaveLength(2);
    answer = [poolView('ci', 2, 2)];
    await loadTrayPools(dispatch, c);
    vi.advanceTimersByTime(100);
    expect(tray.menus).toHaveLength(3);
    expect(labels(tray.menus[2]!)).toContain('ci — 2/2 busy');
    expect(labels(tray.menus[2]!)).not.toContain('web — 0/1 busy');
  });

  it('follows pool.changed and pool.removed without asking again', () => {
    vi.useFakeTimers();
    const { c, tray } = controller();
    c.setPools([poolView('ci', 0, 0)]);
    c.onEvent({ type: 'pool.changed', pool: poolView('ci', 2, 3, 'Capped by this machine’s memory.') });
    c.onEvent({ type: 'pool.changed', pool: poolView('web', 0, 1) });
    vi.advanceTimersByTime(100);
    expect(labels(tray.menus.at(-1)!)).toEqual(expect.arrayContaining(['ci — 2/3 busy', '⚠ Capped by this machine’s memory. (disabled)', 'web — 0/1 busy']));
    const built = tray.menus.length;
    // The same numbers again (a poll that changed only the chart's history): no rebuild.
    c.onEvent({ type: 'pool.changed', pool: { ...poolView('web', 0, 1), history: [{ at: '2026-12-01T12:00:00.000Z', desired: 1, busy: 0, waiting: 0 }] } });
    vi.advanceTimersByTime(100);
    expect(tray.menus).toHaveLength(built);
    c.onEvent({ type: 'pool.removed', name: 'ci' });
    c.onEvent({ type: 'pool.removed', name: 'web' });
    vi.advanceTimersByTime(100);
    expect(labels(tray.menus.at(-1)!)).not.toContain('Open Pools');
  });

  it('keeps the pools it has when pools.list fails', async () => {
    vi.useFakeTimers();
    const { c, tray } = controller();
    await loadTrayPools(async () => ({ ok: true as const, value: [poolView('ci', 1, 1)] }), c);
    vi.advanceTimersByTime(100);
    await loadTrayPools(async () => ({ ok: false as const, error: { code: 'INTERNAL' as const, message: 'boom' } }), c);
    vi.advanceTimersByTime(100);
    expect(labels(tray.menus.at(-1)!)).toContain('ci — 1/1 busy');
  });
});
