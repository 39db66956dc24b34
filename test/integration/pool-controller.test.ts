/**
 * Pool scenarios on the real private dockerd with the stand-in runner image and the Bitbucket
 * stand-in: the long-running host (startHost, as `serve` and the desktop app run it) keeps a pool
 * sized to the queue. The pool world (test/support/pool-world.ts) plays Bitbucket's part: a
 * runner is ONLINE while its container runs with its credentials, and takes queued steps (its
 * container then logs the step, so the app's monitor sees BUSY).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AppContext } from '../../src/main/app-context.js';
import { startHost, type Host } from '../../src/main/host.js';
import { hostLimit } from '../../src/main/pools/pool-rules.js';
import { connectBitbucket } from '../../src/main/bitbucket/connection.js';
import { LABEL_MANAGED } from '../../src/shared/runner-spec.js';
import type { PoolConfig } from '../../src/shared/pools/types.js';
import { Secret } from '../../src/shared/secret.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { cliEnv } from '../support/cli.js';
import { PoolWorld } from '../support/pool-world.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolScenarioToken_Zx7Cv5Bn3Mq1Wl9Ek8Rj6';
const bb = useBitbucketHome({ tmpPrefix: 'rt-pool-', email: EMAIL, token: TOKEN });
const docker = new Docker({ socketPath: inject('dockerSocket') });

let ctx: AppContext;
let host: Host | null;
let lines: string[];
let world: PoolWorld;

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
  host = null;
  const env = { ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl, RUNNER_TRAY_POOL_POLL_MS: '1000' };
  ctx = new AppContext({ env, waitForEngine: true, log: (l) => lines.push(l) });
  await connectBitbucket(
    { ...(await ctx.bitbucket().deps()) },
    { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN), watchedRepositories: ['acme/web-app'] },
  );
  world = await PoolWorld.start({ standin: bb.server, docker });
});

afterEach(async () => {
  await host?.close();
  await world.close();
  await ctx.close();
  for (const c of await docker.listContainers({ all: true })) {
    if (c.Labels[LABEL_MANAGED] === 'true' || c.Labels['runner-tray.standin-sibling'] !== undefined)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
  }
});

const poolRunners = () => bb.server.runnersOf('acme', 'web-app');
const busyCount = () => world.runners().filter((r) => r.busy).length;

describe('a pool on the real dockerd', () => {
  it('3 steps wait, min 0, max 2: exactly 2 runners, both busy, and the third step taken when one frees', async () => {
    const steps = world.queueSteps('acme', 'web-app', 3, { seconds: 'hold' });
    await startPoolHost(pool());
    await world.until(() => busyCount() === 2, 'two runners busy');
    await until('the pool view to show both busy', () => view().counts.busy === 2);
    // Several more polls: one step still waits, the pool stays at its max.
    await new Promise((r) => setTimeout(r, 3000));
    expect(await runningCount()).toBe(2);
    expect(
      poolRunners()
        .map((r) => r.name)
        .sort(),
    ).toEqual(['ci-1', 'ci-2']);
    const v = view();
    expect(v).toMatchObject({ status: 'active', desired: 2, cappedBy: 'max', counts: { waiting: 1, busy: 2, starting: 0 } });
    expect(v.notes).toContain("capped at the pool's max 2 (the work asks for 3)");
    expect(
      ctx
        .settings()
        .runners()
        .list()
        .map((r) => [r.displayName, r.pool]),
    ).toEqual([
      ['ci-1', 'ci'],
      ['ci-2', 'ci'],
    ]);
    expect(lines.filter((l) => l.startsWith('pool ci: created runner ci-'))).toEqual([
      'pool ci: created runner ci-1: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2',
      'pool ci: created runner ci-2: 3 steps waiting, 0 busy, 0 idle, 0 starting, desired 2',
    ]);

    const taken = world
      .runners()
      .filter((r) => r.busy)
      .map((r) => r.stepUuid!);
    await world.finishStep(taken[0]!);
    const third = steps.find((s) => !taken.includes(s.stepUuid))!;
    await world.until(() => world.runners().some((r) => r.stepUuid === third.stepUuid), 'the third step taken by the freed runner');
    expect(poolRunners()).toHaveLength(2);
    const secrets = poolRunners().map((r) => r.oauthClientSecret);
    for (const secret of secrets) expect(JSON.stringify([lines, view(), ctx.settings().get()])).not.toContain(secret);
    expect(view().history.length).toBeGreaterThanOrEqual(3);
  });

  it('slow start: runners not ONLINE yet count as capacity, so no third runner is made', async () => {
    world.slowOnline({ name: /^ci-/ }, 6000);
    world.queueSteps('acme', 'web-app', 3, { seconds: 'hold' });
    await startPoolHost(pool({ max: 2 }));
    await until('2 starting runners', () => view().counts.starting === 2);
    await new Promise((r) => setTimeout(r, 3000));
    expect(view().counts).toMatchObject({ starting: 2, busy: 0, waiting: 3 });
    expect(poolRunners()).toHaveLength(2);
    await world.until(() => busyCount() === 2, 'both runners busy once ONLINE');
    expect(poolRunners()).toHaveLength(2);
    expect(await runningCount()).toBe(2);
  });

  it('a runner that never comes online is reported with the reason and retired, and replaced one at a time', async () => {
    // The first runner the pool makes hangs before it connects; its replacement (named ci-1 again) works.
    let first: string | undefined;
    world.neverOnline((r) => (first ??= r.uuid) === r.uuid, 'hang');
    world.queueSteps('acme', 'web-app', 1, { seconds: 'hold' });
    await startPoolHost(pool({ max: 3, startTimeoutMs: 5000 }));
    await until('ci-1 reported and retired', () => view().problem?.startsWith('Runner ci-1 did not come online in 5 s') ?? false, 30_000);
    await until('the retire logged', () => lines.some((l) => l.startsWith('pool ci: retired runner ci-1: did not come online in 5 s: ')));
    await world.until(() => busyCount() === 1, 'the replacement busy');
    // Never more than one runner for the one step, the stuck one included.
    const created = lines.filter((l) => l.startsWith('pool ci: created runner ci-'));
    expect(created).toHaveLength(2);
    expect(poolRunners()).toHaveLength(1);
    await until('the problem cleared once the replacement runs', () => view().problem === null);
  });

  it('scales down after the cool-down, never while busy', async () => {
    const [step] = world.queueSteps('acme', 'web-app', 1, { seconds: 'hold' });
    await startPoolHost(pool({ coolDownMs: 2000, max: 1 }));
    await world.until(() => busyCount() === 1, 'the runner busy');
    // Busy far past the cool-down: kept.
    await new Promise((r) => setTimeout(r, 5000));
    expect(poolRunners()).toHaveLength(1);
    expect(view().counts.busy).toBe(1);
    await world.finishStep(step!.stepUuid);
    // Retired: gone in Bitbucket, its container removed, then its secret and record forgotten (in that order).
    await until(
      'the runner retired',
      async () => poolRunners().length === 0 && (await runnerContainers()).length === 0 && ctx.settings().runners().list().length === 0,
      30_000,
    );
    expect(ctx.settings().runners().list()).toEqual([]);
    const methods = bb.server.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE').map((r) => r.method);
    expect(methods).toEqual(['PUT', 'DELETE']);
    expect(lines.some((l) => /^pool ci: disabled runner ci-1 \{.*\} in Bitbucket .* before retiring it \(idle past the 2 s cool-down/.test(l))).toBe(true);
    expect(lines.some((l) => /^pool ci: retired runner ci-1: idle past the 2 s cool-down/.test(l))).toBe(true);
  });

  it('a step taken during the retire window keeps its runner: the step passes, and the runner is retired only after', async () => {
    // A first step brings the runner up; once it is idle past the cool-down the pool retires it, and
    // a step reaches it just as the disable PUT arrives (Bitbucket had handed it out an instant before).
    const [warm] = world.queueSteps('acme', 'web-app', 1, { seconds: 1 });
    const late = world.stepOnDisable('acme', 'web-app', { seconds: 'hold' });
    await startPoolHost(pool({ coolDownMs: 2000, max: 1 }));
    await world.until(() => world.events.some((e) => e.type === 'completed' && e.stepUuid === warm!.stepUuid), 'the first step done');
    const step = await late;
    const runner = poolRunners()[0]!;
    // The hook ran before Bitbucket acted on the PUT: the disable lands on a runner in a step.
    await world.until(() => world.runners()[0]?.status === 'DISABLED', 'the disable applied');
    expect(world.runners()).toMatchObject([{ uuid: runner.uuid, status: 'DISABLED', busy: true, stepUuid: step.stepUuid }]);
    await until('the keep logged', () =>
      lines.some((l) =>
        /^pool ci: kept runner ci-1: .*running step .* \(after it was disabled; it stays disabled until the step ends\) during the retire window$/.test(l),
      ),
    );
    // Kept through several more polls, far past the cool-down: the container runs, the step too.
    await new Promise((r) => setTimeout(r, 4000));
    expect(poolRunners().map((r) => r.uuid)).toEqual([runner.uuid]);
    expect(await runningCount()).toBe(1);
    expect(bb.server.stepStatus('acme', 'web-app', step.pipelineUuid, step.stepUuid)).toEqual({ state: 'IN_PROGRESS' });
    expect(view().counts).toMatchObject({ busy: 1, idle: 0 });
    expect(bb.server.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    // The app's monitor read the step from the container's log: the step is in its log, with its UUID.
    const [container] = await runnerContainers();
    const log = (await docker.getContainer(container!.Id).logs({ stdout: true, stderr: true })).toString('utf8');
    expect(log).toContain(step.stepUuid.replace(/[{}]/g, ''));

    await world.finishStep(step.stepUuid);
    // Retired: gone in Bitbucket, its container removed, then its secret and record forgotten (in that order).
    await until(
      'the runner retired',
      async () => poolRunners().length === 0 && (await runnerContainers()).length === 0 && ctx.settings().runners().list().length === 0,
      30_000,
    );
    expect(bb.server.stepStatus('acme', 'web-app', step.pipelineUuid, step.stepUuid)).toEqual({ state: 'COMPLETED', result: 'SUCCESSFUL' });
    const completed = world.events.find((e) => e.type === 'completed' && e.stepUuid === step.stepUuid)!;
    expect(world.events.filter((e) => e.type === 'lost')).toEqual([]);
    const writes = bb.server.requests.filter((r) => r.method === 'PUT' || r.method === 'DELETE');
    // One disable (the retire window's), then the delete, only after the step completed.
    expect(writes.map((r) => r.method)).toEqual(['PUT', 'DELETE']);
    expect(writes[1]!.at).toBeGreaterThanOrEqual(completed.at);
    expect(lines.some((l) => /^pool ci: retired runner ci-1: disabled in Bitbucket/.test(l))).toBe(true);
    expect(ctx.settings().runners().list()).toEqual([]);
  });

  it('min 1 then edited to 0 from settings: the idle runner goes after the cool-down', async () => {
    await startPoolHost(pool({ min: 1, coolDownMs: 2000 }));
    await until('one idle runner kept by min 1', () => view().counts.idle === 1);
    ctx
      .settings()
      .pools()
      .put(pool({ min: 0, coolDownMs: 2000 }));
    await until('the runner retired', async () => poolRunners().length === 0 && (await runnerContainers()).length === 0);
  });

  it('a pool runner whose container is removed by hand is replaced, and the old runner deleted in Bitbucket', async () => {
    await startPoolHost(pool({ min: 1 }));
    await until('one idle runner', () => view().counts.idle === 1);
    const old = poolRunners()[0]!.uuid;
    const [container] = await runnerContainers();
    await docker.getContainer(container!.Id).remove({ force: true });
    await until('a replacement runner running', async () => {
      const now = poolRunners();
      return now.length === 1 && now[0]!.uuid !== old && (await runningCount()) === 1;
    });
    expect(poolRunners().some((r) => r.uuid === old)).toBe(false);
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
    await startPoolHost(pool({ min: 2 }));
    await until('two idle runners', () => view().counts.idle === 2);
    const before = bb.server.requests.length;
    world.bitbucketDown();
    // Edited to min 0 meanwhile: a working pool would retire both after the cool-down, a holding one must not.
    ctx
      .settings()
      .pools()
      .put(pool({ min: 0, coolDownMs: 0 }));
    await until('holding', () => view().status === 'holding');
    await new Promise((r) => setTimeout(r, 3000));
    const v = view();
    expect(v.problem).toMatch(/^Bitbucket did not answer usefully \(.*503.*\); the pool is kept as it is, trying again in \d+ s\.$/);
    expect(await runningCount()).toBe(2);
    expect(bb.server.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
    world.bitbucketUp();
    await until('active again', () => view().status === 'active', 30_000);
  });

  it("host memory too small for the pool's step size: capped at what fits, and said", async () => {
    const mem = (await docker.info()).MemTotal as number;
    const size = (['1x', '2x', '4x', '8x'] as const).find((s) => hostLimit(mem, s, []) < 3) ?? '8x';
    const fits = hostLimit(mem, size, []);
    world.queueSteps('acme', 'web-app', 3, { seconds: 'hold' });
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
