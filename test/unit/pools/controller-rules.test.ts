/** The pool controller's own rules (not planPool's): how a runner is judged, orphans, names, the host's cap, backoff, the journal. */
import { describe, expect, it } from 'vitest';
import { BitbucketError } from '../../../src/main/bitbucket/client.js';
import type { BitbucketRunnerView } from '../../../src/main/bitbucket/queued.js';
import { judgeRunner, stuckReason, type PlacementFact, type RunnerFacts } from '../../../src/main/pools/classify.js';
import { Backoff, holdingProblem, HISTORY_MS, MAX_ACTIVITY, PoolJournal } from '../../../src/main/pools/pool-journal.js';
import { findOrphans, hostLimit, looksLikePoolRunner, nextRunnerName, runnerNeed } from '../../../src/main/pools/pool-rules.js';

const GiB = 1024 ** 3;
const UUID = '{11111111-2222-4333-8444-555555555555}';

function bbRunner(over: Partial<BitbucketRunnerView> = {}): BitbucketRunnerView {
  return {
    uuid: UUID,
    name: 'ci-1',
    labels: ['self.hosted', 'linux', 'docker.large'],
    status: 'ONLINE',
    busy: false,
    cordoned: false,
    scope: 'workspace',
    ...over,
  };
}

function facts(placement: Partial<PlacementFact>, bitbucket: BitbucketRunnerView | null = bbRunner(), seenOnline = false): RunnerFacts {
  return { uuid: UUID, createdAt: 0, bitbucket, placement: { presence: 'running', logBusy: false, reason: null, ...placement }, seenOnline };
}

describe('judging a pool runner', () => {
  it('is busy the moment its log says so, even while Bitbucket still lists it idle', () => {
    expect(judgeRunner(facts({ logBusy: true }, bbRunner({ busy: false })))).toEqual({ state: 'busy', reason: null });
    expect(judgeRunner(facts({}, bbRunner({ busy: true, stepUuid: '{s}' }))).state).toBe('busy');
  });

  it('is idle when ONLINE in Bitbucket and its container runs', () => {
    expect(judgeRunner(facts({}))).toEqual({ state: 'idle', reason: null });
  });

  it('is starting while Bitbucket has it UNREGISTERED or its container is being made, with the reason', () => {
    expect(judgeRunner(facts({}, bbRunner({ status: 'UNREGISTERED' })))).toEqual({ state: 'starting', reason: 'Bitbucket reports it UNREGISTERED' });
    expect(judgeRunner(facts({ presence: 'starting', reason: 'pod ErrImagePull (image pull)' }, bbRunner({ status: 'UNREGISTERED' })))).toEqual({
      state: 'starting',
      reason: 'pod ErrImagePull (image pull)',
    });
  });

  it('is offline when its container is gone, Bitbucket lost it, or it went OFFLINE after being online', () => {
    expect(judgeRunner(facts({ presence: 'missing' }))).toEqual({ state: 'offline', reason: 'its container or workload is gone' });
    expect(judgeRunner(facts({}, null))).toEqual({ state: 'offline', reason: 'Bitbucket no longer has this runner' });
    expect(judgeRunner(facts({}, bbRunner({ status: 'OFFLINE' }), true)).state).toBe('offline');
    // Never online yet: OFFLINE is still a runner on its way (planPool's start timeout decides).
    expect(judgeRunner(facts({}, bbRunner({ status: 'OFFLINE' }), false)).state).toBe('starting');
  });

  it('says why a starter is retired, in seconds and words', () => {
    expect(stuckReason(facts({ presence: 'starting', reason: 'pod unschedulable: no node fits it yet' }, bbRunner({ status: 'UNREGISTERED' })), 120_000)).toBe(
      'did not come online in 120 s: pod unschedulable: no node fits it yet',
    );
  });
});

