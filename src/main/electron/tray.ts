/**
 * The tray controller: keeps the tray's state from the API's events and rebuilds the whole menu,
 * icon and tooltip on every change, debounced. Linux (AppIndicator) shows a menu only as it was
 * when `setContextMenu` was called, so patching items in place is not an option.
 */
import type { Menu, MenuItemConstructorOptions, NativeImage, Tray } from 'electron';
import type { ContractEvent } from '../../shared/contract/events.js';
import type { Result } from '../../shared/contract/result.js';
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { RunnerView } from '../../shared/contract/views.js';
import { trayIconFor, trayMenu, trayTooltip, type TrayActions, type TrayIcon, type TrayPool, type TrayRunner, type TrayState } from './tray-menu.js';

export interface TrayControllerDeps {
  tray: Pick<Tray, 'setContextMenu' | 'setImage' | 'setToolTip'>;
  /** `Menu.buildFromTemplate`. */
  buildMenu: (template: MenuItemConstructorOptions[]) => Menu;
  icon: (name: TrayIcon) => NativeImage;
  actions: TrayActions;
  initial: Omit<TrayState, 'runners'>;
  /** Changes within this window become one rebuild. Default 100 ms. */
  debounceMs?: number;
}

export class TrayController {
  readonly #deps: TrayControllerDeps;
  #state: TrayState;
  readonly #runners = new Map<string, TrayRunner>();
  readonly #pools = new Map<string, TrayPool>();
  #timer: NodeJS.Timeout | null = null;
  #lastIcon: TrayIcon | null = null;
  #closed = false;

  constructor(deps: TrayControllerDeps) {
    this.#deps = deps;
    this.#state = { ...deps.initial, runners: [] };
    this.render();
  }

  get state(): TrayState {
    return this.#state;
  }

  update(patch: Partial<Omit<TrayState, 'runners'>>): void {
    this.#state = { ...this.#state, ...patch };
    this.#schedule();
  }

  /** All the pools, as `pools.list` answers; afterwards `pool.changed` / `pool.removed` keep them current. */
  setPools(views: readonly PoolView[]): void {
    this.#pools.clear();
    for (const v of views) this.#pools.set(v.name, toTrayPool(v));
    this.#renderPools();
  }

  /** The pools' lines, sorted by name; the same lines again rebuild nothing (a pool changes every poll). */
  #renderPools(): void {
    const pools = [...this.#pools.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (JSON.stringify(pools) === JSON.stringify(this.#state.pools ?? [])) return;
    this.update({ pools });
  }

  setRunners(views: RunnerView[]): void {
    this.#runners.clear();
    for (const v of views) this.#runners.set(v.uuid, toTrayRunner(v));
    this.#schedule();
  }

  /** Patches from pushed events: a runner's view travels whole in `runner.changed`, so nothing is refetched. */
  onEvent(event: ContractEvent): void {
    switch (event.type) {
      case 'runner.changed':
        this.#runners.set(event.runner.uuid, toTrayRunner(event.runner));
        this.#schedule();
        return;
      case 'runner.removed':
        if (this.#runners.delete(event.runnerUuid)) this.#schedule();
        return;
      case 'pool.changed':
        this.#pools.set(event.pool.name, toTrayPool(event.pool));
        this.#renderPools();
        return;
      case 'pool.removed':
        if (this.#pools.delete(event.name)) this.#renderPools();
        return;
      case 'engine.connection':
        this.update({ engineConnected: event.connected });
        return;
      case 'host.status':
        this.update({ engineConnected: event.status.engine.connected, hostStatus: event.status });
        return;
      default:
        return;
    }
  }

  /** Now, without waiting for the debounce (e.g. right before the menu is shown). */
  render(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const runners = [...this.#runners.values()].sort((a, b) => a.displayName.localeCompare(b.displayName));
    this.#state = { ...this.#state, runners };
    this.#deps.tray.setContextMenu(this.#deps.buildMenu(trayMenu(this.#state, this.#deps.actions)));
    const icon = trayIconFor(this.#state);
    if (icon !== this.#lastIcon) {
      this.#deps.tray.setImage(this.#deps.icon(icon));
      this.#lastIcon = icon;
    }
    this.#deps.tray.setToolTip(trayTooltip(this.#state));
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setTimeout(() => this.render(), this.#deps.debounceMs ?? 100);
  }
}

function toTrayPool(v: PoolView): TrayPool {
  return { name: v.name, busy: v.counts.busy, desired: v.desired, problem: v.problem };
}

function toTrayRunner(v: RunnerView): TrayRunner {
  const p = v.placement;
  return {
    uuid: v.uuid,
    displayName: v.displayName,
    runnerState: v.runnerState,
    containerState: v.containerState,
    ...(p ? { placement: { context: p.context, namespace: p.namespace, podPhase: p.pod?.phase ?? null } } : {}),
  };
}

/** The pools now (`pools.list`); a failure leaves the menu's pools as they were. */
export async function loadTrayPools(dispatch: (channel: string, payload: unknown) => Promise<Result<unknown>>, tray: TrayController): Promise<void> {
  const result = await dispatch('pools.list', {});
  if (result.ok) tray.setPools(result.value as PoolView[]);
}

/** The first fill; afterwards events keep it current. A failure (engine down) shows as such in the menu. */
export async function loadTrayRunners(dispatch: (channel: string, payload: unknown) => Promise<Result<unknown>>, tray: TrayController): Promise<void> {
  const result = await dispatch('runners.list', {});
  if (result.ok) tray.setRunners(result.value as RunnerView[]);
  else if (result.error.code === 'DOCKER_UNAVAILABLE') tray.update({ engineConnected: false });
}
