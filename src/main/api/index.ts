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
import type { StepsService } from '../steps/steps-service.js';
import type { SecretVault } from '../vault/types.js';
import { ApiEvents } from './api-events.js';
import { createDispatch, type Dispatch } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { LogSubscriptions } from './log-subscriptions.js';
import { QueuedSource } from './queued-source.js';
import { toRunnerView } from './views.js';

export { ApiEvents, type ApiEventListener } from './api-events.js';
export { createDispatch, type Dispatch } from './dispatch.js';
export { toContractError, ApiError } from './contract-errors.js';

export interface ApiDeps {
  runners: RunnerService;
  steps: StepsService;
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
  const events = new ApiEvents({
    runners: deps.runners,
    steps: deps.steps,
    ...(deps.runnerDebounceMs === undefined ? {} : { runnerDebounceMs: deps.runnerDebounceMs }),
    runnerView: async (runnerUuid) => {
      try {
        const status = await deps.runners.status(runnerUuid);
        return toRunnerView(status, deps.steps.snapshot(status.runnerUuid));
      } catch (e) {
        if ((e as { code?: unknown }).code === 'RUNNER_NOT_FOUND') return null;
        throw e;
      }
    },
    onWatched: (watched) => queued?.setWatched(watched),
  });
  const emit = events.emit.bind(events);
  queued = new QueuedSource({
    vault: deps.vault,
    store: deps.settings.bitbucket(),
    emit,
    ...(deps.bitbucketBaseUrl ? { baseUrl: deps.bitbucketBaseUrl } : {}),
    ...(deps.log ? { log: deps.log } : {}),
  });
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
  });
  const q = queued;
  return {
    handlers,
    dispatch: createDispatch(handlers, deps.log ? { log: deps.log } : {}),
    events,
    start: () => q.reload(),
    close() {
      logs.close();
      q.close();
      events.close();
    },
  };
}
