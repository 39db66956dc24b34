/**
 * Queued steps from Bitbucket for the UI: one poller for the stored connection, polling only
 * while someone watches (every request counts against Bitbucket's hourly limit), rebuilt when
 * the connection or the watch list changes.
 */
import type { ContractEvent } from '../../shared/contract/events.js';
import type { QueuedStepView, QueuedView } from '../../shared/contract/views.js';
import { openBitbucketClient, type BitbucketConnectionStore } from '../bitbucket/connection.js';
import { intervalForRepositories, QueuedPoller, type PollSnapshot } from '../bitbucket/poller.js';
import { watchedRepositories } from '../bitbucket/our-runners.js';
import { fetchQueuedSteps, type QueuedStep, type QueuedSteps } from '../bitbucket/queued.js';
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

export class QueuedSource {
  readonly #deps: QueuedSourceDeps;
  #poller: QueuedPoller<QueuedSteps> | null = null;
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
    this.#poller = new QueuedPoller<QueuedSteps>({
      intervalMs: intervalForRepositories(watchedRepositories(connection, runners()).length),
      load: (signal) => fetchQueuedSteps(client, { workspace: connection.workspace, repositories: watchedRepositories(connection, runners()), signal }),
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
    return { connected: true, steps: (snap.data?.steps ?? []).map(toQueuedView) };
  }

  close(): void {
    this.#generation++;
    this.#stopPoller();
  }

  #subscribe(): void {
    this.#unsubscribe = this.#poller!.subscribe((snap: PollSnapshot<QueuedSteps>) => {
      if (snap.data) this.#deps.emit({ type: 'queued.changed', connected: true, steps: snap.data.steps.map(toQueuedView) });
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
