/**
 * The pool controller's decisions that are not planPool's, against the Bitbucket stand-in (its
 * runner and pipeline endpoints) with real settings and a real file vault: it creates what the
 * plan asks and no more while runners start, holds the pool when Bitbucket fails, deletes orphans
 * on their second sighting, and re-checks a runner before retiring it. Where the runner runs is an
 * injected backend here (no Docker in unit tests); the real one runs in test/integration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../../src/main/bitbucket/client.js';
import type { BitbucketConnection } from '../../../src/main/bitbucket/connection.js';
import { key, type RunnerBackend } from '../../../src/main/pools/backends.js';
import type { PlacementFact } from '../../../src/main/pools/classify.js';
import { PoolController } from '../../../src/main/pools/pool-controller.js';
import { retireRunner } from '../../../src/main/pools/retire.js';
import { RunnerService } from '../../../src/main/runners/runner-service.js';
import { SettingsStore } from '../../../src/main/settings/settings-store.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';
import { FileVault } from '../../../src/main/vault/file-vault.js';
import type { PoolConfig } from '../../../src/shared/pools/types.js';
import { Secret } from '../../../src/shared/secret.js';
import { BitbucketStandin } from '../../support/bitbucket-standin.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolControllerToken_Qw8Er6Ty4Ui2Op0As9Df7';

/** Where the runners "run": what each one's placement is, and what was asked of it. */
class RecordingBackend implements RunnerBackend {
  readonly kind = 'kubernetes' as const;
  readonly startsLocally = false;
  readonly placed: string[] = [];
  readonly removed: string[] = [];
  presence = new Map<string, PlacementFact>();
  busy: boolean[] = [];

  place(record: RunnerRecord): Promise<void> {
    this.placed.push(record.displayName);
    return Promise.resolve();
  }
  facts(records: readonly RunnerRecord[]): Promise<Map<string, PlacementFact>> {
    const out = new Map<string, PlacementFact>();
    for (const r of records)
      out.set(key(r.spec.runnerUuid), this.presence.get(r.displayName) ?? { presence: 'starting', logBusy: false, reason: 'pod ContainerCreating' });
    return Promise.resolve(out);
  }
  busyNow(): Promise<boolean> {
    return Promise.resolve(this.busy.shift() ?? false);
  }
  remove(record: RunnerRecord): Promise<void> {
    this.removed.push(record.displayName);
    return Promise.resolve();
  }
  memTotalBytes(): Promise<number | null> {
    return Promise.resolve(null);
  }
}

let bb: BitbucketStandin;
let dir: string;
let settings: SettingsStore;
let runners: RunnerService;
let backend: RecordingBackend;
let logged: string[];
const connection: BitbucketConnection = { workspace: 'acme', email: EMAIL, authKind: 'basic', watchedRepositories: [] };

