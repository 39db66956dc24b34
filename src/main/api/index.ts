/**
 * The API over the services, as one object the hosts carry: `dispatch` for requests,
 * `events` for pushed events. Electron's IPC and the loopback HTTP bridge both wrap exactly
 * this and nothing per channel.
 */
import type Docker from 'dockerode';
import type { ContractHandlers } from '../../shared/contract/channels.js';
import type { HostFacts } from '../../shared/preflight/types.js';
import type { RunnerService } from '../runners/runner-service.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { RunnerMonitor } from '../monitor/runner-monitor.js';
import type { SecretVault } from '../vault/types.js';
import { ApiEvents } from './api-events.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { LogSubscriptions } from './log-subscriptions.js';
import { QueuedSource } from './queued-source.js';
import { openBitbucketClient } from '../bitbucket/connection.js';
import { StepDetailsResolver } from '../bitbucket/step-details.js';
import type { RunnerStatus } from '../runners/runner-service.js';
import { RunnerUsage } from './runner-usage.js';
import { StepDetailsSource } from './step-details-source.js';
import { toRunnerView } from './views.js';

export { ApiEvents, type ApiEventListener } from './api-events.js';
export { createDispatch, type Dispatch } from './dispatch.js';
export { toContractError, ApiError } from './contract-errors.js';

export interface ApiDeps {
  runners: RunnerService;
  steps: RunnerMonitor;
  docker: Docker;
  settings: SettingsStore;
  vault: SecretVault;
  hostFacts: () => Promise<HostFacts>;
  clipboard?: { readText(): Promise<string> };
  bitbucketBaseUrl?: string;
  /** One line per request and per Bitbucket problem; never a payload. */
  log?: (line: string) => void;
  /** Runner changes within this window become one event (default 50 ms). */
  runnerDebounceMs?: number;
  /** At most one CPU/memory update per runner within this window (default 2000 ms). */
  usageThrottleMs?: number;
}

export interface Api {
  handlers: ContractHandlers;
  dispatch: Dispatch;
  events: ApiEvents;
  /** Reads the stored Bitbucket connection (call once at start-up). */
  start(): Promise<void>;
  close(): void;
}

export function createApi(deps: ApiDeps): Api {
  let queued: QueuedSource | undefined;
  let usage: RunnerUsage | undefined;
  let details: StepDetailsSource | undefined;
  const bitbucketDeps = { vault: deps.vault, store: deps.settings.bitbucket(), ...(deps.bitbucketBaseUrl ? { baseUrl: deps.bitbucketBaseUrl } : {}) };

  /** Every runner view goes through here, so stats streams follow what the engine says now. */
  const runnerViewOf = (status: RunnerStatus) => {
    usage?.sync(status.runnerUuid, status.containerId, status.containerState === 'running');
    return toRunnerView(status, deps.steps.snapshot(status.runnerUuid), {
      ...(usage ? { usage: usage.usage(status.runnerUuid) } : {}),
      ...(details ? { stepDetails: (step) => details?.details(status.runnerUuid, step) } : {}),
    });
  };

  const events = new ApiEvents({
    runners: deps.runners,
    steps: deps.steps,
    ...(deps.runnerDebounceMs === undefined ? {} : { runnerDebounceMs: deps.runnerDebounceMs }),
    runnerView: async (runnerUuid) => {
      try {
        return runnerViewOf(await deps.runners.status(runnerUuid));
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
    docker: deps.docker,
    listRunning: async () =>
      (await deps.runners.list()).flatMap((s) => (s.containerState === 'running' && s.containerId ? [{ runnerUuid: s.runnerUuid, containerId: s.containerId }] : [])),
    changed: (runnerUuid) => events.runnerChanged(runnerUuid),
    ...(deps.usageThrottleMs === undefined ? {} : { throttleMs: deps.usageThrottleMs }),
    ...(deps.log ? { log: deps.log } : {}),
  });
  details = new StepDetailsSource({
    resolver: new StepDetailsResolver({
      open: () => openBitbucketClient(bitbucketDeps),
      connection: () => bitbucketDeps.store.read(),
      ...(deps.log ? { log: deps.log } : {}),
    }),
    onResolved: (runnerUuid, stepUuid) => {
      // The newest sighting of the step: it may have moved on while Bitbucket answered.
      const step = deps.steps.snapshot(runnerUuid)?.steps.find((s) => s.stepUuid === stepUuid);
      if (!step) return;
      events.emit({ type: 'step.changed', step: details!.view(runnerUuid, step) });
      events.runnerChanged(runnerUuid);
    },
  });
  const emit = events.emit.bind(events);
  queued = new QueuedSource({ ...bitbucketDeps, emit, runners: () => deps.settings.runners().list(), ...(deps.log ? { log: deps.log } : {}) });
  const logs = new LogSubscriptions({ docker: deps.docker, runners: deps.runners, steps: deps.steps, emit });
  const handlers = createHandlers({
    runners: deps.runners,
    steps: deps.steps,
    docker: deps.docker,
    settings: deps.settings,
    vault: deps.vault,
    events,
    logs,
    queued,
    hostFacts: deps.hostFacts,
    ...(deps.clipboard ? { clipboard: deps.clipboard } : {}),
    ...(deps.bitbucketBaseUrl ? { bitbucketBaseUrl: deps.bitbucketBaseUrl } : {}),
    toRunnerView: runnerViewOf,
    toStepView: (runnerUuid, step) => details!.view(runnerUuid, step),
  });
  const q = queued;
  const u = usage;
  return {
    handlers,
    dispatch: createDispatch(handlers, deps.log ? { log: deps.log } : {}),
    events,
    start: () => q.reload(),
    close() {
      logs.close();
      q.close();
      u.close();
      events.close();
    },
  };
}
