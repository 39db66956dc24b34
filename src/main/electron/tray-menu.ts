/**
 * What the tray shows, as pure functions of the state: the menu template, the icon and the
 * tooltip. The controller (tray.ts) rebuilds all three from scratch on every change.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { ContainerState, HostStatusView, RunnerState } from '../../shared/contract/views.js';
import { trayProblems } from './tray-problems.js';

export type TrayLanguage = 'en' | 'pl';
export type TrayIcon = 'idle' | 'busy' | 'error' | 'stopped';
export const TRAY_ICONS: readonly TrayIcon[] = ['idle', 'busy', 'error', 'stopped'];

export interface TrayRunner {
  uuid: string;
  displayName: string;
  runnerState: RunnerState;
  containerState: ContainerState;
  /** Set while it runs on a cluster (`RunnerView.placement`); the pod's phase when the cluster watch knows it. */
  placement?: { context: string; namespace: string; podPhase: string | null };
}

/** A pool as the tray shows it: enough for one line and its problem. */
export interface TrayPool {
  name: string;
  busy: number;
  desired: number;
  problem: string | null;
}

export interface TrayState {
  runners: TrayRunner[];
  /** Runner pools (`pool add`); none: the menu has no pools part. */
  pools?: TrayPool[];
  engineConnected: boolean;
  /** The clipboard holds something that looks like a runner command (never the text itself). */
  clipboardHasCommand: boolean;
  openAtLogin: boolean;
  language: TrayLanguage;
  /** What keeps the host from working (no Docker yet, no usable vault): error icon, tooltip and menu say why. */
  hostStatus?: HostStatusView;
}

export interface TrayActions {
  open(): void;
  start(runnerUuid: string): void;
  stop(runnerUuid: string): void;
  addFromClipboard(): void;
  /** The window at its Pools screen. */
  openPools?(): void;
  /** Opens the window at the runner's "Move to cluster…" dialog (a form: context, namespace, preview). */
  moveToCluster?(runnerUuid: string): void;
  /** Deletes the runner's workload and starts it here again (asks first when it runs a step). */
  bringBack?(runnerUuid: string): void;
  setOpenAtLogin(enabled: boolean): void;
  quit(): void;
}

const TEXT = {
  en: {
    states: { STARTING: 'starting', ONLINE: 'online', BUSY: 'busy', UNHEALTHY: 'unhealthy', STOPPED: 'stopped', CRASHED: 'crashed' },
    start: 'Start',
    stop: 'Stop',
    open: 'Open Runner Tray',
    addFromClipboard: 'Add runner from clipboard…',
    noRunners: 'No runners yet',
    pool: (name: string, busy: number, desired: number) => `${name} — ${busy}/${desired} busy`,
    openPools: 'Open Pools',
    engineDown: 'Docker is not reachable',
    openAtLogin: 'Start at login',
    quit: 'Quit',
    tooltip: (counts: string) => `Runner Tray — ${counts}`,
    none: 'no runners',
    stepRunning: {
      message: (name: string) => `“${name}” is running a step: stopping fails it.`,
      detail: 'Stop it anyway? The step ends as failed in Bitbucket.',
      yes: 'Stop and fail the step',
      no: 'Cancel',
    },
    onCluster: (where: string) => `On Kubernetes: ${where}`,
    pod: (phase: string) => `pod ${phase}`,
    moveToCluster: 'Move to cluster…',
    bringBack: 'Bring back to this machine',
    bringBackStep: {
      message: (name: string) => `“${name}” is running a step on the cluster: bringing it back fails it.`,
      detail: 'Bring it back anyway? The step ends as failed in Bitbucket.',
      yes: 'Bring back and fail the step',
      no: 'Cancel',
    },
  },
  pl: {
    states: { STARTING: 'uruchamianie', ONLINE: 'online', BUSY: 'zajęty', UNHEALTHY: 'niesprawny', STOPPED: 'zatrzymany', CRASHED: 'awaria' },
    start: 'Uruchom',
    stop: 'Zatrzymaj',
    open: 'Otwórz Runner Tray',
    addFromClipboard: 'Dodaj runner ze schowka…',
    noRunners: 'Brak runnerów',
    pool: (name: string, busy: number, desired: number) => `${name} — zajęte ${busy}/${desired}`,
    openPools: 'Otwórz pule',
    engineDown: 'Docker jest niedostępny',
    openAtLogin: 'Uruchamiaj po zalogowaniu',
    quit: 'Zakończ',
    tooltip: (counts: string) => `Runner Tray — ${counts}`,
    none: 'brak runnerów',
    stepRunning: {
      message: (name: string) => `„${name}” wykonuje krok: zatrzymanie przerwie go niepowodzeniem.`,
      detail: 'Zatrzymać mimo to? Krok zakończy się w Bitbucket błędem.',
      yes: 'Zatrzymaj i przerwij krok',
      no: 'Anuluj',
    },
    onCluster: (where: string) => `W Kubernetes: ${where}`,
    pod: (phase: string) => `pod ${phase}`,
    moveToCluster: 'Przenieś do klastra…',
    bringBack: 'Przywróć na ten komputer',
    bringBackStep: {
      message: (name: string) => `„${name}” wykonuje krok w klastrze: przywrócenie przerwie go niepowodzeniem.`,
      detail: 'Przywrócić mimo to? Krok zakończy się w Bitbucket błędem.',
      yes: 'Przywróć i przerwij krok',
      no: 'Anuluj',
    },
  },
} as const satisfies Record<TrayLanguage, unknown>;

