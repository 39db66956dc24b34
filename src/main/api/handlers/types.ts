/**
 * What every handler area is given, and how an area is typed: `HandlersOf<'runners'>` is exactly
 * the contract's `runners.*` channels, so an area cannot implement a channel of another or one the
 * contract lacks, and `createHandlers` (index.ts) only compiles when the areas cover all of them.
 */
import type { Channel, ContractHandlers } from '../../../shared/contract/channels.js';
import type { RunnerView, StepView } from '../../../shared/contract/views.js';
import type { HostFacts } from '../../../shared/preflight/types.js';
import type { Step } from '../../../shared/step-log/types.js';
import type { RunnerMonitor } from '../../app-context.js';
import type { BitbucketAccess } from '../../bitbucket/access.js';
import type { RunnerImport } from '../../runners/import.js';
import type { HostStatus } from '../../host-status.js';
import type { PoolControllers } from '../../pools/types.js';
import type { RunnerPlacements } from '../../kubernetes/runner-placement.js';
import type { RunnerLifecycle } from '../../runners/lifecycle.js';
import type { RunnerService, RunnerStatus } from '../../runners/runner-service.js';
import type { SettingsStore } from '../../settings/settings-store.js';
import type { ApiEvents } from '../api-events.js';
import type { LogSubscriptions } from '../log-subscriptions.js';
import type { QueuedSource } from '../queued-source.js';
import type { ClipboardDrafts } from './drafts.js';

/** The contract's channels whose name starts with `<area>.`. */
export type AreaChannel<Area extends string> = Extract<Channel, `${Area}.${string}`>;

/** One area's part of the handler table. */
export type HandlersOf<Area extends string> = Pick<ContractHandlers, AreaChannel<Area>>;

export interface HandlerDeps {
  runners: RunnerService;
  /** add / start / stop / remove go through here, so the CLI and the dashboard share the rules. */
  lifecycle: RunnerLifecycle;
  monitor: RunnerMonitor;
  /** Runners started by hand: listed and imported. */
  imports: RunnerImport;
  settings: SettingsStore;
  bitbucket: BitbucketAccess;
  /** What `host.preflight` judges (the context's `hostFacts`, as `doctor` asks). */
  hostFacts: () => Promise<HostFacts>;
  /** Start-up problems (no engine yet, no usable vault), and the user's vault choice. */
  hostStatus: HostStatus;
  chooseVault: (backend: 'file' | 'keyring') => Promise<unknown>;
  events: ApiEvents;
  logs: LogSubscriptions;
  queued: QueuedSource;
  /** Desktop only: the system clipboard. The headless dashboard has none. */
  clipboard?: { readText(): Promise<string> };
  /** Pasted commands read from the clipboard, held here so their secrets never reach the page. */
  drafts: ClipboardDrafts;
  /** A runner's view with what the API adds (live CPU/memory, step names). */
  toRunnerView: (status: RunnerStatus) => RunnerView;
  /** Settings may name other runners on clusters now (moved, brought back): follow those. */
  syncPlaced?: () => Promise<void>;
  /** A step's view with Bitbucket's names. */
  toStepView: (runnerUuid: string, step: Step) => StepView;
  /** Every write to Bitbucket, one line each, without secrets (the host's log). */
  log?: (line: string) => void;
  /** The pool controllers (`ctx.pools()`): their views, one-off observations, retiring a pool's runners. */
  pools: PoolControllers;
  /** Runners moved to a cluster and back (`kubernetes.*`). */
  kubernetes: RunnerPlacements;
  /** Whether `kubernetes.reveal` may send a runner's secret to the page (desktop: yes; serve: --allow-reveal). */
  revealSecrets: boolean;
}
