/**
 * One stream of contract events from the services: runner lifecycle (RunnerService), live
 * state, steps and diagnoses (RunnerMonitor), queued steps (Bitbucket poller) and whatever the
 * handlers announce (settings). Noisy sources are shaped here, once, for every transport:
 * runner changes are collapsed per runner (a start is several engine events), pull progress
 * is throttled, log lines arrive already batched by the steps service.
 */
import type { ContractEvent } from '../../shared/contract/events.js';
import type { DiagnosisView, RunnerView, StepView } from '../../shared/contract/views.js';
import { bare } from '../../shared/runner-spec.js';
import type { RunnerEvent } from '../runners/events.js';
import type { RunnerService } from '../runners/runner-service.js';
import type { Step } from '../../shared/step-log/types.js';
import type { MonitorEvent } from '../monitor/events.js';
import type { RunnerMonitor } from '../monitor/runner-monitor.js';
import { toDiagnosisView, toStepView } from './views.js';

export type ApiEventListener = (event: ContractEvent) => void;

export interface ApiEventsDeps {
  runners: RunnerService;
  steps: RunnerMonitor;
  /** Runners on clusters (pod watch + their logs): the same events as the monitor's. */
  placed?: { events: RunnerMonitor['events'] };
  /** The current view of a runner, or null once it is gone from settings. */
  runnerView: (runnerUuid: string) => Promise<RunnerView | null>;
  /** Runner changes within this window become one `runner.changed`. Default 50 ms. */
  runnerDebounceMs?: number;
  /** At most one `pull.progress` per image within this window. Default 200 ms. */
  pullThrottleMs?: number;
  /** A step as the UI sees it (default: what the log says, see `toStepView`). */
  stepView?: (runnerUuid: string, step: Step) => StepView;
  /** Called when the first listener arrives and after the last one leaves (e.g. to poll Bitbucket only while watched). */
  onWatched?: (watched: boolean) => void;
}

interface Pull {
  image: string;
  runnerUuid: string;
  layers: Map<string, { current: number; total: number }>;
  lastSent: number;
}

const FAILED_STEP_STATES = new Set(['FAILED', 'ERROR']);

export class ApiEvents {
  readonly #deps: ApiEventsDeps;
  readonly #listeners = new Set<ApiEventListener>();
  readonly #background = new Set<ApiEventListener>();
  readonly #pending = new Map<string, { runnerUuid: string; timer: NodeJS.Timeout }>();
  readonly #pulls = new Map<string, Pull>();
  readonly #names = new Map<string, string>();
  /** Per runner (bare UUID): the newest diagnosis, cleared when a step starts, for notifications. */
  readonly #lastDiagnosis = new Map<string, DiagnosisView>();
  readonly #offs: Array<() => void> = [];
  #closed = false;

  constructor(deps: ApiEventsDeps) {
    this.#deps = deps;
    this.#offs.push(
      deps.runners.events.on('*', (e) => this.#onRunnerEvent(e)),
      deps.steps.events.on('*', (e) => this.#onStepsEvent(e)),
    );
    if (deps.placed) this.#offs.push(deps.placed.events.on('*', (e) => this.#onStepsEvent(e)));
  }

  get listenerCount(): number {
    return this.#listeners.size;
  }

  /**
   * Returns the unsubscribe function. A listener with `watching: false` (the desktop app's tray
   * and notifications, alive while no window is open) hears every event but does not count as
   * someone looking, so Bitbucket polling and stats streams still stop when the UI is gone.
   */
  on(listener: ApiEventListener, options: { watching?: boolean } = {}): () => void {
    if (options.watching === false) {
      this.#background.add(listener);
      return () => void this.#background.delete(listener);
    }
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#deps.onWatched?.(true);
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.#deps.onWatched?.(false);
    };
  }

