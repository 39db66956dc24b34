/**
 * Queued steps from Bitbucket for the UI: one poller for the stored connection, polling only
 * while someone watches (every request counts against Bitbucket's hourly limit), rebuilt when
 * the connection or the watch list changes.
 */
import type { ContractEvent } from '../../shared/contract/events.js';
import type { BitbucketRunnersView, QueuedStepView, QueuedView } from '../../shared/contract/views.js';
import { BitbucketError, type BitbucketClient } from '../bitbucket/client.js';
import { openBitbucketClient, type BitbucketConnection, type BitbucketConnectionStore } from '../bitbucket/connection.js';
import { intervalForRepositories, QueuedPoller, type PollSnapshot } from '../bitbucket/poller.js';
import { fetchOurRunners, watchedRepositories } from '../bitbucket/our-runners.js';
import { fetchQueuedSteps, type BitbucketRunnerView, type QueuedStep, type QueuedSteps } from '../bitbucket/queued.js';
import type { RunnerRecord } from '../settings/types.js';
import type { SecretVault } from '../vault/types.js';

export interface QueuedSourceDeps {
  vault: SecretVault;
  store: BitbucketConnectionStore;
  emit: (event: ContractEvent) => void;
  baseUrl?: string;
  log?: (message: string) => void;
  /** The runners we run: a repository runner's own repository is always watched. Read per round. */
  runners?: () => readonly RunnerRecord[];
}

/** One poll round: the queued steps and our runners as Bitbucket sees them, asked together. */
interface QueuedRound extends QueuedSteps {
  runners: BitbucketRunnersView;
}

export class QueuedSource {
  readonly #deps: QueuedSourceDeps;
  #poller: QueuedPoller<QueuedRound> | null = null;
  #unsubscribe: (() => void) | null = null;
  #watched = false;
  #generation = 0;

  constructor(deps: QueuedSourceDeps) {
    this.#deps = deps;
  }

  /** (Re)build the poller from the stored connection. */
  async reload(): Promise<void> {
    const gen = ++this.#generation;
    this.#stopPoller();
    let opened: Awaited<ReturnType<typeof openBitbucketClient>> = null;
    try {
      opened = await openBitbucketClient({ vault: this.#deps.vault, store: this.#deps.store, ...(this.#deps.baseUrl ? { baseUrl: this.#deps.baseUrl } : {}) });
    } catch (e) {
      this.#deps.log?.(`bitbucket: ${(e as Error).message}`);
    }
    if (gen !== this.#generation) return;
    if (!opened) {
      this.#deps.emit({ type: 'queued.changed', connected: false, steps: [] });
      return;
    }
    const { client, connection } = opened;
    const runners = this.#deps.runners ?? (() => []);
    this.#poller = new QueuedPoller<QueuedRound>({
      intervalMs: intervalForRepositories(watchedRepositories(connection, runners()).length),
      load: async (signal) => {
        const records = runners();
        const [queued, ours] = await Promise.all([
          fetchQueuedSteps(client, { workspace: connection.workspace, repositories: watchedRepositories(connection, records), signal }),
          ourRunners(client, connection, records, signal),
        ]);
        return { ...queued, runners: ours };
      },
    });
    if (this.#watched) this.#subscribe();
  }

  setWatched(watched: boolean): void {
    this.#watched = watched;
    if (watched && this.#poller && !this.#unsubscribe) this.#subscribe();
    if (!watched && this.#unsubscribe) {
      this.#unsubscribe();
      this.#unsubscribe = null;
    }
  }

  async view(): Promise<QueuedView> {
    if (!this.#poller) return { connected: false, steps: [] };
    let snap = this.#poller.snapshot();
    if (snap.lastUpdated === null) snap = await this.#poller.refresh();
    return toView(snap.data);
  }

  close(): void {
    this.#generation++;
    this.#stopPoller();
  }

  #subscribe(): void {
    this.#unsubscribe = this.#poller!.subscribe((snap: PollSnapshot<QueuedRound>) => {
      if (snap.data) this.#deps.emit({ type: 'queued.changed', ...toView(snap.data) });
    });
  }

  #stopPoller(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#poller?.stop();
    this.#poller = null;
  }
}

function toQueuedView(s: QueuedStep): QueuedStepView {
  return {
    stepUuid: s.stepUuid,
    pipelineUuid: s.pipelineUuid,
    workspace: s.workspace,
    repoSlug: s.repoSlug,
    buildNumber: s.buildNumber,
    stepName: s.stepName,
    runsOn: [...s.runsOn],
    queuedAt: s.queuedAt,
  };
}

function toView(round: QueuedRound | null): QueuedView & { connected: true } {
  return { connected: true, steps: (round?.steps ?? []).map(toQueuedView), ...(round ? { runners: round.runners } : {}) };
}

/**
 * Bitbucket's view of our runners for this round. A runners list Bitbucket refuses (the token may
 * lack the runner scope) is said beside the steps rather than failing the round; what concerns
 * the whole connection (token, rate limit, network) fails it, so the poller backs off.
 */
async function ourRunners(
  client: BitbucketClient,
  connection: BitbucketConnection,
  records: readonly RunnerRecord[],
  signal: AbortSignal,
): Promise<BitbucketRunnersView> {
  try {
    const ours = await fetchOurRunners(client, connection, records, signal);
    return { listed: ours.runners.map(toRunnerStatusView), missing: [...ours.missing] };
  } catch (e) {
    if (e instanceof BitbucketError && (e.code === 'BITBUCKET_FORBIDDEN' || e.code === 'BITBUCKET_NOT_FOUND')) {
      return { listed: [], missing: [], error: e.message };
    }
    throw e;
  }
}

function toRunnerStatusView(r: BitbucketRunnerView) {
  return {
    uuid: r.uuid,
    name: r.name,
    labels: [...r.labels],
    status: r.status,
    busy: r.busy,
    scope: r.scope,
    ...(r.updatedOn ? { updatedOn: r.updatedOn } : {}),
  };
}
