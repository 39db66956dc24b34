import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../src/main/bitbucket/client.js';
import { QueuedPoller, intervalForRepositories, type PollSnapshot } from '../../src/main/bitbucket/poller.js';
import { fetchQueuedSteps, type QueuedSteps } from '../../src/main/bitbucket/queued.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

// Made up for these tests.
const TOKEN = 'made-up-access-token-for-poller-tests-77';

let standin: BitbucketStandin;
const pollers: QueuedPoller[] = [];

beforeAll(async () => {
  standin = await BitbucketStandin.start({ kind: 'bearer', token: TOKEN });
  standin.addRepository('acme', 'web');
  standin.addPipeline('acme', 'web', {
    buildNumber: 3,
    state: 'PENDING',
    createdOn: '2024-05-03T08:05:00.000Z',
    steps: [{ name: 'Build', state: 'PENDING' }],
  });
});
afterAll(async () => standin.close());
afterEach(() => {
  standin.clearFaults();
  for (const p of pollers.splice(0)) p.stop();
});

function poller(options: { intervalMs: number; maxBackoffMs: number; token?: string }): QueuedPoller {
  const client = new BitbucketClient({
    auth: { kind: 'bearer', token: new Secret(options.token ?? TOKEN) },
    baseUrl: standin.baseUrl,
    timeoutMs: 5_000,
  });
  const p = new QueuedPoller<QueuedSteps>({
    load: (signal) => fetchQueuedSteps(client, { workspace: 'acme', repositories: ['web'], signal }),
    intervalMs: options.intervalMs,
    maxBackoffMs: options.maxBackoffMs,
  });
  pollers.push(p);
  return p;
}

