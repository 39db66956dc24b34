/**
 * What `GET /metrics` reports: per pool, the controllers' last view (desired, runners by state,
 * waiting steps); per runner, its state now and its steps since this host started, from the
 * monitor's step events (started, completed by result, duration, and the queue wait of steps whose
 * queue time this host saw). Labels carry names and UUIDs only, never a secret.
 */
import type { ContractEvent } from '../../shared/contract/events.js';
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { RunnerState, Step } from '../../shared/step-log/types.js';
import type { MonitorEvent } from '../monitor/events.js';
import type { RunnerRecord } from '../settings/types.js';
import { Counter, exposition, Histogram, type Labels, type MetricFamily } from './exposition.js';

export interface RunnerMetricsDeps {
  /** The runner monitor's events and current states. */
  monitor: {
    events: { on(type: 'step', fn: (e: Extract<MonitorEvent, { type: 'step' }>) => void): () => void };
    snapshot(runnerUuid: string): { runnerState: RunnerState } | undefined;
  };
  /** The pool controllers' views (`ctx.pools().views()`). */
  poolViews: () => readonly PoolView[];
  /** The runners in settings (display names, pools), read per scrape. */
  runners: () => readonly RunnerRecord[];
  /** The API's pushed events, for the queue times of waiting steps (`queued.changed`). */
  onEvent?: (listener: (e: ContractEvent) => void) => () => void;
}

/** 10 s … 2 h: CI steps. */
const DURATION_BUCKETS = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];
/** 1 s … 30 min: from queued to taken by a runner (scale from zero included). */
const WAIT_BUCKETS = [1, 5, 10, 30, 60, 120, 300, 600, 1800];
/** Steps remembered (queue times, counted starts/ends): old ones are dropped first. */
const REMEMBERED = 5_000;

const bare = (uuid: string) => uuid.replace(/[{}]/g, '').toLowerCase();

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > REMEMBERED) map.delete(map.keys().next().value as K);
}

function seconds(from: string | null | undefined, to: string | null | undefined): number | null {
  if (!from || !to) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

export class RunnerMetrics {
  readonly #deps: RunnerMetricsDeps;
  readonly #offs: Array<() => void> = [];
  readonly #queuedAt = new Map<string, string>();
  readonly #counted = new Map<string, true>();
  readonly #started = new Counter('runner_tray_steps_started_total', 'Steps a runner started since this host started, from its log.');
  readonly #completed = new Counter('runner_tray_steps_completed_total', "Steps a runner completed since this host started, by the runner's result word.");
  readonly #duration = new Histogram('runner_tray_step_duration_seconds', 'Step duration, from the runner taking the step to its result.', DURATION_BUCKETS);
  readonly #wait = new Histogram(
    'runner_tray_step_queue_wait_seconds',
    "Time from a step's pipeline being queued in Bitbucket to a runner taking it; only for steps this host saw waiting.",
    WAIT_BUCKETS,
  );

  constructor(deps: RunnerMetricsDeps) {
    this.#deps = deps;
    this.#offs.push(deps.monitor.events.on('step', (e) => this.#onStep(e.runnerUuid, e.change, e.step)));
    if (deps.onEvent) {
      this.#offs.push(
        deps.onEvent((e) => {
          if (e.type === 'queued.changed') for (const s of e.steps) if (s.queuedAt) remember(this.#queuedAt, bare(s.stepUuid), s.queuedAt);
        }),
      );
    }
  }

  #labels(runnerUuid: string): Labels {
    const record = this.#deps.runners().find((r) => bare(r.spec.runnerUuid) === bare(runnerUuid));
    return { runner: record?.displayName ?? runnerUuid, runner_uuid: record?.spec.runnerUuid ?? runnerUuid, ...(record?.pool ? { pool: record.pool } : {}) };
  }

  #onStep(runnerUuid: string, change: 'started' | 'phase' | 'finished', step: Step): void {
    if (change === 'phase') return;
    // Once per step and change: a reconnect may announce a step again.
    const key = `${change}:${bare(step.stepUuid)}`;
    if (this.#counted.has(key)) return;
    remember(this.#counted, key, true);
    const labels = this.#labels(runnerUuid);
    if (change === 'started') {
      this.#started.inc(labels);
      const wait = seconds(this.#queuedAt.get(bare(step.stepUuid)), step.startedAt);
      if (wait !== null) this.#wait.observe(labels, wait);
      return;
    }
    this.#completed.inc({ ...labels, result: step.state });
    const took = seconds(step.startedAt, step.finishedAt);
    if (took !== null) this.#duration.observe(labels, took);
  }

  #poolFamilies(): MetricFamily[] {
    const views = this.#deps.poolViews();
    const gauge = (name: string, help: string, value: (v: PoolView) => number): MetricFamily => ({
      name,
      help,
      type: 'gauge',
      samples: views.map((v) => ({ labels: { pool: v.name }, value: value(v) })),
    });
    const states = ['starting', 'idle', 'busy', 'offline'] as const;
    return [
      gauge(
        'runner_tray_pool_desired_runners',
        "Runners the pool's controller wants now: busy + waiting steps + idle target, within min..max.",
        (v) => v.desired,
      ),
      {
        name: 'runner_tray_pool_runners',
        help: 'Runners of the pool by state: starting (created, not ONLINE yet), idle, busy (running a step), offline.',
        type: 'gauge',
        samples: views.flatMap((v) => states.map((state) => ({ labels: { pool: v.name, state }, value: v.counts[state] }))),
      },
      gauge('runner_tray_pool_waiting_steps', "Steps waiting in Bitbucket's queue that this pool's runners could take.", (v) => v.counts.waiting),
      gauge(
        'runner_tray_pool_waiting_steps_unknown_labels',
        'Of the waiting steps, those counted without knowing their runs-on labels (Bitbucket did not say).',
        (v) => v.counts.waitingUnknownLabels,
      ),
      gauge('runner_tray_pool_min_runners', "The pool's minimum (pool add --min).", (v) => v.min),
      gauge('runner_tray_pool_max_runners', "The pool's maximum (pool add --max).", (v) => v.max),
      gauge('runner_tray_pool_holding', '1 while the pool is held as it is after a Bitbucket error (429, 5xx, unreachable).', (v) =>
        v.status === 'holding' ? 1 : 0,
      ),
    ];
  }

  #runnerStates(): MetricFamily {
    return {
      name: 'runner_tray_runner_state',
      help: 'Each runner in its current state (STARTING, ONLINE, BUSY, UNHEALTHY, CRASHED; STOPPED when no container runs): 1.',
      type: 'gauge',
      samples: this.#deps.runners().map((r) => ({
        labels: { ...this.#labels(r.spec.runnerUuid), state: this.#deps.monitor.snapshot(r.spec.runnerUuid)?.runnerState ?? 'STOPPED' },
        value: 1,
      })),
    };
  }

  /** The whole page, in Prometheus' text format. */
  render(): string {
    return exposition([
      ...this.#poolFamilies(),
      this.#runnerStates(),
      this.#started.family(),
      this.#completed.family(),
      this.#duration.family(),
      this.#wait.family(),
    ]);
  }

  close(): void {
    for (const off of this.#offs.splice(0)) off();
  }
}
