/**
 * A one-shot read of Bitbucket that meets a rate limit with a short Retry-After waits and tries
 * again, as the watcher's poller does, but bounded: a command line must end. A longer wait, or
 * the last try, ends with the error, worded for a command that is not retrying any more.
 */
import { BitbucketError } from '../../main/bitbucket/client.js';

export const MAX_TRIES = 3;
export const MAX_RETRY_AFTER_MS = 10_000;

export interface RetryIo {
  /** One line on stderr per wait. */
  say(line: string): void;
  sleep?: (ms: number) => Promise<void>;
}

export async function withRateLimitRetry<T>(fetch: () => Promise<T>, io: RetryIo): Promise<T> {
  const sleep = io.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch();
    } catch (e) {
      if (!(e instanceof BitbucketError) || e.code !== 'BITBUCKET_RATE_LIMITED') throw e;
      const wait = e.details.retryAfterMs;
      if (wait === undefined || wait > MAX_RETRY_AFTER_MS || attempt >= MAX_TRIES) throw finalRateLimit(e, attempt, wait);
      const seconds = Math.max(1, Math.ceil(wait / 1000));
      io.say(`Bitbucket's rate limit is exhausted (HTTP 429): retrying in ${seconds} s (try ${attempt + 1} of ${MAX_TRIES}).`);
      await sleep(wait);
    }
  }
}

/** The client's message promises a retry; this command does not retry any more, so it says when to. */
function finalRateLimit(e: BitbucketError, tries: number, wait: number | undefined): BitbucketError {
  const when = wait === undefined ? 'in a few minutes' : `in ${Math.max(1, Math.ceil(wait / 1000))} s`;
  const message = e.message.replace(
    / Retrying (in \d+ s|later, with growing pauses)\./,
    ` Gave up after ${tries} ${tries === 1 ? 'try' : 'tries'}; run it again ${when}.`,
  );
  return new BitbucketError(e.code, message, e.details);
}
