/**
 * The API over the app's services, as one object the hosts carry: `dispatch` for requests,
 * `events` for pushed events. Electron's IPC and the loopback HTTP bridge both wrap exactly
 * this and nothing per channel. It takes the composition root (AppContext) and builds only what
 * belongs to the API itself: pushed events, log subscriptions, live usage, Bitbucket's step
 * names and queued steps.
 */
import type { ContractHandlers } from '../../shared/contract/channels.js';
import type { AppContext } from '../app-context.js';
import { HostStatus } from '../host-status.js';
import { chooseVault } from '../vault/vault-choice.js';
import { StepDetailsResolver } from '../bitbucket/step-details.js';
import type { RunnerStatus } from '../runners/runner-service.js';
import { ApiEvents } from './api-events.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { ClipboardDrafts, createHandlers } from './handlers/index.js';
import { LogSubscriptions } from './log-subscriptions.js';
import { QueuedSource } from './queued-source.js';
import { RunnerUsage } from './runner-usage.js';
import { StepDetailsSource } from './step-details-source.js';
import { toRunnerView } from './views.js';
import { withPlacement } from './placement-view.js';

export { ApiEvents, type ApiEventListener } from './api-events.js';
export { createDispatch, type Dispatch } from './dispatch.js';
export { toContractError, ApiError } from './contract-errors.js';

export interface ApiOptions {
  /** Desktop only: the system clipboard, for `clipboard.peek` / `clipboard.read`. */
  clipboard?: { readText(): Promise<string> };
  /** Runner changes within this window become one event (default 50 ms). */
  runnerDebounceMs?: number;
  /** At most one CPU/memory update per runner within this window (default 2000 ms). */
  usageThrottleMs?: number;
  /** The host's start-up problems; the host passes the one it keeps current (default: a fresh one). */
  hostStatus?: HostStatus;
  /** `kubernetes.reveal` may answer with a runner's secret (the desktop window; serve only with --allow-reveal). Default false. */
  revealSecrets?: boolean;
}

export interface Api {
  handlers: ContractHandlers;
  dispatch: Dispatch;
  events: ApiEvents;
  /** Reads the stored Bitbucket connection (call once at start-up). */
  start(): Promise<void>;
  close(): void;
}

