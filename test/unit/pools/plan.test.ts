/** Pool arithmetic (src/shared/pools): how many runners a pool wants, which it retires, which steps it counts. */
import { describe, expect, it } from 'vitest';
import { matchStep, planPool, waitingFor, type PoolRunner, type PoolSpec, type WaitingStep } from '../../../src/shared/pools/index.js';

const MIN = 60_000;
const NOW = 1_800_000_000_000;
const pool: PoolSpec = { name: 'ci', workspace: 'acme', labels: ['docker.large'], min: 0, max: 2, idle: 0, coolDownMs: 5 * MIN, startTimeoutMs: 10 * MIN };

let n = 0;
const step = (labels: string[] | null = ['self.hosted', 'linux'], repository = 'acme/web-app'): WaitingStep => ({
  stepUuid: `{step-${++n}}`,
  repository,
  labels,
});
const runner = (state: PoolRunner['state'], extra: Partial<PoolRunner> = {}): PoolRunner => ({
  uuid: `{runner-${++n}}`,
  state,
  createdAt: NOW - MIN,
  ...extra,
});

describe('planPool', () => {
  it('scales from zero: 3 steps wait, min 0, max 2 → exactly 2 runners, capped by max', () => {
    const plan = planPool({ pool, runners: [], steps: [step(), step(), step()], now: NOW });
    expect(plan).toMatchObject({ desired: 2, create: 2, retire: [], cappedBy: 'max' });
    expect(plan.notes.join('\n')).toContain("capped at the pool's max 2");
  });

  it('counts runners that are starting as capacity: no overshoot while they come up', () => {
    const slow = [runner('starting', { createdAt: NOW - 4 * MIN }), runner('starting', { createdAt: NOW - 4 * MIN })];
    expect(planPool({ pool, runners: slow, steps: [step(), step(), step()], now: NOW })).toMatchObject({ desired: 2, create: 0, retire: [] });
    // Both busy, the third step still waits: still two, none more.
    const busy = [runner('busy'), runner('busy')];
    expect(planPool({ pool, runners: busy, steps: [step()], now: NOW })).toMatchObject({ desired: 2, create: 0, retire: [] });
  });

  it('takes the third step when a runner frees: busy + idle cover the work, nothing created', () => {
    const plan = planPool({ pool, runners: [runner('busy'), runner('idle', { idleSince: NOW - 10 * MIN })], steps: [step()], now: NOW });
    expect(plan).toMatchObject({ desired: 2, create: 0, retire: [] });
  });

  it('retires only runners idle past the cool-down, longest idle first, never a busy one', () => {
    const fresh = runner('idle', { idleSince: NOW - 1 * MIN });
    const old = runner('idle', { idleSince: NOW - 20 * MIN });
    const older = runner('idle', { idleSince: NOW - 30 * MIN });
    const busy = runner('busy');
    const plan = planPool({ pool: { ...pool, max: 5 }, runners: [fresh, old, busy, older], steps: [], now: NOW });
    expect(plan.desired).toBe(1);
    expect(plan.retire).toEqual([
      { uuid: older.uuid, reason: 'idle-past-cool-down' },
      { uuid: old.uuid, reason: 'idle-past-cool-down' },
    ]);
    expect(plan.retire.map((r) => r.uuid)).not.toContain(busy.uuid);
    expect(plan.retire.map((r) => r.uuid)).not.toContain(fresh.uuid);
    // All busy past any cool-down: nothing is retired even with max lowered below them.
    const allBusy = [runner('busy'), runner('busy'), runner('busy')];
    expect(planPool({ pool, runners: allBusy, steps: [], now: NOW }).retire).toEqual([]);
  });

  it('keeps min runners and the idle target, retiring none of those', () => {
    const p = { ...pool, min: 1, idle: 1, max: 3 };
    const idle = [runner('idle', { idleSince: NOW - 60 * MIN }), runner('idle', { idleSince: NOW - 60 * MIN })];
    const plan = planPool({ pool: p, runners: idle, steps: [], now: NOW });
    expect(plan).toMatchObject({ desired: 1, create: 0 });
    expect(plan.retire).toHaveLength(1);
    expect(planPool({ pool: p, runners: [], steps: [step()], now: NOW })).toMatchObject({ desired: 2, create: 2 });
  });

  it('retires a runner that never came online without creating a second one for it in the same round', () => {
    const stuck = runner('starting', { createdAt: NOW - 11 * MIN });
    const plan = planPool({ pool, runners: [stuck], steps: [step()], now: NOW });
    expect(plan.retire).toEqual([{ uuid: stuck.uuid, reason: 'did-not-come-online' }]);
    expect(plan.create).toBe(0);
    expect(plan.notes.join('\n')).toContain('not online 600 s after its creation');
    // Next round it is gone: one replacement.
    expect(planPool({ pool, runners: [], steps: [step()], now: NOW }).create).toBe(1);
  });

  it('does not count an offline runner as capacity, and retires it', () => {
    const gone = runner('offline');
    const plan = planPool({ pool, runners: [gone], steps: [step()], now: NOW });
    expect(plan).toMatchObject({ desired: 1, create: 1, retire: [{ uuid: gone.uuid, reason: 'offline' }] });
  });

  it('respects what the host can run, and says so', () => {
    const plan = planPool({ pool: { ...pool, max: 5 }, runners: [], steps: [step(), step(), step()], now: NOW, hostLimit: 1 });
    expect(plan).toMatchObject({ desired: 1, create: 1, cappedBy: 'host' });
    expect(plan.notes.join('\n')).toContain('memory for 1 runner of this size (the pool allows 5)');
    expect(planPool({ pool: { ...pool, min: 2 }, runners: [], steps: [], now: NOW, hostLimit: 0 })).toMatchObject({ desired: 0, create: 0 });
  });

  it('counts steps with unknown labels for the pools serving their repository, and flags them', () => {
    const plan = planPool({ pool, runners: [], steps: [step(null)], now: NOW });
    expect(plan).toMatchObject({ desired: 1, create: 1, counts: { waiting: 1, waitingUnknownLabels: 1 } });
    expect(plan.notes.join('\n')).toContain('without knowing its runs-on labels');
  });
});

describe('step matching', () => {
  it("takes a step whose runs-on labels are all the pool's (self.hosted and linux included)", () => {
    expect(matchStep(pool, step(['self.hosted', 'linux', 'docker.large']))).toBe('match');
    expect(matchStep(pool, step(['SELF.HOSTED', 'Linux']))).toBe('match');
    expect(matchStep(pool, step(['self.hosted', 'linux', 'gpu']))).toBe('no');
    expect(matchStep(pool, step(['self.hosted', 'linux.arm64']))).toBe('no');
    expect(matchStep({ ...pool, labels: ['linux.arm64'] }, step(['self.hosted', 'linux.arm64']))).toBe('match');
  });

  it('leaves steps of other workspaces and repositories, and steps without runs-on, to others', () => {
    expect(matchStep(pool, step(undefined, 'other/web-app'))).toBe('no');
    expect(matchStep({ ...pool, repository: 'api' }, step(undefined, 'acme/web-app'))).toBe('no');
    expect(matchStep({ ...pool, repository: 'web-app' }, step(undefined, 'acme/web-app'))).toBe('match');
    expect(matchStep(pool, step([]))).toBe('no');
    expect(matchStep(pool, step(null, 'other/x'))).toBe('no');
  });

  it('counts each waiting step once', () => {
    const s = step();
    expect(waitingFor(pool, [s, s, step(null), step(['gpu'])])).toEqual({ waiting: 2, unknownLabels: 1 });
  });
});
