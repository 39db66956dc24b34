/** The tray with runners on a cluster: where each runs, the way back, and the move that opens the window. */
import { describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';

vi.mock('electron', () => ({}));

const { trayMenu, bringBackQuestion, stopFromTray } = await import('../../../src/main/electron/tray-menu.js');
const { TrayController } = await import('../../../src/main/electron/tray.js');
const { moveRouteRunner, moveToClusterRoute, parseWindowRoute, windowRouteHash } = await import('../../../src/shared/window-route.js');
type TrayState = import('../../../src/main/electron/tray-menu.js').TrayState;
type RunnerView = import('../../../src/shared/contract/views.js').RunnerView;

const A = '{0a1b2c3d-1111-4222-8333-444455556666}';
const B = '{0a1b2c3d-2222-4222-8333-444455556666}';
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
      moveToCluster: (u: string) => calls.push(`move ${u}`),
      bringBack: (u: string) => calls.push(`bring back ${u}`),
      setOpenAtLogin: (b: boolean) => calls.push(`login ${b}`),
      quit: () => calls.push('quit'),
    },
  };
}

type Item = MenuItemConstructorOptions & { submenu: MenuItemConstructorOptions[] };
const labels = (items: MenuItemConstructorOptions[]) =>
  items.map((i) => (i.type === 'separator' ? '—' : `${i.label}${i.enabled === false ? ' (disabled)' : ''}`));
const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as unknown as (m: { checked: boolean }) => void)({ checked: false });

describe('tray menu with Kubernetes placements', () => {
  it('shows where a cluster runner runs and offers only the way back; a local one offers the move', () => {
    const { actions, calls } = recorder();
    const menu = trayMenu(
      {
        ...base,
        runners: [
          { uuid: A, displayName: 'build-1', runnerState: 'ONLINE', containerState: 'running' },
          {
            uuid: B,
            displayName: 'build-2',
            runnerState: 'STOPPED',
            containerState: 'missing',
            placement: { context: 'prod', namespace: 'ci', podPhase: 'Running' },
          },
        ],
      },
      actions,
    ) as Item[];
    expect(labels(menu).slice(0, 2)).toEqual(['build-1 — online', 'build-2 — stopped · prod / ci']);
    expect(labels(menu[0]!.submenu)).toEqual(['Start (disabled)', 'Stop', '—', 'Move to cluster…']);
    expect(labels(menu[1]!.submenu)).toEqual(['On Kubernetes: prod / ci (pod Running) (disabled)', 'Bring back to this machine']);
    click(menu[0]!.submenu[3]);
    click(menu[1]!.submenu[1]);
    expect(calls).toEqual([`move ${A}`, `bring back ${B}`]);
  });

  it('says it in Polish, without a pod phase when none is known', () => {
    const menu = trayMenu(
      {
        ...base,
        language: 'pl',
        runners: [
          { uuid: B, displayName: 'r', runnerState: 'STOPPED', containerState: 'missing', placement: { context: 'c', namespace: 'n', podPhase: null } },
        ],
      },
      recorder().actions,
    ) as Item[];
    expect(labels(menu[0]!.submenu)).toEqual(['W Kubernetes: c / n (disabled)', 'Przywróć na ten komputer']);
  });

  it('takes the placement from runner views, pod phase included', () => {
    const built: MenuItemConstructorOptions[][] = [];
    const controller = new TrayController({
      tray: { setContextMenu: () => undefined, setImage: () => undefined, setToolTip: () => undefined },
      buildMenu: (t) => (built.push(t), {}) as never,
      icon: () => ({}) as never,
      actions: recorder().actions,
      initial: { engineConnected: true, clipboardHasCommand: false, openAtLogin: false, language: 'en' },
    });
    const view: RunnerView = {
      uuid: B,
      displayName: 'build-2',
      kind: 'workspace',
      name: 'runner-x',
      runnerState: 'STOPPED',
      containerState: 'missing',
      image: 'img',
      workingDirectory: '/tmp',
      placement: {
        type: 'kubernetes',
        context: 'prod',
        server: 'https://k8s.example.invalid',
        namespace: 'ci',
        workload: 'deployment',
        appliedAt: '2026-01-01T00:00:00.000Z',
        pod: { name: 'p', phase: 'Pending', ready: false, restarts: 0, node: null, lastTermination: null },
        problem: null,
      },
    };
    controller.setRunners([view]);
    controller.render();
    expect(built.at(-1)![0]!.label).toBe('build-2 — stopped · prod / ci');
    expect(labels((built.at(-1)![0] as Item).submenu)[0]).toBe('On Kubernetes: prod / ci (pod Pending) (disabled)');
    controller.close();
  });

  it('asks before bringing a runner back mid-step, and forces only on a yes', async () => {
    const sent: boolean[] = [];
    const bringBack = async (req: { runnerUuid: string; force: boolean }) => {
      sent.push(req.force);
      return req.force ? { ok: true as const } : { ok: false as const, error: { code: 'STEP_RUNNING', message: 'a step runs' } };
    };
    expect(await stopFromTray(A, bringBack, async () => false)).toBeNull();
    expect(await stopFromTray(A, bringBack, async () => true)).toEqual({ ok: true });
    expect(sent).toEqual([false, false, true]);
    expect(bringBackQuestion('en', 'r').buttons).toEqual(['Bring back and fail the step', 'Cancel']);
  });
});

describe('the move route', () => {
  it('names one runner without braces and reads it back braced; anything else is no route', () => {
    const route = moveToClusterRoute(A);
    expect(windowRouteHash(route)).toBe('#move-to-cluster/0a1b2c3d-1111-4222-8333-444455556666');
    expect(parseWindowRoute(windowRouteHash(route))).toBe(route);
    expect(moveRouteRunner(route)).toBe(A);
    expect(moveRouteRunner('add-from-clipboard')).toBeNull();
    for (const bad of ['#move-to-cluster/', '#move-to-cluster/x', '#move-to-cluster/{0a1b2c3d-1111-4222-8333-444455556666}', '#move-to-cluster/../x'])
      expect(parseWindowRoute(bad), bad).toBeNull();
  });
});
