/**
 * Pool scenarios on the real private dockerd with the stand-in runner image and the Bitbucket
 * stand-in: the long-running host (startHost, as `serve` and the desktop app run it) keeps a pool
 * sized to the queue. Bitbucket sees a runner ONLINE while its container runs (the driver below,
 * as Bitbucket would once the runner process connects).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AppContext } from '../../src/main/app-context.js';
import { startHost, type Host } from '../../src/main/host.js';
import { hostLimit } from '../../src/main/pools/pool-rules.js';
import { connectBitbucket } from '../../src/main/bitbucket/connection.js';
import { LABEL_MANAGED, LABEL_RUNNER } from '../../src/shared/runner-spec.js';
import type { PoolConfig } from '../../src/shared/pools/types.js';
import { Secret } from '../../src/shared/secret.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { cliEnv } from '../support/cli.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolScenarioToken_Zx7Cv5Bn3Mq1Wl9Ek8Rj6';
const bb = useBitbucketHome({ tmpPrefix: 'rt-pool-', email: EMAIL, token: TOKEN });
const docker = new Docker({ socketPath: inject('dockerSocket') });
const bare = (u: string) => u.replace(/[{}]/g, '').toLowerCase();

let ctx: AppContext;
let host: Host | null;
let lines: string[];
let driver: NodeJS.Timeout | null;
/** Runner UUID → when its container was first seen running (epoch ms). */
let seenRunning: Map<string, number>;
let onlineAfterMs: number;

/**
 * What Bitbucket would see: a runner whose container runs is ONLINE (after `onlineAfterMs`, to
 * model a slow image or start), OFFLINE once its container is gone.
 */
function driveBitbucket(): void {
  const tick = async () => {
    const running = new Set(
      (await docker.listContainers({ filters: { label: [`${LABEL_MANAGED}=true`], status: ['running'] } })).map((c) => bare(c.Labels[LABEL_RUNNER] ?? '')),
    );
    for (const r of bb.server.runnersOf('acme', 'web-app')) {
      const k = bare(r.uuid);
      if (running.has(k)) {
        if (!seenRunning.has(k)) seenRunning.set(k, Date.now());
        if (r.status !== 'ONLINE' && r.status !== 'DISABLED' && Date.now() - seenRunning.get(k)! >= onlineAfterMs)
          bb.server.setRunnerState(r.uuid, { status: 'ONLINE' });
      } else if (r.status === 'ONLINE') bb.server.setRunnerState(r.uuid, { status: 'OFFLINE' });
    }
  };
  driver = setInterval(() => void tick().catch(() => undefined), 200);
}

async function until<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; log:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function pool(over: Partial<PoolConfig> = {}): PoolConfig {
  const workDir = join(bb.dir, 'work');
  mkdirSync(workDir, { recursive: true });
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
    on: 'docker',
    size: '1x',
    workDir,
    createdAt: new Date().toISOString(),
    ...over,
  };
}

function queueSteps(n: number, buildNumber = 1): void {
  bb.server.addPipeline('acme', 'web-app', {
    buildNumber,
    state: 'PENDING',
    createdOn: new Date().toISOString(),
    steps: Array.from({ length: n }, (_, i) => ({ name: `build ${i + 1}`, state: 'PENDING' as const })),
  });
}

async function runnerContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } });
}

const runningCount = async () => (await runnerContainers()).filter((c) => c.State === 'running').length;
const view = () => ctx.pools().views()[0]!;

async function startPoolHost(config: PoolConfig): Promise<void> {
  ctx.settings().pools().put(config);
  host = await startHost({ ctx });
}

beforeEach(async () => {
  lines = [];
  seenRunning = new Map();
  onlineAfterMs = 0;
  host = null;
  const env = { ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl, RUNNER_TRAY_POOL_POLL_MS: '1000' };
  ctx = new AppContext({ env, waitForEngine: true, log: (l) => lines.push(l) });
  await connectBitbucket(
    { ...(await ctx.bitbucket().deps()) },
    { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN), watchedRepositories: ['acme/web-app'] },
  );
  driveBitbucket();
});

afterEach(async () => {
  if (driver) clearInterval(driver);
  driver = null;
  await host?.close();
  await ctx.close();
  for (const c of await docker.listContainers({ all: true })) {
    if (c.Labels[LABEL_MANAGED] === 'true' || c.Names.some((n) => /_build$/.test(n))) await docker.getContainer(c.Id).remove({ force: true });
  }
});

