import { EventEmitter } from 'node:events';
import { BitbucketError } from './client.js';
import type { QueuedSteps } from './queued.js';

export interface PollError {
  code: string;
  message: string;
  /** ISO-8601. */
  at: string;
}

export interface PollSnapshot<T> {
  /** The last successful answer; kept while later polls fail, so the UI shows it with "last updated". */
  data: T | null;
  /** ISO-8601 of the last successful poll. */
  lastUpdated: string | null;
  /** The error of the latest poll, cleared by the next success. */
  lastError: PollError | null;
  /** Someone is subscribed, so polls are scheduled. */
  polling: boolean;
  /** ISO-8601 of the next scheduled poll, if any. */
  nextPollAt: string | null;
  /** Failed polls in a row. */
  failures: number;
}

export interface PollerOptions<T> {
  /** One round of requests; abort it when the signal fires. */
  load: (signal: AbortSignal) => Promise<T>;
  intervalMs?: number;
  /** Cap of the exponential backoff; also the pause after errors that need the user (bad token, no access). */
  maxBackoffMs?: number;
}

type PollerEvents<T> = { update: [PollSnapshot<T>] };

/**
 * Polls only while someone is subscribed (a window open, `--watch`), because
 * every request counts against Bitbucket's hourly limit. Backs off exponentially
 * on rate limits and outages, honouring Retry-After; after a rejected token it
 * waits the full cap, since repeated failed logins can lock an Atlassian account.
 */
export class QueuedPoller<T = QueuedSteps> {
  readonly intervalMs: number;
  readonly maxBackoffMs: number;
  readonly #load: (signal: AbortSignal) => Promise<T>;
  readonly #events = new EventEmitter<PollerEvents<T>>();
  #subscribers = 0;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: { controller: AbortController; done: Promise<void> } | null = null;
  #stopped = false;
  #state: PollSnapshot<T> = { data: null, lastUpdated: null, lastError: null, polling: false, nextPollAt: null, failures: 0 };

  constructor(options: PollerOptions<T>) {
    this.#load = options.load;
    this.intervalMs = options.intervalMs ?? 30_000;
    this.maxBackoffMs = Math.max(this.intervalMs, options.maxBackoffMs ?? 15 * 60_000);
  }

  snapshot(): PollSnapshot<T> {
    return { ...this.#state };
  }

  /**
   * Start watching. The first subscriber triggers a poll at once unless the last
   * answer is younger than the interval. Returns the unsubscribe function.
   */
  subscribe(listener: (snapshot: PollSnapshot<T>) => void): () => void {
    if (this.#stopped) throw new Error('This queued-steps poller was stopped; create a new one.');
    this.#events.on('update', listener);
    this.#subscribers += 1;
    if (this.#subscribers === 1) {
      this.#state.polling = true;
      const age = this.#state.lastUpdated ? Date.now() - Date.parse(this.#state.lastUpdated) : Infinity;
      if (this.#state.failures === 0 && age < this.intervalMs) this.#schedule(this.intervalMs - age);
      else this.#schedule(0);
    }
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.#events.off('update', listener);
      this.#subscribers -= 1;
      if (this.#subscribers === 0) this.#idle();
    };
  }

  /** Poll now (e.g. the user pressed refresh); resolves once the round has finished. */
  async refresh(): Promise<PollSnapshot<T>> {
    if (this.#stopped) return this.snapshot();
    if (this.#inFlight) await this.#inFlight.done;
    else await this.#poll();
    return this.snapshot();
  }

  /** No timers, no request in flight, no listeners left behind. */
  stop(): void {
    this.#stopped = true;
    this.#idle();
    this.#events.removeAllListeners();
    this.#subscribers = 0;
  }

  #idle(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#inFlight?.controller.abort();
    this.#state.polling = false;
    this.#state.nextPollAt = null;
  }

  #schedule(delayMs: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#stopped || this.#subscribers === 0) return;
    const delay = Math.max(0, Math.round(delayMs));
    this.#state.nextPollAt = new Date(Date.now() + delay).toISOString();
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#poll();
    }, delay);
  }

  #poll(): Promise<void> {
    // An aborted round may still be settling; a new subscriber must not wait on it.
    if (this.#inFlight && !this.#inFlight.controller.signal.aborted) return this.#inFlight.done;
    const controller = new AbortController();
    const done = this.#round(controller).finally(() => {
      if (this.#inFlight?.controller === controller) this.#inFlight = null;
    });
    this.#inFlight = { controller, done };
    return done;
  }

  async #round(controller: AbortController): Promise<void> {
    this.#state.nextPollAt = null;
    let delay: number;
    try {
      const data = await this.#load(controller.signal);
      if (controller.signal.aborted) return;
      this.#state.data = data;
      this.#state.lastUpdated = new Date().toISOString();
      this.#state.lastError = null;
      this.#state.failures = 0;
      delay = this.intervalMs;
    } catch (err) {
      // Nobody is looking any more: the cancelled round is not an error to show.
      if (controller.signal.aborted) return;
      this.#state.failures += 1;
      const e = err instanceof BitbucketError ? err : null;
      this.#state.lastError = {
        code: e?.code ?? 'BITBUCKET_UNEXPECTED',
        message: err instanceof Error ? err.message : String(err),
        at: new Date().toISOString(),
      };
      delay = this.#backoff(e);
    }
    this.#schedule(delay);
    this.#events.emit('update', this.snapshot());
  }

  #backoff(e: BitbucketError | null): number {
    if (e && !e.transient) return this.maxBackoffMs;
    const exponential = Math.min(this.maxBackoffMs, this.intervalMs * 2 ** this.#state.failures);
    return Math.max(exponential, e?.details.retryAfterMs ?? 0);
  }
}

/**
 * Bitbucket allows 1,000 requests per hour per account or token for the
 * repository endpoints we call. A round costs one pipeline list per watched
 * repository plus one step list per active pipeline, so the interval grows with
 * the watch list to stay within half the limit, leaving room for the user's other tools.
 */
export function intervalForRepositories(repositoryCount: number, options: { baseMs?: number; requestsPerHour?: number } = {}): number {
  const baseMs = options.baseMs ?? 30_000;
  const budget = options.requestsPerHour ?? 500;
  const perRound = Math.max(1, repositoryCount) * 2;
  return Math.max(baseMs, Math.ceil((3_600_000 * perRound) / budget));
}
