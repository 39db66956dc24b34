/**
 * `runners.logs.subscribe`: the last lines of the runner's container log as a backlog, then the
 * steps service's followed lines as `logs.lines` events. One follower per runner serves every
 * subscriber (the steps service already follows each running runner); a subscription is only
 * a filter, so a forgotten one costs a map entry, not a stream. Every line carries the steps
 * service's own line number (the one diagnoses name) and leaves masked like the followed ones.
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { ContractEvent } from '../../shared/contract/events.js';
import type { LogLine, LogSubscriptionView } from '../../shared/contract/views.js';
import { splitLines } from '../../shared/line-splitter.js';
import { bare } from '../../shared/runner-spec.js';
import { readContainerLog } from '../docker/container-logs.js';
import type { RunnerService } from '../runners/runner-service.js';
import { comparableTimestamp, splitDockerLine } from '../monitor/docker-time.js';
import type { RunnerMonitor } from '../monitor/runner-monitor.js';
import type { ClusterWatch } from '../kubernetes/cluster-watch.js';
import { ApiError } from './contract-errors.js';
import { toDiagnosisView } from './views.js';

interface Subscription {
  id: string;
  runnerUuid: string;
  key: string;
  /** Number of the newest line handed out; followed lines at or below it are already sent. */
  n: number;
  /** Followed lines that arrived while the backlog was being read. */
  early: LogLine[] | null;
}

/**
 * Numbers for a backlog read straight from Docker, in the steps service's count: the line stamped
 * `lastLineTime` is line `lineCount`, the others count from it. Without that anchor (the service
 * has not read this container yet) the backlog is what the service will number next.
 */
export function numberBacklog(backlog: ReadonlyArray<{ text: string; at?: string }>, anchor: { lineCount: number; lastLineTime: string | null }): LogLine[] {
  let last = -1;
  if (anchor.lastLineTime !== null) {
    const key = comparableTimestamp(anchor.lastLineTime);
    for (let i = backlog.length - 1; i >= 0; i--) {
      const at = backlog[i]!.at;
      if (at !== undefined && comparableTimestamp(at) === key) {
        last = i;
        break;
      }
    }
  }
  const first = last >= 0 ? anchor.lineCount - last : anchor.lineCount + 1;
  const out: LogLine[] = [];
  backlog.forEach((l, i) => {
    // Lines before the service's first one (an earlier run of the container) have no number of theirs.
    if (first + i >= 1) out.push({ n: first + i, text: l.text, ...(l.at ? { at: l.at } : {}) });
  });
  return out;
}

export interface LogSubscriptionsDeps {
  docker: Docker;
  runners: RunnerService;
  steps: RunnerMonitor;
  /** Runners on clusters: their lines come from the pod's log, numbered and masked the same way. */
  placed?: ClusterWatch;
  emit: (event: ContractEvent) => void;
  /** Subscriptions kept at most; the oldest is dropped beyond (a page that never unsubscribed). Default 64. */
  maxSubscriptions?: number;
}

export class LogSubscriptions {
  readonly #deps: LogSubscriptionsDeps;
  readonly #subs = new Map<string, Subscription>();
  readonly #offs: Array<() => void>;

  constructor(deps: LogSubscriptionsDeps) {
    this.#deps = deps;
    this.#offs = [deps.steps.events.on('log', (e) => this.#onLines(e.runnerUuid, e.lines))];
    if (deps.placed) this.#offs.push(deps.placed.events.on('log', (e) => this.#onLines(e.runnerUuid, e.lines)));
  }

  get size(): number {
    return this.#subs.size;
  }

  async subscribe(runnerUuid: string, tail: number): Promise<LogSubscriptionView> {
    const placed = this.#deps.placed;
    const status = placed?.status(runnerUuid) ?? (await this.#deps.runners.status(runnerUuid));
    const source = placed?.isPlaced(status.runnerUuid) ? placed : this.#deps.steps;
    const read = (id: string) =>
      source === this.#deps.steps ? readContainerLog(this.#deps.docker, id, { tail, timestamps: true }) : placed!.readLog(status.runnerUuid, tail);
    const sub: Subscription = { id: randomUUID(), runnerUuid: status.runnerUuid, key: bare(status.runnerUuid), n: 0, early: [] };
    this.#subs.set(sub.id, sub);
    const max = this.#deps.maxSubscriptions ?? 64;
    for (const old of this.#subs.keys()) {
      if (this.#subs.size <= max) break;
      this.#subs.delete(old);
    }
    // Taken before the read: Docker's log then holds every line the service had numbered.
    const before = source.snapshot(status.runnerUuid);
    sub.n = before?.lineCount ?? 0;
    let backlog: LogLine[] = [];
    if (status.containerId && tail > 0) {
      let text = '';
      try {
        text = await read(status.containerId);
      } catch {
        // Removed between the two calls: no backlog, the follower still reports a new container.
      }
      const raw: Array<{ text: string; at?: string }> = [];
      for (const line of splitLines(text)) {
        if (line === '') continue;
        const { time, text: clean } = splitDockerLine(line);
        raw.push({ text: source.maskLogLine(status.runnerUuid, clean), ...(time ? { at: time } : {}) });
      }
      const sameContainer = before !== undefined && before.containerId === status.containerId;
      backlog = numberBacklog(raw, {
        lineCount: before?.lineCount ?? 0,
        lastLineTime: sameContainer ? before.lastLineTime : null,
      });
      if (backlog.length > 0) sub.n = backlog[backlog.length - 1]!.n;
    }
    const early = sub.early ?? [];
    sub.early = null;
    const fresh = this.#fresh(sub, early);
    const snapshot = source.snapshot(status.runnerUuid);
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
    for (const off of this.#offs) off();
    this.#subs.clear();
  }

  #onLines(runnerUuid: string, lines: ReadonlyArray<{ lineNumber: number; text: string; time?: string }>): void {
    const key = bare(runnerUuid);
    // The steps service masked these already and numbered them; subscriptions only filter.
    const asLines: LogLine[] = lines.map((l) => ({ n: l.lineNumber, text: l.text, ...(l.time ? { at: l.time } : {}) }));
    for (const sub of this.#subs.values()) {
      if (sub.key !== key) continue;
      if (sub.early) {
        sub.early.push(...asLines);
        continue;
      }
      const out = this.#fresh(sub, asLines);
      if (out.length > 0) this.#deps.emit({ type: 'logs.lines', subscriptionId: sub.id, runnerUuid: sub.runnerUuid, lines: out });
    }
  }

  /** Lines newer than what this subscription has sent (the backlog may hold some of them). */
  #fresh(sub: Subscription, lines: readonly LogLine[]): LogLine[] {
    const out = lines.filter((l) => l.n > sub.n);
    if (out.length > 0) sub.n = out[out.length - 1]!.n;
    return out;
  }
}
