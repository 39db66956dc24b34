/**
 * A pool `on: kubernetes` against the real single-node cluster and the Bitbucket stand-in: the
 * same controller creates the runners in Bitbucket and applies their workloads instead of a local
 * start. The node has 2 CPUs and a runner pod requests 1.25, so of 3 runners one pod is scheduled
 * (its image pull fails: pools pull Always by default and the cluster has no registry) and two
 * stay Pending, unschedulable: all count as starting (no overshoot), each says why, and retiring
 * the pool deletes the workloads and the runners in Bitbucket.
 *
 * With `imagePullPolicy: IfNotPresent` the pods run the stand-in runner image from the node's
 * engine, and the pool world (test/support/pool-world.ts) follows the NODE's dockerd, where the
 * kubelet runs the pods' containers: Bitbucket's stand-in sees the pod runners ONLINE and hands
 * them steps (`docker exec` into the pod's runner container), the controller sees them busy,
 * idle, and retires them after the cool-down.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AppContext } from '../../src/main/app-context.js';
import { connectBitbucket } from '../../src/main/bitbucket/connection.js';
import { runnerSelector } from '../../src/shared/k8s/index.js';
import type { PoolConfig } from '../../src/shared/pools/types.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';
import { adminCore, testEnv, until } from '../support/k8s-runners.js';
import { PoolWorld } from '../support/pool-world.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolK8sToken_Vb6Nm4Qw2Er0Ty8Ui6Op4';
const kubeconfig = inject('kubeconfig');
const core = adminCore(kubeconfig);
const NAMESPACE = 'rt-pool';

let ctx: AppContext | undefined;
let bb: BitbucketStandin | undefined;
let dir: string | undefined;
let world: PoolWorld | undefined;

afterEach(async (test) => {
  if (test.task.result?.state === 'fail') console.log(`pool-k8s view: ${JSON.stringify(ctx?.pools().views())}`);
  await ctx
    ?.pools()
    .retireAll('kci')
    .catch(() => undefined);
  await world?.close();
  world = undefined;
  await ctx?.close();
  await bb?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a pool on the real cluster', () => {
  it('creates runners and their workloads, counts unschedulable pods as starting (no overshoot), and retires them all', async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-pool-k8s-'));
    bb = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
    bb.addRepository('acme', 'web-app');
    bb.addPipeline('acme', 'web-app', {
      buildNumber: 1,
      state: 'PENDING',
      createdOn: new Date().toISOString(),
      steps: [1, 2, 3].map((i) => ({ name: `build ${i}`, state: 'PENDING' as const })),
    });
    const env = { ...testEnv(dir, inject('dockerSocket'), kubeconfig), RUNNER_TRAY_BITBUCKET_API: bb.baseUrl, RUNNER_TRAY_POOL_POLL_MS: '1500' };
    const lines: string[] = [];
    ctx = new AppContext({ env, checkForImageUpdates: false, log: (l) => lines.push(l) });
    await connectBitbucket(await ctx.bitbucket().deps(), { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN), watchedRepositories: [] });
    const pool: PoolConfig = {
      name: 'kci',
      workspace: 'acme',
      repository: 'web-app',
      labels: [],
      min: 0,
      max: 3,
      idle: 0,
      coolDownMs: 300_000,
      startTimeoutMs: 600_000,
      on: 'kubernetes',
      size: '1x',
      kubernetes: { namespace: NAMESPACE },
      createdAt: new Date().toISOString(),
    };
    ctx.settings().pools().put(pool);
    await ctx.pools().start();

    const pods = async () => (await core.listNamespacedPod({ namespace: NAMESPACE })).items;
    const t0 = Date.now();
    const phase = (what: string) => console.log(`pool-k8s: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await until('3 runner pods, one scheduled', async () => {
      const all = await pods();
      return all.length === 3 && all.filter((p) => p.spec?.nodeName).length === 1;
    });
    phase('3 pods');
    const view = () => ctx!.pools().views()[0]!;
    await until('the pool view to say why each is starting', () =>
      Promise.resolve(
        view().runners.filter((r) => /^pod unschedulable/.test(r.reason ?? '')).length === 2 && view().runners.some((r) => /image pull/.test(r.reason ?? '')),
      ),
    );
    phase('reasons shown');
    // Several polls later: still 3 runners in Bitbucket and 3 workloads, whatever the scheduler says.
    await new Promise((r) => setTimeout(r, 5000));
    expect(
      bb
        .runnersOf('acme', 'web-app')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['kci-1', 'kci-2', 'kci-3']);
    expect(await pods()).toHaveLength(3);
    expect(view().counts).toMatchObject({ starting: 3, waiting: 3, idle: 0, busy: 0 });
    expect(view().desired).toBe(3);
    const records = ctx.settings().runners().list();
    expect(records.every((r) => r.pool === 'kci' && r.placement?.namespace === NAMESPACE)).toBe(true);
    for (const r of records)
      expect((await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: runnerSelector(r.spec.runnerUuid) })).items).toHaveLength(1);

    await ctx.pools().stop();
    phase('retiring');
    const out = await ctx.pools().retireAll('kci');
    phase('retired');
    expect(out).toEqual({ retired: 3, waitingForSteps: 0 });
    expect(bb.runnersOf('acme', 'web-app')).toEqual([]);
    expect(ctx.settings().runners().list()).toEqual([]);
    expect(await pods()).toHaveLength(0);
    for (const r of bb.requests) expect(r.rawPath.includes('secret')).toBe(false);
    expect(lines.some((l) => l.startsWith('pool kci: created runner kci-3: 3 steps waiting'))).toBe(true);
  }, 300_000);
});

describe('a pool on the real cluster whose runners really run', () => {
  it("IfNotPresent: a runner pod runs the node's image, comes ONLINE and takes steps; one that does not fit counts as starting, with the scheduler's reason; all retired after", async () => {
    const namespace = 'rt-pool-run';
    dir = mkdtempSync(join(tmpdir(), 'rt-pool-k8s-run-'));
    bb = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
    bb.addRepository('acme', 'web-app');
    // The node's engine, where the kubelet runs the pods' containers (not this machine's private dockerd).
    const node = new Docker({ socketPath: inject('nodeDockerHost').replace(/^unix:\/\//, '') });
    world = await PoolWorld.start({ standin: bb, docker: node, unknownCredentials: 'hang' });
    const steps = world.queueSteps('acme', 'web-app', 2, { seconds: 'hold' });
    const env = { ...testEnv(dir, inject('dockerSocket'), kubeconfig), RUNNER_TRAY_BITBUCKET_API: bb.baseUrl, RUNNER_TRAY_POOL_POLL_MS: '1500' };
    const lines: string[] = [];
    ctx = new AppContext({ env, checkForImageUpdates: false, log: (l) => lines.push(l) });
    await connectBitbucket(await ctx.bitbucket().deps(), { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN), watchedRepositories: [] });
    ctx
      .settings()
      .pools()
      .put({
        name: 'kci',
        workspace: 'acme',
        repository: 'web-app',
        labels: [],
        min: 0,
        max: 2,
        idle: 0,
        coolDownMs: 5_000,
        startTimeoutMs: 600_000,
        on: 'kubernetes',
        size: '1x',
        kubernetes: { namespace, imagePullPolicy: 'IfNotPresent' },
        createdAt: new Date().toISOString(),
      });
    await ctx.pools().start();
    const w = world;
    const view = () => ctx!.pools().views()[0]!;
    const pods = async () => (await core.listNamespacedPod({ namespace })).items;
    const t0 = Date.now();
    const phase = (what: string) => console.log(`pool-k8s run: ${what} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // Two steps, max 2: two runners; one pod fits the node's 2 CPUs, it runs and takes a step.
    await w.until(() => w.runners().filter((r) => r.busy).length === 1, 'one pod runner busy', 120_000);
    phase('first runner busy');
    const [running] = await until(
      'a Running, ready runner pod',
      async () => {
        const all = await pods();
        const up = all.filter((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.every((c) => c.ready));
        return up.length === 1 ? up : null;
      },
      180_000,
    );
    phase('its pod Running and ready');
    expect(running!.spec?.nodeName).toBe('127.0.0.1');
    expect(running!.spec?.containers.every((c) => c.imagePullPolicy === 'IfNotPresent')).toBe(true);
    const first = w.runners().find((r) => r.busy)!;
    // The runner Bitbucket calls busy is the one in that pod: the world handed it the step inside that container.
    expect(running!.metadata?.labels?.['runner_uuid']).toBe(first.uuid.replace(/[{}]/g, ''));
    await until(
      "the pool view: 1 busy, 1 starting with the scheduler's reason",
      () =>
        Promise.resolve(
          view().counts.busy === 1 &&
            view().counts.starting === 1 &&
            view().runners.some((r) => /^pod unschedulable: 0\/1 nodes are available: .*cpu/i.test(r.reason ?? '')),
        ),
      180_000,
    );
    phase('second runner unschedulable');
    // Several polls later: still exactly 2 runners and 2 workloads, one step waiting.
    await new Promise((r) => setTimeout(r, 5000));
    expect(
      bb
        .runnersOf('acme', 'web-app')
        .map((r) => r.name)
        .sort(),
    ).toEqual(['kci-1', 'kci-2']);
    expect(await pods()).toHaveLength(2);
    expect(view().counts).toMatchObject({ busy: 1, starting: 1, waiting: 1, idle: 0 });
    expect(view().desired).toBe(2);
    const secrets = bb.runnersOf('acme', 'web-app').map((r) => r.oauthClientSecret);

    // The step ends: the same runner takes the second one at once (it fits; the Pending pod still does not).
    await w.finishStep(first.stepUuid!);
    const second = steps.find((s) => s.stepUuid !== first.stepUuid)!;
    await w.until(() => w.runners().some((r) => r.uuid === first.uuid && r.stepUuid === second.stepUuid), 'the freed runner taking the second step');
    await w.finishStep(second.stepUuid);
    await until('both steps completed', () =>
      Promise.resolve(steps.every((s) => bb!.stepStatus('acme', 'web-app', s.pipelineUuid, s.stepUuid).state === 'COMPLETED')),
    );
    for (const s of steps) expect(bb.stepStatus('acme', 'web-app', s.pipelineUuid, s.stepUuid)).toEqual({ state: 'COMPLETED', result: 'SUCCESSFUL' });
    phase('both steps passed');

    // Idle past the cool-down: retired, its workload deleted; the node has room, the other pod runs and comes ONLINE idle, then goes too.
    await until('the first runner retired', () => Promise.resolve(!bb!.runnersOf('acme', 'web-app').some((r) => r.uuid === first.uuid)), 120_000);
    phase('first retired');
    const other = bb.runnersOf('acme', 'web-app')[0]!;
    await w.until(() => w.events.some((e) => e.type === 'online' && e.runnerUuid === other.uuid), 'the second pod runner ONLINE', 120_000);
    await until('the controller to see it idle', () => Promise.resolve(view().counts.idle === 1 && view().counts.starting === 0));
    phase('second online');
    await until('every runner and pod gone', async () => bb!.runnersOf('acme', 'web-app').length === 0 && (await pods()).length === 0, 120_000);
    phase('all retired');
    expect(ctx.settings().runners().list()).toEqual([]);
    expect(lines.filter((l) => l.startsWith('pool kci: created runner kci-'))).toHaveLength(2);
    expect(lines.filter((l) => /^pool kci: retired runner kci-\d: idle past the 5 s cool-down/.test(l))).toHaveLength(2);
    // The pods' credentials (from the workload's Secret) were Bitbucket's own, and no secret was logged.
    const ours = new Set([first.uuid, other.uuid]);
    expect(w.events.filter((e) => e.type === 'rejected' && ours.has(e.runnerUuid))).toEqual([]);
    for (const secret of secrets) expect(JSON.stringify([lines, view()])).not.toContain(secret);
  }, 420_000);
});