/** A container that runs (or is coming back) can be stopped; any other can be started. */
function isUp(r: TrayRunner): boolean {
  return r.containerState === 'running' || r.containerState === 'restarting';
}

export function trayMenu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const t = TEXT[state.language];
  const items: MenuItemConstructorOptions[] = [];
  const problems = trayProblems(state.hostStatus, state.language);
  if (problems.length > 0) items.push(...problems.map((label) => ({ label, enabled: false })), { type: 'separator' });
  else if (!state.engineConnected) items.push({ label: t.engineDown, enabled: false }, { type: 'separator' });
  if (state.runners.length === 0) items.push({ label: t.noRunners, enabled: false });
  for (const r of state.runners) items.push(r.placement ? clusterRunnerItem(r, r.placement, state, actions) : localRunnerItem(r, state, actions));
  items.push(...poolItems(state, actions));
  items.push({ type: 'separator' }, { id: 'open', label: t.open, click: () => actions.open() });
  if (state.clipboardHasCommand) items.push({ id: 'add-from-clipboard', label: t.addFromClipboard, click: () => actions.addFromClipboard() });
  items.push(
    { type: 'separator' },
    { id: 'open-at-login', label: t.openAtLogin, type: 'checkbox', checked: state.openAtLogin, click: (item) => actions.setOpenAtLogin(item.checked) },
    { id: 'quit', label: t.quit, click: () => actions.quit() },
  );
  return items;
}

/** A native menu line is no place for a paragraph. */
const PROBLEM_CHARS = 90;

function shorten(text: string): string {
  return text.length <= PROBLEM_CHARS ? text : `${text.slice(0, PROBLEM_CHARS - 1)}…`;
}

/** Each pool (busy of desired) with its problem under it, then "Open Pools"; nothing without pools. */
function poolItems(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  const pools = state.pools ?? [];
  if (pools.length === 0) return [];
  const t = TEXT[state.language];
  const open = () => (actions.openPools ?? actions.open)();
  const items: MenuItemConstructorOptions[] = [{ type: 'separator' }];
  for (const p of pools) {
    items.push({ id: `pool:${p.name}`, label: t.pool(p.name, p.busy, p.desired), click: open });
    if (p.problem) items.push({ id: `pool-problem:${p.name}`, label: `⚠ ${shorten(p.problem)}`, enabled: false });
  }
  items.push({ id: 'open-pools', label: t.openPools, click: open });
  return items;
}