/** Each poll round starts with the repository's pipeline list. */
function rounds(since = 0): number[] {
  return standin.requests.filter((r) => r.at >= since && r.segments.at(-1) === 'pipelines').map((r) => r.at);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Subscribe and collect updates; `waitFor(n)` resolves when n have arrived. */
function watch(p: QueuedPoller): { updates: PollSnapshot<QueuedSteps>[]; waitFor: (n: number) => Promise<void>; unsubscribe: () => void } {
  const updates: PollSnapshot<QueuedSteps>[] = [];
  let wake: (() => void) | null = null;
  const unsubscribe = p.subscribe((s) => {
    updates.push(s);
    wake?.();
  });
  const waitFor = async (n: number): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (updates.length < n) {
      if (Date.now() > deadline) throw new Error(`only ${updates.length} of ${n} updates arrived`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };
  return { updates, waitFor, unsubscribe };
}

describe('queued-steps poller against the Bitbucket stand-in', () => {
  it('sends no request while nobody is subscribed, polls while someone is, and stops when they leave', async () => {
    const start = Date.now();
    const p = poller({ intervalMs: 30, maxBackoffMs: 300 });
    await sleep(200);
    expect(rounds(start)).toHaveLength(0);
    expect(p.snapshot().polling).toBe(false);

    const w = watch(p);
    await w.waitFor(3);
    expect(w.updates[0]!.data?.steps.map((s) => s.stepName)).toEqual(['Build']);
    expect(w.updates[0]!.lastUpdated).not.toBeNull();
    expect(w.updates[0]!.lastError).toBeNull();
    w.unsubscribe();
    expect(p.snapshot().polling).toBe(false);
    await sleep(50);
    const after = rounds(start).length;
    await sleep(250);
    expect(rounds(start).length).toBe(after);
  });

  it('a new subscriber reuses an answer younger than the interval instead of asking again', async () => {
    const p = poller({ intervalMs: 1_500, maxBackoffMs: 3_000 });
    const first = watch(p);
    await first.waitFor(1);
    first.unsubscribe();
    const mark = Date.now();
    const second = watch(p);
    await sleep(300);
    expect(rounds(mark)).toHaveLength(0);
    expect(p.snapshot().data?.steps).toHaveLength(1);
    await second.waitFor(1);
    expect(rounds(mark)).toHaveLength(1);
    second.unsubscribe();
  });

  it('backs off exponentially on 5xx, keeps the last good answer with "last updated", and recovers', async () => {
    const p = poller({ intervalMs: 40, maxBackoffMs: 320 });
    const w = watch(p);
    await w.waitFor(1);
    const good = w.updates[0]!;
    const mark = Date.now();
    standin.fault({ status: 503, pathIncludes: 'pipelines', times: 3 });
    await w.waitFor(5);
    w.unsubscribe();

    const failed = w.updates.slice(1, 4);
    expect(failed.map((u) => u.lastError?.code)).toEqual(['BITBUCKET_SERVER_ERROR', 'BITBUCKET_SERVER_ERROR', 'BITBUCKET_SERVER_ERROR']);
    expect(failed.map((u) => u.failures)).toEqual([1, 2, 3]);
    for (const u of failed) {
      expect(u.data).toEqual(good.data);
      expect(u.lastUpdated).toBe(good.lastUpdated);
    }
    expect(w.updates[4]!.lastError).toBeNull();
    expect(w.updates[4]!.failures).toBe(0);

    // Rounds after the faults went in: fail, fail, fail, succeed; pauses 80, 160, 320 ms.
    const t = rounds(mark);
    const gaps = t.slice(1, 4).map((at, i) => at - t[i]!);
    expect(gaps[0]).toBeGreaterThanOrEqual(75);
    expect(gaps[1]).toBeGreaterThanOrEqual(155);
    expect(gaps[2]).toBeGreaterThanOrEqual(315);
  });

  it('honours Retry-After on 429 even when the backoff would be shorter', async () => {
    const p = poller({ intervalMs: 30, maxBackoffMs: 5_000 });
    const w = watch(p);
    await w.waitFor(1);
    const mark = Date.now();
    standin.fault({ status: 429, retryAfter: '1', pathIncludes: 'pipelines' });
    await w.waitFor(3);
    w.unsubscribe();
    expect(w.updates[1]!.lastError?.code).toBe('BITBUCKET_RATE_LIMITED');
    expect(w.updates[1]!.lastError?.message).toMatch(/in 1 s/);
    const t = rounds(mark);
    expect(t[1]! - t[0]!).toBeGreaterThanOrEqual(990);
  });

  it('after a rejected token it waits the full cap instead of retrying every interval', async () => {
    const start = Date.now();
    const p = poller({ intervalMs: 20, maxBackoffMs: 2_000, token: 'not-the-right-token-123' });
    const w = watch(p);
    await w.waitFor(1);
    await sleep(400);
    w.unsubscribe();
    expect(rounds(start)).toHaveLength(1);
    expect(p.snapshot().lastError?.code).toBe('BITBUCKET_UNAUTHORIZED');
    expect(JSON.stringify(p.snapshot())).not.toContain(TOKEN);
  });

  it('stop() leaves no timer and no polling behind', async () => {
    const timersBefore = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const p = poller({ intervalMs: 30, maxBackoffMs: 300 });
    const w = watch(p);
    await w.waitFor(2);
    p.stop();
    const mark = Date.now();
    await sleep(200);
    expect(rounds(mark)).toHaveLength(0);
    expect(p.snapshot()).toMatchObject({ polling: false, nextPollAt: null });
    expect(() => p.subscribe(() => {})).toThrow(/stopped/);
    const timersAfter = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(timersAfter).toBeLessThanOrEqual(timersBefore);
  });

  it('refresh() polls at once and resolves with the new snapshot', async () => {
    const p = poller({ intervalMs: 60_000, maxBackoffMs: 60_000 });
    const mark = Date.now();
    const s = await p.refresh();
    expect(rounds(mark)).toHaveLength(1);
    expect(s.data?.steps).toHaveLength(1);
    expect(s.nextPollAt).toBeNull();
  });
});

describe('poll interval for a watch list', () => {
  it('stays at 30 s for a few repositories and grows so a long watch list stays within the hourly rate limit', () => {
    expect(intervalForRepositories(1)).toBe(30_000);
    for (const n of [5, 10, 40]) {
      const roundsPerHour = 3_600_000 / intervalForRepositories(n);
      expect(roundsPerHour * n * 2).toBeLessThanOrEqual(500);
    }
    expect(intervalForRepositories(5)).toBe(72_000);
  });
});