describe('pool runner names and orphans', () => {
  it('names runners <pool>-<n> with the smallest free n, ignoring other pools with a shared prefix', () => {
    expect(nextRunnerName('ci', [])).toBe('ci-1');
    expect(nextRunnerName('ci', ['ci-1', 'ci-3', 'ci-x-2', 'build-2'])).toBe('ci-2');
    expect(nextRunnerName('ci', ['ci-1', 'ci-2'])).toBe('ci-3');
  });

  it('recognises its runners by name and exactly the pool labels', () => {
    const pool = { name: 'ci', labels: ['docker.large'] };
    expect(looksLikePoolRunner(pool, bbRunner())).toBe(true);
    expect(looksLikePoolRunner(pool, bbRunner({ labels: ['self.hosted', 'linux'] }))).toBe(false);
    expect(looksLikePoolRunner(pool, bbRunner({ name: 'ci-one' }))).toBe(false);
    expect(looksLikePoolRunner(pool, bbRunner({ name: 'cix-1' }))).toBe(false);
  });

  it('deletes an orphan only on its second sighting, never one known here, being created, or ONLINE', () => {
    const pool = { name: 'ci', labels: ['docker.large'] };
    const orphan = bbRunner({ uuid: '{aaaaaaaa-0000-4000-8000-000000000001}', name: 'ci-4', status: 'UNREGISTERED' });
    const online = bbRunner({ uuid: '{aaaaaaaa-0000-4000-8000-000000000002}', name: 'ci-5', status: 'ONLINE' });
    const ours = bbRunner({ uuid: '{aaaaaaaa-0000-4000-8000-000000000003}', name: 'ci-1', status: 'OFFLINE' });
    const handMade = bbRunner({ uuid: '{aaaaaaaa-0000-4000-8000-000000000004}', name: 'my-runner', status: 'OFFLINE' });
    const known = new Set(['aaaaaaaa-0000-4000-8000-000000000003']);
    const first = findOrphans({ pool, bitbucket: [orphan, online, ours, handMade], known, creating: new Set(), previous: new Set() });
    expect([...first.candidates]).toEqual(['aaaaaaaa-0000-4000-8000-000000000001']);
    expect(first.remove).toEqual([]);
    const second = findOrphans({ pool, bitbucket: [orphan, online, ours, handMade], known, creating: new Set(), previous: first.candidates });
    expect(second.remove.map((r) => r.name)).toEqual(['ci-4']);
    const creating = findOrphans({ pool, bitbucket: [orphan], known, creating: new Set(['aaaaaaaa-0000-4000-8000-000000000001']), previous: first.candidates });
    expect(creating.remove).toEqual([]);
  });
});

describe("the host's memory cap (the doctor's rule)", () => {
  it('counts step memory plus the runner container for each runner, the others included', () => {
    expect(runnerNeed('2x')).toBe(8 * GiB + 512 * 1024 ** 2);
    expect(hostLimit(23 * GiB, '2x', [])).toBe(2);
    expect(hostLimit(23 * GiB, '2x', ['1x', '1x'])).toBe(1);
    expect(hostLimit(23 * GiB, '8x', [])).toBe(0);
    expect(hostLimit(4 * GiB, '1x', ['4x'])).toBe(0);
  });
});

describe('backoff while Bitbucket fails', () => {
  it('doubles from the interval on 429/5xx, honours Retry-After, waits the cap for a rejected token, and resets on success', () => {
    const b = new Backoff(1000, 60_000);
    const busy = new BitbucketError('BITBUCKET_SERVER_ERROR', 'HTTP 503');
    expect(b.failed(busy)).toBe(2000);
    expect(b.failed(busy)).toBe(4000);
    expect(b.failed(new BitbucketError('BITBUCKET_RATE_LIMITED', '429', { retryAfterMs: 30_000 }))).toBe(30_000);
    expect(b.failed(new BitbucketError('BITBUCKET_UNAUTHORIZED', '401'))).toBe(60_000);
    expect(b.failures).toBe(4);
    expect(b.succeeded()).toBe(1000);
    expect(b.failures).toBe(0);
  });

  it('says the pool is kept as it is, and when it tries again', () => {
    const text = holdingProblem(new BitbucketError('BITBUCKET_NETWORK', 'Could not reach Bitbucket at http://127.0.0.1:9/2.0.'), 4000);
    expect(text).toBe(
      'Bitbucket did not answer usefully (Could not reach Bitbucket at http://127.0.0.1:9/2.0.); the pool is kept as it is, trying again in 4 s.',
    );
  });
});

describe('the pool journal', () => {
  it('logs each line with the pool name and keeps the newest 50', () => {
    const logged: string[] = [];
    const j = new PoolJournal('ci', (l) => logged.push(l));
    for (let i = 1; i <= MAX_ACTIVITY + 5; i++) j.note(`line ${i}`, new Date(Date.UTC(2026, 0, 1, 0, 0, i)));
    expect(j.activity).toHaveLength(MAX_ACTIVITY);
    expect(j.activity[0]!.line).toBe('line 6');
    expect(j.activity.at(-1)).toEqual({ at: '2026-01-01T00:00:55.000Z', line: 'line 55' });
    expect(logged[0]).toBe('pool ci: line 1');
  });

  it('keeps one sample a poll for the last hour only', () => {
    const j = new PoolJournal('ci', () => undefined);
    const t0 = Date.UTC(2026, 0, 1);
    for (let m = 0; m <= 90; m += 10) j.sample({ desired: m, busy: 0, waiting: 0 }, new Date(t0 + m * 60_000));
    expect(j.history.map((h) => h.desired)).toEqual([30, 40, 50, 60, 70, 80, 90]);
    expect(Date.parse(j.history.at(-1)!.at) - Date.parse(j.history[0]!.at)).toBeLessThanOrEqual(HISTORY_MS);
  });
});
