/**
 * The long-running host both `runner-tray serve` and the desktop app own: the runner monitor
 * started (followed logs, supervision), the runners reconciled from the engine by label, and the
 * API over them, all taken from the one AppContext. Each host adds only its transport (loopback
 * HTTP or Electron IPC) on top, so the two cannot drift apart in what they start, in which order,
 * or what they close.
 *
 * It comes up without Docker and without a usable vault (`status` says what is missing and the
 * fix): the monitor waits for the engine on its reconnect backoff, and once the engine answers the
 * runners are reconciled and everything carries on, with no restart.
 */
import { createApi, type Api } from './api/index.js';
import type { ApiEventListener } from './api/api-events.js';
import type { AppContext, RunnerMonitor } from './app-context.js';
import { handMadeNotice } from './runners/import-notice.js';
import { HostStatus } from './host-status.js';
import { CrashRestarts } from './monitor/crash-restart.js';
import { adoptEarlierStops } from './runners/earlier-stops.js';
import type { RunnerService } from './runners/runner-service.js';

export interface HostOptions {
  /** Its `log` gets one line per request, per orphan container, per stream problem; never a payload. Build it with `waitForEngine`. */
  ctx: AppContext;
  /** Desktop only: the system clipboard, for `clipboard.peek` / `clipboard.read`. */
  clipboard?: { readText(): Promise<string> };
  /** `kubernetes.reveal` may send a runner's secret to the page (see ApiOptions). */
  revealSecrets?: boolean;
  /**
   * Hears every event from before the host's first look at the runners (a crash from before it
   * started is announced then), without counting as someone watching: the tray and notifications.
   */
  onBackgroundEvent?: ApiEventListener;
}

export interface Host {
  api: Api;
  monitor: RunnerMonitor;
  runners: RunnerService;
  /** No engine yet, no usable vault: what the host lacks, kept current. */
  status: HostStatus;
  /** Stops following and pushing; runner containers keep running (Docker's restart policy owns them). */
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { ctx } = options;
  const status = new HostStatus(ctx);
  const [monitor, runners] = await Promise.all([ctx.monitor(), ctx.runners()]);
  const api = await createApi(ctx, {
    hostStatus: status,
    ...(options.clipboard ? { clipboard: options.clipboard } : {}),
    ...(options.revealSecrets ? { revealSecrets: true } : {}),
  });
  const offBackground = options.onBackgroundEvent ? api.events.on(options.onBackgroundEvent, { watching: false }) : () => undefined;
  let handMadeNoticed = false;
  const reconcileRunners = async () => {
    const { orphans } = await runners.reconcile();
    for (const o of orphans) {
      ctx.log(
        `container ${o.name} carries Runner Tray labels for runner ${o.runnerUuid}, which is not in settings; left alone (remove it with docker rm -f ${o.name}, or add the runner again).`,
      );
    }
    // Once per host, not on every reconnect: runners started by hand that `import` can take over.
    if (handMadeNoticed) return;
    handMadeNoticed = true;
    const notice = handMadeNotice(await (await ctx.imports()).candidates().catch(() => []));
    if (notice) ctx.log(notice);
  };
  // Runners down without a stop from the user (the engine or the host went down under them) are
  // started again, and step containers left from before a crash removed, after every reconcile.
  const restarts = new CrashRestarts({ runners, log: ctx.log });
  // Before the first check: runners a user stopped under a version that did not record stops stay stopped.
  let earlierStops: Promise<unknown> | null = null;
  const adoptOnce = () =>
    (earlierStops ??= adoptEarlierStops(ctx.settings(), () => runners.list(), ctx.log).catch((err: unknown) => {
      earlierStops = null;
      throw err;
    }));
  const checkCrashes = (runnerUuid?: string) =>
    void adoptOnce()
      .then(() => restarts.check(runnerUuid))
      .catch((err: unknown) => ctx.log(`checking runners for crashes: ${err instanceof Error ? err.message : String(err)}`));
  const reconcileAll = async () => {
    await reconcileRunners();
    checkCrashes();
  };
  // The monitor reconciles its own view after a reconnect; the runner views follow it here.
  const offConnection = monitor.events.on('connection', (e) => {
    status.engineConnected(e.connected);
    if (e.connected)
      reconcileAll().catch((err: unknown) => ctx.log(`reconciling runners after Docker came back: ${err instanceof Error ? err.message : String(err)}`));
  });
  // A crash seen live, and a runner back from one (its earlier step containers are leftovers).
  const offState = monitor.events.on('runner-state', (e) => {
    if (e.runnerState === 'CRASHED' || e.previous === 'CRASHED') checkCrashes(e.runnerUuid);
  });
  // A runner moved to a cluster (or back) by another process: settings are read again now and then.
  const placedSync = setInterval(
    () =>
      void ctx
        .clusterWatch()
        .sync()
        .catch(() => undefined),
    10_000,
  );
  placedSync.unref();
  const pools = ctx.pools();
  const close = async () => {
    offConnection();
    offBackground();
    await pools.stop();
    offState();
    restarts.close();
    api.close();
    clearInterval(placedSync);
    ctx.clusterWatch().close();
    await monitor.close();
  };
  try {
    await monitor.start({ waitForEngine: true });
    // Not awaited: a cluster that does not answer must not hold up this machine's runners.
    void ctx.clusterWatch().start();
    await status.refresh();
    if (monitor.connected) await reconcileAll();
    await api.start();
    // After the runners are reconciled: a controller's first look finds the containers that are there.
    await pools.start();
  } catch (e) {
    await close();
    throw e;
  }
  return { api, monitor, runners, status, close };
}
