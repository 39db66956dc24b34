/**
 * The `pools.*` channels through the one dispatch (validation, error envelope) over a real
 * settings file: what the Pools screen gets back, what is pushed, what is saved, and the
 * refusals in the request's own field names. The controllers are a stand-in here (their code is
 * another branch's): views and observations the test sets, and a record of retireAll calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createDispatch } from '../../../src/main/api/dispatch.js';
import { poolHandlers } from '../../../src/main/api/handlers/pools.js';
import { poolViewFromConfig } from '../../../src/main/pools/pool-view.js';
import type { PoolControllers } from '../../../src/main/pools/types.js';
import { SettingsStore } from '../../../src/main/settings/settings-store.js';
import type { ContractHandlers } from '../../../src/shared/contract/channels.js';
import type { ContractEvent } from '../../../src/shared/contract/events.js';
import type { PoolView } from '../../../src/shared/contract/pool-views.js';

const root = mkdtempSync(join(tmpdir(), 'rt-pool-api-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** Stand-in controllers: each pool's view is its settings plus what the test says it observed. */
class StandInControllers implements PoolControllers {
  readonly observed = new Map<string, Partial<PoolView>>();
  readonly retired: string[] = [];
  constructor(readonly settings: SettingsStore) {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  views(): PoolView[] {
    return this.settings
      .pools()
      .list()
      .map((p) => ({ ...poolViewFromConfig(p), status: 'active' as const, ...this.observed.get(p.name) }));
  }
  onChange(): () => void {
    return () => undefined;
  }
  async inspect(name: string): Promise<PoolView> {
    return this.views().find((v) => v.name === name)!;
  }
  async retireAll(name: string): Promise<{ retired: number; waitingForSteps: number }> {
    this.retired.push(name);
    const v = await this.inspect(name);
    return { retired: v.counts.idle, waitingForSteps: v.counts.busy };
  }
}

function world() {
  const settings = SettingsStore.open(join(root, `data-${++n}`));
  settings.update({ bitbucket: { workspace: 'acme', authKind: 'basic', watchedRepositories: [] } });
  const pushed: ContractEvent[] = [];
  const pools = new StandInControllers(settings);
  const handlers = poolHandlers({ settings, pools, events: { emit: (e) => pushed.push(e) } });
  // Only the pools.* channels are asked for here; dispatch looks the channel up by name.
  const dispatch = createDispatch(handlers as unknown as ContractHandlers);
  return { settings, pushed, pools, dispatch };
}

describe('pools.* channels', () => {
  it('adds a pool with the connected workspace, answers its view, pushes it, lists it', async () => {
    const { settings, pushed, dispatch } = world();
    const added = await dispatch('pools.add', { name: 'ci', max: 4, labels: ['build'], coolDownSeconds: 120, size: '2x' });
    expect(added).toMatchObject({
      ok: true,
      value: { name: 'ci', workspace: 'acme', max: 4, min: 0, labels: ['build'], coolDownSeconds: 120, startTimeoutSeconds: 180, size: '2x', on: 'docker' },
    });
    expect(settings.pools().get('ci')).toMatchObject({ coolDownMs: 120_000, labels: ['build'] });
    expect(pushed).toEqual([{ type: 'pool.changed', pool: expect.objectContaining({ name: 'ci', max: 4 }) }]);
    const listed = await dispatch('pools.list', {});
    expect(listed.ok && (listed.value as PoolView[]).map((p) => [p.name, p.status])).toEqual([['ci', 'active']]);
  });

  it('refuses bad pools in the request field names, as INVALID_INPUT, saving nothing', async () => {
    const { settings, dispatch } = world();
    const over = await dispatch('pools.add', { name: 'ci', max: 101 });
    expect(over).toEqual({
      ok: false,
      error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^Pool not saved: max must be at most 100: Bitbucket allows 100 runners per workspace/) },
    });
    const k8s = await dispatch('pools.add', { name: 'ci', max: 2, on: 'kubernetes' });
    expect(!k8s.ok && k8s.error.message).toMatch(/namespace is required for a pool on kubernetes/);
    const timeout = await dispatch('pools.add', { name: 'ci', max: 2, startTimeoutSeconds: 0 });
    expect(!timeout.ok && timeout.error.message).toMatch(/startTimeoutSeconds must be at least 1s/);
    // Shapes are the contract's: a string where a number goes is refused before any rule runs.
    const shape = await dispatch('pools.add', { name: 'ci', max: '4' });
    expect(shape).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(settings.pools().list()).toEqual([]);
    await dispatch('pools.add', { name: 'ci', max: 2 });
    expect(await dispatch('pools.add', { name: 'ci', max: 3 })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('edits a pool: the observed view keeps its counts and shows the new settings', async () => {
    const { settings, pushed, pools, dispatch } = world();
    await dispatch('pools.add', { name: 'ci', max: 4 });
    pools.observed.set('ci', { desired: 2, counts: { busy: 2, idle: 0, starting: 0, offline: 0, waiting: 1, waitingUnknownLabels: 0 } });
    const edited = await dispatch('pools.edit', { name: 'ci', max: 6, repository: 'web-app' });
    expect(edited).toMatchObject({ ok: true, value: { max: 6, repository: 'web-app', desired: 2, counts: { busy: 2, waiting: 1 } } });
    expect(settings.pools().get('ci')).toMatchObject({ max: 6, repository: 'web-app' });
    expect(pushed.at(-1)).toMatchObject({ type: 'pool.changed', pool: { name: 'ci', max: 6 } });
    expect(await dispatch('pools.edit', { name: 'nope', max: 2 })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND', message: expect.stringContaining('Pools: ci.') },
    });
  });

  it('removing a pool whose runners run steps needs force; then retires them and pushes pool.removed', async () => {
    const { settings, pushed, pools, dispatch } = world();
    await dispatch('pools.add', { name: 'ci', max: 4 });
    pools.observed.set('ci', { counts: { busy: 1, idle: 2, starting: 0, offline: 0, waiting: 0, waitingUnknownLabels: 0 } });
    const refused = await dispatch('pools.remove', { name: 'ci' });
    expect(refused).toEqual({
      ok: false,
      error: { code: 'STEP_RUNNING', message: expect.stringMatching(/Pool ci has 1 runner running a step.*no step is cut/) },
    });
    expect(pools.retired).toEqual([]);
    expect(settings.pools().get('ci')).toBeDefined();

    const removed = await dispatch('pools.remove', { name: 'ci', force: true });
    expect(removed).toEqual({ ok: true, value: { name: 'ci', removed: true, retired: 2, waitingForSteps: 1 } });
    expect(pools.retired).toEqual(['ci']);
    expect(settings.pools().list()).toEqual([]);
    expect(pushed.at(-1)).toEqual({ type: 'pool.removed', name: 'ci' });
  });

  it('keeps the pool when retiring its runners fails, so the remove can be tried again', async () => {
    const { settings, pools, dispatch } = world();
    await dispatch('pools.add', { name: 'ci', max: 4 });
    pools.retireAll = async () => {
      throw Object.assign(new Error('Bitbucket answered 503 while disabling runner ci-1; try again later.'), { code: 'BITBUCKET_UNAVAILABLE' });
    };
    const r = await dispatch('pools.remove', { name: 'ci' });
    expect(r).toEqual({ ok: false, error: { code: 'BITBUCKET_UNAVAILABLE', message: expect.stringContaining('503') } });
    expect(settings.pools().get('ci')).toBeDefined();
  });
});