function pool(over: Partial<PoolConfig> = {}): PoolConfig {
  return {
    name: 'ci',
    workspace: 'acme',
    repository: 'web-app',
    labels: ['docker.large'],
    min: 0,
    max: 2,
    idle: 0,
    coolDownMs: 300_000,
    startTimeoutMs: 120_000,
    on: 'kubernetes',
    size: '1x',
    kubernetes: { namespace: 'ci' },
    workDir: join(dir, 'work'),
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

function client(): BitbucketClient {
  return new BitbucketClient({ auth: { kind: 'basic', email: EMAIL, token: new Secret(TOKEN) }, baseUrl: bb.baseUrl, timeoutMs: 3000 });
}

function controller(config: PoolConfig, now?: () => number): PoolController {
  return new PoolController(config, {
    ...(now ? { now } : {}),
    config: () => config,
    pools: () => [config],
    records: () => settings.runners().list(),
    bitbucket: () => Promise.resolve({ client: client(), connection }),
    runners: () => Promise.resolve(runners),
    backend,
    log: (l) => logged.push(l),
    pollMs: 1000,
  });
}

function queueSteps(n: number): void {
  bb.addPipeline('acme', 'web-app', {
    buildNumber: 7,
    state: 'PENDING',
    createdOn: new Date().toISOString(),
    steps: Array.from({ length: n }, (_, i) => ({ name: `build ${i + 1}`, state: 'PENDING' as const })),
  });
}

const posts = () => bb.requests.filter((r) => r.method === 'POST');

beforeEach(async () => {
  bb = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  bb.addRepository('acme', 'web-app');
  dir = mkdtempSync(join(tmpdir(), 'rt-poolctl-'));
  settings = SettingsStore.open(join(dir, 'data'));
  const vault = await FileVault.open(join(dir, 'data'));
  runners = new RunnerService({ engine: () => Promise.reject(new Error('no Docker in unit tests')), store: settings.runners(), vault });
  backend = new RecordingBackend();
  logged = [];
});

afterEach(async () => {
  await bb.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the pool controller', () => {
  it('scales from zero to max for 3 waiting steps, names and labels its runners, and makes no third while they start', async () => {
    queueSteps(3);
    const c = controller(pool());
    await c.tick();
    const made = bb.runnersOf('acme', 'web-app');
    expect(made.map((r) => r.name).sort()).toEqual(['ci-1', 'ci-2']);
    expect(made[0]!.labels).toEqual(['self.hosted', 'linux', 'docker.large']);
    expect(backend.placed.sort()).toEqual(['ci-1', 'ci-2']);
    const records = settings.runners().list();
    expect(records.map((r) => [r.displayName, r.pool, r.spec.workingDirectory])).toEqual([
      ['ci-1', 'ci', join(dir, 'work', 'ci-1')],
      ['ci-2', 'ci', join(dir, 'work', 'ci-2')],
    ]);
    const view = c.view();
    expect(view.activity.map((a) => a.line).filter((l) => l.startsWith('created runner ci-'))).toEqual([
      'created runner ci-1: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2',
      'created runner ci-2: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2',
    ]);
    expect(view.cappedBy).toBe('max');
    expect(logged).toContain('pool ci: created runner ci-1: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2');
    // No secret in what the pool says or logs.
    for (const r of made) expect(JSON.stringify([view, logged])).not.toContain(r.oauthClientSecret);

    // Still starting (pods being created): they count as capacity, so nothing more is made.
    await c.tick();
    expect(bb.runnersOf('acme', 'web-app')).toHaveLength(2);
    expect(posts()).toHaveLength(2);
    const again = c.view();
    expect(again.counts).toMatchObject({ starting: 2, waiting: 3 });
    expect(again.runners.map((r) => [r.displayName, r.state, r.reason])).toEqual([
      ['ci-1', 'starting', 'pod ContainerCreating'],
      ['ci-2', 'starting', 'pod ContainerCreating'],
    ]);
    expect(again.history).toHaveLength(2);
  });

  it('holds the pool as it is while Bitbucket answers 503, says so, and follows the queue again afterwards', async () => {
    queueSteps(1);
    bb.fault({ status: 503, times: 100 });
    const c = controller(pool());
    c.start();
    await c.tick();
    const held = c.view();
    expect(held.status).toBe('holding');
    expect(held.problem).toMatch(/Bitbucket did not answer usefully \(.*503.*\); the pool is kept as it is, trying again in \d+ s\./);
    expect(posts()).toHaveLength(0);
    expect(held.activity.filter((a) => a.line.startsWith('holding the pool'))).toHaveLength(1);
    bb.clearFaults();
    await c.tick();
    await c.stop();
    const back = c.view();
    expect(back.status).toBe('active');
    expect(back.problem).toBeNull();
    expect(bb.runnersOf('acme', 'web-app').map((r) => r.name)).toEqual(['ci-1']);
    expect(back.activity.map((a) => a.line)).toContain('Bitbucket answers again: the pool follows the queue again');
  });

  it('deletes a pool runner that exists only in Bitbucket on its second sighting, and leaves a hand-made one alone', async () => {
    bb.setRunners(
      'acme',
      [
        { uuid: '{0d0d0d0d-1111-4222-8333-444444444444}', name: 'ci-7', labels: ['self.hosted', 'linux', 'docker.large'], status: 'UNREGISTERED' },
        { uuid: '{0e0e0e0e-1111-4222-8333-444444444444}', name: 'my-own', labels: ['self.hosted', 'linux', 'docker.large'], status: 'OFFLINE' },
      ],
      'web-app',
    );
    const c = controller(pool());
    await c.tick();
    expect(bb.runnersOf('acme', 'web-app')).toHaveLength(2);
    await c.tick();
    expect(bb.runnersOf('acme', 'web-app').map((r) => r.name)).toEqual(['my-own']);
    expect(c.view().activity.map((a) => a.line)).toContain(
      'deleted orphan runner ci-7 {0d0d0d0d-1111-4222-8333-444444444444} in Bitbucket repository "acme/web-app": it exists nowhere here (UNREGISTERED)',
    );
  });

  it('reports a runner that did not come online with the reason, retires it and makes one replacement, not more', async () => {
    queueSteps(1);
    let now = Date.now();
    const c = controller(pool({ max: 3, startTimeoutMs: 60_000 }), () => now);
    await c.tick();
    expect(posts()).toHaveLength(1);
    backend.presence.set('ci-1', { presence: 'starting', logBusy: false, reason: 'pod unschedulable: no node fits it yet' });
    now = Date.parse(settings.runners().list()[0]!.addedAt) + 61_000;
    forgetWithoutEngine();
    await c.tick();
    const view = c.view();
    expect(view.problem).toBe(
      'Runner ci-1 did not come online in 60 s: pod unschedulable: no node fits it yet; it was retired and one new runner is made in its place.',
    );
    expect(view.activity.map((a) => a.line)).toContain('retired runner ci-1: did not come online in 60 s: pod unschedulable: no node fits it yet');
    expect(backend.removed).toEqual(['ci-1']);
    expect(settings.runners().list()).toEqual([]);
    // Retired this round and not counted; the next plan makes exactly one in its place.
    await c.tick();
    expect(bb.runnersOf('acme', 'web-app').map((r) => r.name)).toEqual(['ci-1']);
    expect(posts()).toHaveLength(2);
    await c.tick();
    expect(posts()).toHaveLength(2);
  });
});

/** The record's removal looks for its container, and unit tests have no engine: forget it as a removal would. */
function forgetWithoutEngine(): void {
  runners.remove = (u: string) => {
    settings.runners().remove(u);
    return Promise.resolve({ runnerUuid: u });
  };
}

describe('retiring a runner', () => {
  async function idleRunner(): Promise<RunnerRecord> {
    queueSteps(1);
    await controller(pool({ max: 1 })).tick();
    const record = settings.runners().list()[0]!;
    bb.setRunnerState(record.spec.runnerUuid, { status: 'ONLINE' });
    return record;
  }
  const writes = () => bb.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => r.method);

  it('keeps a runner whose log shows a step when the retire begins: nothing is written to Bitbucket', async () => {
    const record = await idleRunner();
    backend.busy = [true];
    const out = await retireRunner({ client: client(), runners, backend, log: () => undefined }, record, { checkSteps: true, why: 'idle' });
    expect(out).toEqual({ retired: false, why: 'its log shows it took a step' });
    expect(writes()).toEqual([]);
    expect(backend.removed).toEqual([]);
  });

  it('keeps a runner Bitbucket shows on a step, and one that took a step just as it was disabled (it stays disabled)', async () => {
    const record = await idleRunner();
    bb.setRunnerState(record.spec.runnerUuid, { step: { uuid: '{5e5e5e5e-1111-4222-8333-444444444444}' } });
    const first = await retireRunner({ client: client(), runners, backend, log: () => undefined }, record, { checkSteps: true, why: 'idle' });
    expect(first).toEqual({ retired: false, why: 'Bitbucket shows it running step {5e5e5e5e-1111-4222-8333-444444444444}' });
    bb.setRunnerState(record.spec.runnerUuid, { step: null });
    backend.busy = [false, true];
    const lines: string[] = [];
    const second = await retireRunner({ client: client(), runners, backend, log: (l) => lines.push(l) }, record, {
      checkSteps: true,
      why: 'idle past the cool-down',
    });
    expect(second.retired).toBe(false);
    expect(writes()).toEqual(['PUT']);
    expect(bb.runnersOf('acme', 'web-app')[0]).toMatchObject({ status: 'DISABLED', cordoned: true });
    expect(lines[0]).toMatch(/^disabled runner ci-1 \{.*\} in Bitbucket repository "\{.*\}\/\{.*\}" before retiring it \(idle past the cool-down\)$/);
    expect(backend.removed).toEqual([]);
  });

  it('disables, removes the workload, deletes it in Bitbucket and forgets it when it is still idle', async () => {
    const record = await idleRunner();
    forgetWithoutEngine();
    const out = await retireRunner({ client: client(), runners, backend, log: () => undefined }, record, { checkSteps: true, why: 'idle' });
    expect(out).toEqual({ retired: true, bitbucket: 'deleted' });
    expect(writes()).toEqual(['PUT', 'DELETE']);
    expect(backend.removed).toEqual(['ci-1']);
    expect(bb.runnersOf('acme', 'web-app')).toEqual([]);
    expect(settings.runners().list()).toEqual([]);
  });
});
