/**
 * What a pool keeps of its past: the activity lines (every Bitbucket write and every decision
 * that changed something, newest last, at most 50), one sample a poll for the last hour, and the
 * backoff after Bitbucket errors (429/5xx/unreachable: keep the pool as it is, try again later).
 */
import type { PoolActivityView, PoolSampleView } from '../../shared/contract/pool-views.js';
import { BitbucketError } from '../bitbucket/client.js';

export const MAX_ACTIVITY = 50;
export const HISTORY_MS = 60 * 60_000;

export class PoolJournal {
  readonly activity: PoolActivityView[] = [];
  readonly history: PoolSampleView[] = [];
  readonly #log: (line: string) => void;
  readonly #pool: string;

  constructor(pool: string, log: (line: string) => void) {
    this.#pool = pool;
    this.#log = log;
  }

  /** One line in the pool's activity and in the app's log (`pool ci: created runner ci-3: …`). */
  note(line: string, at: Date = new Date()): void {
    this.activity.push({ at: at.toISOString(), line });
    if (this.activity.length > MAX_ACTIVITY) this.activity.splice(0, this.activity.length - MAX_ACTIVITY);
    this.#log(`pool ${this.#pool}: ${line}`);
  }

  sample(s: Omit<PoolSampleView, 'at'>, at: Date = new Date()): void {
    this.history.push({ at: at.toISOString(), ...s });
    const oldest = at.getTime() - HISTORY_MS;
    let drop = 0;
    while (drop < this.history.length && Date.parse(this.history[drop]!.at) < oldest) drop += 1;
    if (drop > 0) this.history.splice(0, drop);
  }
}

/** Consecutive failed observations, and when to look again. */
export class Backoff {
  failures = 0;
  readonly #intervalMs: number;
  readonly #maxMs: number;

  constructor(intervalMs: number, maxMs: number) {
    this.#intervalMs = intervalMs;
    this.#maxMs = Math.max(intervalMs, maxMs);
  }

  succeeded(): number {
    this.failures = 0;
    return this.#intervalMs;
  }

  /** Doubling from the interval, at least Bitbucket's Retry-After; the cap at once for errors that need the user (token, scopes). */
  failed(e: unknown): number {
    this.failures += 1;
    if (e instanceof BitbucketError && !e.transient) return this.#maxMs;
    const doubling = Math.min(this.#maxMs, this.#intervalMs * 2 ** this.failures);
    const retryAfter = e instanceof BitbucketError ? (e.details.retryAfterMs ?? 0) : 0;
    return Math.max(doubling, retryAfter);
  }
}

/** The problem in words, with what to do, for the pool's view. */
export function holdingProblem(e: unknown, nextMs: number): string {
  const why = e instanceof Error ? e.message : String(e);
  const again = `trying again in ${Math.max(1, Math.round(nextMs / 1000))} s`;
  if (e instanceof BitbucketError && e.transient) return `Bitbucket did not answer usefully (${why}); the pool is kept as it is, ${again}.`;
  return `${why} The pool is kept as it is, ${again}.`;
}
