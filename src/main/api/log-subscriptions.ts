/**
 * `runners.logs.subscribe`: the last lines of the runner's container log as a backlog, then the
 * steps service's followed lines as `logs.lines` events. One follower per runner serves every
 * subscriber (the steps service already follows each running runner); a subscription is only
 * a filter and a line counter, so a forgotten one costs a map entry, not a stream.
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { ContractEvent } from '../../shared/contract/events.js';
import type { LogLine, LogSubscriptionView } from '../../shared/contract/views.js';
import { bare } from '../../shared/runner-spec.js';
import { readContainerLog } from '../docker/container-logs.js';
import type { RunnerService } from '../runners/runner-service.js';
import { comparableTimestamp, leadingDockerTimestamp } from '../steps/docker-time.js';
import type { StepsService } from '../steps/steps-service.js';
import { ApiError } from './contract-errors.js';
import { toDiagnosisView } from './views.js';

interface Subscription {
  id: string;
  runnerUuid: string;
  key: string;
  /** Last line number handed out. */
  n: number;
  /** Comparable time of the newest backlog line; followed lines at or before it are already in the backlog. */
  after: string | null;
  /** Followed lines that arrived while the backlog was being read. */
  early: LogLine[] | null;
}

export interface LogSubscriptionsDeps {
  docker: Docker;
  runners: RunnerService;
  steps: StepsService;
  emit: (event: ContractEvent) => void;
  /** Subscriptions kept at most; the oldest is dropped beyond (a page that never unsubscribed). Default 64. */
  maxSubscriptions?: number;
}

export class LogSubscriptions {
  readonly #deps: LogSubscriptionsDeps;
  readonly #subs = new Map<string, Subscription>();
  readonly #off: () => void;

  constructor(deps: LogSubscriptionsDeps) {
    this.#deps = deps;
    this.#off = deps.steps.events.on('log', (e) => this.#onLines(e.runnerUuid, e.lines));
  }

  get size(): number {
    return this.#subs.size;
  }

  async subscribe(runnerUuid: string, tail: number): Promise<LogSubscriptionView> {
    const status = await this.#deps.runners.status(runnerUuid);
    const sub: Subscription = { id: randomUUID(), runnerUuid: status.runnerUuid, key: bare(status.runnerUuid), n: 0, after: null, early: [] };
    this.#subs.set(sub.id, sub);
    const max = this.#deps.maxSubscriptions ?? 64;
    for (const old of this.#subs.keys()) {
      if (this.#subs.size <= max) break;
      this.#subs.delete(old);
    }
    const backlog: LogLine[] = [];
    if (status.containerId && tail > 0) {
      let text = '';
      try {
        text = await readContainerLog(this.#deps.docker, status.containerId, { tail, timestamps: true });
      } catch {
        // Removed between the two calls: no backlog, the follower still reports a new container.
      }
      for (const raw of text.split('\n')) {
        if (raw === '') continue;
        const ts = leadingDockerTimestamp(raw);
        const line = ts === null ? raw : raw.slice(ts.length + 1);
        backlog.push({ n: ++sub.n, text: line.endsWith('\r') ? line.slice(0, -1) : line, ...(ts ? { at: ts } : {}) });
        if (ts) sub.after = comparableTimestamp(ts);
      }
    }
    const early = sub.early ?? [];
    sub.early = null;
    const fresh = this.#number(sub, early);
    const snapshot = this.#deps.steps.snapshot(status.runnerUuid);
    return {
      subscriptionId: sub.id,
      backlog: [...backlog, ...fresh],
      diagnoses: (snapshot?.diagnostics ?? []).map(toDiagnosisView),
    };
  }

  unsubscribe(subscriptionId: string): void {
    if (!this.#subs.delete(subscriptionId)) {
      throw new ApiError('NOT_FOUND', `No log subscription "${subscriptionId}" (it ended, or the service restarted); open the log again.`);
    }
  }

  close(): void {
    this.#off();
    this.#subs.clear();
  }

  #onLines(runnerUuid: string, lines: ReadonlyArray<{ lineNumber: number; text: string; time?: string }>): void {
    const key = bare(runnerUuid);
    const asLines: LogLine[] = lines.map((l) => ({ n: 0, text: l.text, ...(l.time ? { at: l.time } : {}) }));
    for (const sub of this.#subs.values()) {
      if (sub.key !== key) continue;
      if (sub.early) {
        sub.early.push(...asLines);
        continue;
      }
      const out = this.#number(sub, asLines);
      if (out.length > 0) this.#deps.emit({ type: 'logs.lines', subscriptionId: sub.id, runnerUuid: sub.runnerUuid, lines: out });
    }
  }

  #number(sub: Subscription, lines: readonly LogLine[]): LogLine[] {
    const out: LogLine[] = [];
    for (const l of lines) {
      if (sub.after !== null && l.at !== undefined && comparableTimestamp(l.at) <= sub.after) continue;
      out.push({ ...l, n: ++sub.n });
    }
    return out;
  }
}