/** Connects the engine and opens the vault (through the context) if nothing has yet. */
export async function createApi(ctx: AppContext, options: ApiOptions = {}): Promise<Api> {
  const [engine, runners, lifecycle, monitor, imports, pools] = await Promise.all([
    ctx.hostEngine(),
    ctx.runners(),
    ctx.lifecycle(),
    ctx.monitor(),
    ctx.imports(),
    ctx.pools(),
  ]);
  const bitbucket = ctx.bitbucket();
  const placed = ctx.clusterWatch();
  const { log } = ctx;
  // Set right below; the closures run only once events flow, after all three exist (so not const).
  let usage: RunnerUsage | undefined;
  let details: StepDetailsSource | undefined;
  let queued: QueuedSource | undefined;

  /** Every runner view goes through here, so stats streams follow what the engine says now. */
  const runnerViewOf = (local: RunnerStatus) => {
    // A runner on a cluster: its pod stands for the container, whatever this machine has.
    const placedStatus = placed.status(local.runnerUuid);
    const status = placedStatus ?? local;
    if (placedStatus) {
      const snapshot = placed.snapshot(status.runnerUuid);
      const view = toRunnerView(status, snapshot, {
        placement: placed.placementView(status.runnerUuid)!,
        ...(details ? { stepDetails: (step) => details?.details(status.runnerUuid, step) } : {}),
      });
      // The watch's own judgement (a pod being created is STARTING, an image that cannot be pulled UNHEALTHY).
      return snapshot ? { ...view, runnerState: snapshot.runnerState } : view;
    }
    usage?.sync(status.runnerUuid, status.containerId, status.containerState === 'running');
    const view = toRunnerView(status, monitor.snapshot(status.runnerUuid), {
      ...(usage ? { usage: usage.usage(status.runnerUuid) } : {}),
      ...(details ? { stepDetails: (step) => details?.details(status.runnerUuid, step) } : {}),
    });
    return withPlacement(view, ctx.settings().runners().get(status.runnerUuid)?.placement);
  };

  const events = new ApiEvents({
    runners,
    steps: monitor,
    placed,
    ...(options.runnerDebounceMs === undefined ? {} : { runnerDebounceMs: options.runnerDebounceMs }),
    runnerView: async (runnerUuid) => {
      try {
        const onCluster = placed.status(runnerUuid);
        return runnerViewOf(onCluster ?? (await runners.status(runnerUuid)));
      } catch (e) {
        if ((e as { code?: unknown }).code === 'RUNNER_NOT_FOUND') return null;
        throw e;
      }
    },
    stepView: (runnerUuid, step) => details!.view(runnerUuid, step),
    onWatched: (watched) => {
      queued?.setWatched(watched);
      usage?.setWatched(watched);
    },
  });
  usage = new RunnerUsage({
    docker: engine.docker,
    listRunning: async () =>
      (await runners.list()).flatMap((s) =>
        s.containerState === 'running' && s.containerId ? [{ runnerUuid: s.runnerUuid, containerId: s.containerId }] : [],
      ),
    changed: (runnerUuid) => events.runnerChanged(runnerUuid),
    ...(options.usageThrottleMs === undefined ? {} : { throttleMs: options.usageThrottleMs }),
    log,
  });
  details = new StepDetailsSource({
    resolver: new StepDetailsResolver({ open: () => bitbucket.open(), connection: () => bitbucket.store.read(), log }),
    onResolved: (runnerUuid, stepUuid) => {
      // The newest sighting of the step: it may have moved on while Bitbucket answered.
      const step = (placed.snapshot(runnerUuid) ?? monitor.snapshot(runnerUuid))?.steps.find((s) => s.stepUuid === stepUuid);
      if (!step) return;
      events.emit({ type: 'step.changed', step: details!.view(runnerUuid, step) });
      events.runnerChanged(runnerUuid);
    },
  });
  const emit = events.emit.bind(events);
  queued = new QueuedSource({ ...(await bitbucket.deps()), emit, runners: () => ctx.settings().runners().list(), log });
  const hostStatus = options.hostStatus ?? new HostStatus(ctx);
  const offStatus = hostStatus.on((status) => events.emit({ type: 'host.status', status }));
  const offPools = pools.onChange((pool) => events.emit({ type: 'pool.changed', pool }));
  const logs = new LogSubscriptions({ docker: engine.docker, runners, steps: monitor, placed, emit });
  const handlers = createHandlers({
    runners,
    lifecycle,
    monitor,
    imports,
    settings: ctx.settings(),
    bitbucket,
    hostFacts: () => ctx.hostFacts(),
    hostStatus,
    chooseVault: (backend) => chooseVault(ctx, backend),
    events,
    logs,
    queued,
    ...(options.clipboard ? { clipboard: options.clipboard } : {}),
    drafts: new ClipboardDrafts(),
    toRunnerView: runnerViewOf,
    syncPlaced: () => placed.sync(),
    toStepView: (runnerUuid, step) => details!.view(runnerUuid, step),
    log,
    pools,
    kubernetes: ctx.kubernetes(),
    revealSecrets: options.revealSecrets ?? false,
  });
  const api = assemble({ handlers, events, logs, queued, usage, log });
  return { ...api, close: () => (offStatus(), offPools(), api.close()) };
}

function assemble(parts: {
  handlers: ContractHandlers;
  events: ApiEvents;
  logs: LogSubscriptions;
  queued: QueuedSource;
  usage: RunnerUsage;
  log: (line: string) => void;
}): Api {
  const { handlers, events, logs, queued, usage } = parts;
  return {
    handlers,
    dispatch: createDispatch(handlers, { log: parts.log }),
    events,
    start: () => queued.reload(),
    close() {
      logs.close();
      queued.close();
      usage.close();
      events.close();
    },
  };
}