function localRunnerItem(r: TrayRunner, state: TrayState, actions: TrayActions): MenuItemConstructorOptions {
  const t = TEXT[state.language];
  const submenu: MenuItemConstructorOptions[] = [
    { id: `start:${r.uuid}`, label: t.start, enabled: state.engineConnected && !isUp(r), click: () => actions.start(r.uuid) },
    { id: `stop:${r.uuid}`, label: t.stop, enabled: state.engineConnected && isUp(r), click: () => actions.stop(r.uuid) },
  ];
  const move = actions.moveToCluster;
  if (move) submenu.push({ type: 'separator' }, { id: `move:${r.uuid}`, label: t.moveToCluster, click: () => move(r.uuid) });
  return { id: `runner:${r.uuid}`, label: `${r.displayName} — ${t.states[r.runnerState]}`, submenu };
}

/** A runner on a cluster: where, its pod, and the way back; Start and Stop are this machine's and do not apply. */
function clusterRunnerItem(r: TrayRunner, p: NonNullable<TrayRunner['placement']>, state: TrayState, actions: TrayActions): MenuItemConstructorOptions {
  const t = TEXT[state.language];
  const where = `${p.context} / ${p.namespace}`;
  const submenu: MenuItemConstructorOptions[] = [
    { id: `where:${r.uuid}`, label: `${t.onCluster(where)}${p.podPhase ? ` (${t.pod(p.podPhase)})` : ''}`, enabled: false },
  ];
  const back = actions.bringBack;
  if (back) submenu.push({ id: `bring-back:${r.uuid}`, label: t.bringBack, click: () => back(r.uuid) });
  return { id: `runner:${r.uuid}`, label: `${r.displayName} — ${t.states[r.runnerState]} · ${where}`, submenu };
}

/** The worst news wins: trouble before work before idle before nothing running. */
export function trayIconFor(state: Pick<TrayState, 'runners' | 'engineConnected'> & Partial<Pick<TrayState, 'hostStatus' | 'language'>>): TrayIcon {
  if (
    !state.engineConnected ||
    trayProblems(state.hostStatus, state.language ?? 'en').length > 0 ||
    state.runners.some((r) => r.runnerState === 'CRASHED' || r.runnerState === 'UNHEALTHY')
  )
    return 'error';
  if (state.runners.some((r) => r.runnerState === 'BUSY')) return 'busy';
  if (state.runners.some((r) => r.runnerState === 'ONLINE' || r.runnerState === 'STARTING')) return 'idle';
  return 'stopped';
}

export function trayTooltip(state: Pick<TrayState, 'runners' | 'language'> & Partial<Pick<TrayState, 'hostStatus'>>): string {
  const t = TEXT[state.language];
  const problems = trayProblems(state.hostStatus, state.language);
  if (problems.length > 0) return t.tooltip(problems.join('; '));
  const counts = new Map<RunnerState, number>();
  for (const r of state.runners) counts.set(r.runnerState, (counts.get(r.runnerState) ?? 0) + 1);
  const parts = [...counts].map(([s, n]) => `${n} ${t.states[s]}`);
  return t.tooltip(parts.length > 0 ? parts.join(', ') : t.none);
}

/** The question the tray asks before stopping a runner mid-step (a native message box shows it). */
export function stepRunningQuestion(language: TrayLanguage, displayName: string): { message: string; detail: string; buttons: [string, string] } {
  const q = TEXT[language].stepRunning;
  return { message: q.message(displayName), detail: q.detail, buttons: [q.yes, q.no] };
}

/** The question before bringing a runner back while it runs a step on the cluster. */
export function bringBackQuestion(language: TrayLanguage, displayName: string): { message: string; detail: string; buttons: [string, string] } {
  const q = TEXT[language].bringBackStep;
  return { message: q.message(displayName), detail: q.detail, buttons: [q.yes, q.no] };
}

type StopReply = { ok: true } | { ok: false; error: { code: string; message: string } };

/**
 * The tray's Stop: the service refuses with STEP_RUNNING while a step runs (RunnerLifecycle's
 * rule); then `confirm` asks the user, and only a yes stops it with `force`. Null: the user said no.
 */
export async function stopFromTray(
  runnerUuid: string,
  stop: (request: { runnerUuid: string; force: boolean }) => Promise<StopReply>,
  confirm: () => Promise<boolean>,
): Promise<StopReply | null> {
  const first = await stop({ runnerUuid, force: false });
  if (first.ok || first.error.code !== 'STEP_RUNNING') return first;
  return (await confirm()) ? stop({ runnerUuid, force: true }) : null;
}