describe('a pool on the real dockerd', () => {
  it('3 steps wait, min 0, max 2: exactly 2 runners are created and started, and no third while they wait', async () => {
    queueSteps(3);
    await startPoolHost(pool());
    await until('2 running pool containers', async () => (await runningCount()) === 2);
    await until('both ONLINE and idle in the pool view', () => view().counts.idle === 2);
    // Several more polls: the three steps still wait (nobody takes them here), the pool stays at its max.
    await new Promise((r) => setTimeout(r, 3500));
    expect(await runningCount()).toBe(2);
    expect(
      bb.server
        .runnersOf('acme', 'web-app')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['ci-1', 'ci-2']);
    const v = view();
    expect(v).toMatchObject({ status: 'active', desired: 2, cappedBy: 'max', counts: { waiting: 3, idle: 2, starting: 0 } });
    expect(v.notes).toContain("capped at the pool's max 2 (the work asks for 3)");
    const records = ctx.settings().runners().list();
    expect(records.map((r) => [r.displayName, r.pool])).toEqual([
      ['ci-1', 'ci'],
      ['ci-2', 'ci'],
    ]);
    expect(lines.filter((l) => l.startsWith('pool ci: created runner ci-'))).toEqual([
      'pool ci: created runner ci-1: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2',
      'pool ci: created runner ci-2: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2',
    ]);
    const secrets = bb.server.runnersOf('acme', 'web-app').map((r) => r.oauthClientSecret);
    for (const s of secrets) expect(JSON.stringify([lines, v, ctx.settings().get()])).not.toContain(s);
    expect(v.history.length).toBeGreaterThanOrEqual(3);
  });

  it('slow start: runners that are not ONLINE yet count as capacity, so no third runner is made', async () => {
    onlineAfterMs = 6000;
    queueSteps(3);
    await startPoolHost(pool({ max: 3 }));
    await until('3 starting runners', () => view().counts.starting === 3);
    await new Promise((r) => setTimeout(r, 3000));
    expect(view().counts).toMatchObject({ starting: 3, idle: 0 });
    expect(bb.server.runnersOf('acme', 'web-app')).toHaveLength(3);
    await until('all three ONLINE', () => view().counts.idle === 3);
    expect(bb.server.runnersOf('acme', 'web-app')).toHaveLength(3);
    expect(await runningCount()).toBe(3);
  });

  it('scales down after the cool-down once the pool no longer needs the runner: disabled, container removed, deleted in Bitbucket', async () => {
    await startPoolHost(pool({ min: 1, coolDownMs: 2000 }));
    await until('one idle runner kept by min 1', () => view().counts.idle === 1);
    // `pool edit --min 0` from another process: the controller reads settings every round.
    ctx
      .settings()
      .pools()
      .put(pool({ min: 0, coolDownMs: 2000 }));
    await until('the runner retired', async () => bb.server.runnersOf('acme', 'web-app').length === 0 && (await runnerContainers()).length === 0);
    expect(ctx.settings().runners().list()).toEqual([]);
    const methods = bb.server.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => r.method);
    expect(methods).toEqual(['PUT', 'DELETE']);
    expect(lines.some((l) => /^pool ci: disabled runner ci-1 \{.*\} in Bitbucket .* before retiring it \(idle past the 2 s cool-down/.test(l))).toBe(true);
    expect(lines.some((l) => /^pool ci: retired runner ci-1: idle past the 2 s cool-down/.test(l))).toBe(true);
  });

  it('a pool runner whose container is removed by hand is replaced, and the old runner deleted in Bitbucket', async () => {
    queueSteps(1);
    await startPoolHost(pool({ max: 1 }));
    await until('one idle runner', () => view().counts.idle === 1);
    const [first] = bb.server.runnersOf('acme', 'web-app');
    const old = first!.uuid;
    const [container] = await runnerContainers();
    await docker.getContainer(container!.Id).remove({ force: true });
    await until('a replacement runner running', async () => {
      const now = bb.server.runnersOf('acme', 'web-app');
      return now.length === 1 && now[0]!.uuid !== old && (await runningCount()) === 1;
    });
    expect(bb.server.runnersOf('acme', 'web-app').some((r) => r.uuid === old)).toBe(false);
    // The same round saw ci-1 in Bitbucket still, so the replacement takes the next free name.
    expect(
      ctx
        .settings()
        .runners()
        .list()
        .map((r) => [r.displayName, r.pool]),
    ).toEqual([['ci-2', 'ci']]);
    expect(lines.some((l) => l.startsWith('pool ci: retired runner ci-1: its container or workload is gone'))).toBe(true);
  });

  it('Bitbucket down: the pool holds as it is, says why, and writes nothing', async () => {
    queueSteps(2);
    await startPoolHost(pool());
    await until('two idle runners', () => view().counts.idle === 2);
    const before = bb.server.requests.length;
    bb.server.fault({ status: 503, times: 1000 });
    await until('holding', () => view().status === 'holding');
    await new Promise((r) => setTimeout(r, 3000));
    const v = view();
    expect(v.problem).toMatch(/^Bitbucket did not answer usefully \(.*503.*\); the pool is kept as it is, trying again in \d+ s\.$/);
    expect(await runningCount()).toBe(2);
    const writes = bb.server.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes).toEqual([]);
    bb.server.clearFaults();
    await until('active again', () => view().status === 'active', 30_000);
    expect(await runningCount()).toBe(2);
  });

  it("host memory too small for the pool's step size: capped at what fits, and said", async () => {
    const mem = (await docker.info()).MemTotal as number;
    const size = (['1x', '2x', '4x', '8x'] as const).find((s) => hostLimit(mem, s, []) < 3) ?? '8x';
    const fits = hostLimit(mem, size, []);
    queueSteps(3);
    await startPoolHost(pool({ max: 3, size }));
    await until('the first observation', () => view().observedAt !== null);
    await until(`${fits} runners`, async () => (await runningCount()) === fits);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await runningCount()).toBe(fits);
    const v = view();
    expect(v.cappedBy).toBe('host');
    expect(v.notes[0]).toBe(`capped at ${fits}: this host has memory for ${fits} runner${fits === 1 ? '' : 's'} of this size (the pool allows 3)`);
  });
});