  emit(event: ContractEvent): void {
    if (this.#closed) return;
    for (const fn of [...this.#listeners, ...this.#background]) {
      try {
        fn(event);
      } catch {
        // One broken transport never silences the others.
      }
    }
  }

  /** Announce a runner's current view soon (collapsed with other changes to it). */
  runnerChanged(runnerUuid: string): void {
    if (this.#closed) return;
    const key = bare(runnerUuid);
    if (this.#pending.has(key)) return;
    const timer = setTimeout(() => {
      this.#pending.delete(key);
      void this.#sendRunner(runnerUuid);
    }, this.#deps.runnerDebounceMs ?? 50);
    this.#pending.set(key, { runnerUuid, timer });
  }

  /** A start that pulled an image ended: tell the progress bar how. */
  pullEnded(runnerUuid: string, failure?: string): void {
    for (const [image, pull] of this.#pulls) {
      if (bare(pull.runnerUuid) !== bare(runnerUuid)) continue;
      this.#pulls.delete(image);
      this.emit({
        type: 'pull.progress',
        image,
        runnerUuid: pull.runnerUuid,
        phase: failure === undefined ? 'done' : 'failed',
        ...(failure ? { message: failure } : {}),
      });
    }
  }

  close(): void {
    this.#closed = true;
    for (const off of this.#offs) off();
    for (const { timer } of this.#pending.values()) clearTimeout(timer);
    this.#pending.clear();
    this.#listeners.clear();
    this.#background.clear();
  }

  async #sendRunner(runnerUuid: string): Promise<void> {
    let view: RunnerView | null;
    try {
      view = await this.#deps.runnerView(runnerUuid);
    } catch {
      // The engine is away; `engine.connection` tells the page, and a reconcile follows.
      return;
    }
    if (view) {
      this.#names.set(bare(view.uuid), view.displayName);
      this.emit({ type: 'runner.changed', runner: view });
    } else {
      this.emit({ type: 'runner.removed', runnerUuid });
    }
  }

  #onRunnerEvent(e: RunnerEvent): void {
    switch (e.type) {
      case 'state':
        if (e.action === 'removed') {
          const key = bare(e.runnerUuid);
          const pending = this.#pending.get(key);
          if (pending) clearTimeout(pending.timer);
          this.#pending.delete(key);
          this.emit({ type: 'runner.removed', runnerUuid: e.runnerUuid });
        } else {
          if (e.containerState === 'running') this.pullEnded(e.runnerUuid);
          this.runnerChanged(e.runnerUuid);
        }
        return;
      case 'pull-progress':
        this.#onPull(e);
        return;
      case 'image-check':
        return;
    }
  }

  #onPull(e: Extract<RunnerEvent, { type: 'pull-progress' }>): void {
    let pull = this.#pulls.get(e.image);
    if (!pull) this.#pulls.set(e.image, (pull = { image: e.image, runnerUuid: e.runnerUuid, layers: new Map(), lastSent: 0 }));
    if (e.layer !== undefined && e.total !== undefined && e.total > 0) pull.layers.set(e.layer, { current: e.current ?? 0, total: e.total });
    const now = Date.now();
    if (now - pull.lastSent < (this.#deps.pullThrottleMs ?? 200)) return;
    pull.lastSent = now;
    let currentBytes = 0;
    let totalBytes = 0;
    for (const l of pull.layers.values()) {
      currentBytes += l.current;
      totalBytes += l.total;
    }
    this.emit({
      type: 'pull.progress',
      image: e.image,
      runnerUuid: e.runnerUuid,
      phase: 'pulling',
      ...(totalBytes > 0 ? { currentBytes, totalBytes } : {}),
      message: e.status,
    });
  }

  #onStepsEvent(e: MonitorEvent): void {
    switch (e.type) {
      case 'runner-state': {
        this.runnerChanged(e.runnerUuid);
        const name = this.#names.get(bare(e.runnerUuid)) ?? e.runnerUuid;
        if (e.runnerState === 'CRASHED' && e.previous !== 'CRASHED') {
          const diagnosis = this.#lastDiagnosis.get(bare(e.runnerUuid));
          this.emit({ type: 'notification', kind: 'runnerCrashed', runnerUuid: e.runnerUuid, runnerDisplayName: name, ...(diagnosis ? { diagnosis } : {}) });
        } else if (e.runnerState === 'ONLINE' && (e.previous === 'CRASHED' || e.previous === 'UNHEALTHY')) {
          this.emit({ type: 'notification', kind: 'runnerOnline', runnerUuid: e.runnerUuid, runnerDisplayName: name });
        }
        return;
      }
      case 'step': {
        if (e.change === 'started') this.#lastDiagnosis.delete(bare(e.runnerUuid));
        const view = this.#deps.stepView ? this.#deps.stepView(e.runnerUuid, e.step) : toStepView(e.runnerUuid, e.step);
        this.emit({ type: 'step.changed', step: view });
        // The runner's current step (and BUSY/ONLINE) moves with it.
        this.runnerChanged(e.runnerUuid);
        if (e.change === 'finished' && FAILED_STEP_STATES.has(e.step.state)) {
          const diagnosis = this.#lastDiagnosis.get(bare(e.runnerUuid));
          this.emit({
            type: 'notification',
            kind: 'stepFailed',
            runnerUuid: e.runnerUuid,
            runnerDisplayName: this.#names.get(bare(e.runnerUuid)) ?? e.runnerUuid,
            step: {
              stepUuid: e.step.stepUuid,
              ...(view.stepName ? { stepName: view.stepName } : {}),
              ...(view.workspace && view.repoSlug ? { repositoryFullName: `${view.workspace}/${view.repoSlug}` } : {}),
            },
            ...(diagnosis ? { diagnosis } : {}),
          });
        }
        return;
      }
      case 'diagnosis': {
        const diagnosis = toDiagnosisView(e.diagnosis);
        this.#lastDiagnosis.set(bare(e.runnerUuid), diagnosis);
        this.emit({ type: 'diagnosis', runnerUuid: e.runnerUuid, diagnosis });
        return;
      }
      case 'connection':
        this.emit({ type: 'engine.connection', connected: e.connected, message: e.message });
        return;
      case 'placement':
        this.runnerChanged(e.runnerUuid);
        return;
      case 'log':
      case 'sibling':
        // Log lines go per subscription (LogSubscriptions); siblings show through steps.
        return;
    }
  }
}
