/**
 * A pool `on: kubernetes` against the real single-node cluster and the Bitbucket stand-in: the
 * same controller creates the runners in Bitbucket and applies their workloads instead of a local
 * start. The node has 2 CPUs and a runner pod requests 1.25, so of 3 runners one pod is scheduled
 * (its image pull fails: pools pull Always and the cluster has no registry) and two stay Pending,
 * unschedulable: all count as starting (no overshoot), each says why, and retiring the pool
 * deletes the workloads and the runners in Bitbucket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AppContext } from '../../src/main/app-context.js';
import { connectBitbucket } from '../../src/main/bitbucket/connection.js';
import { runnerSelector } from '../../src/shared/k8s/index.js';
import type { PoolConfig } from '../../src/shared/pools/types.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';
import { adminCore, testEnv, until } from '../support/k8s-runners.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolK8sToken_Vb6Nm4Qw2Er0Ty8Ui6Op4';
const kubeconfig = inject('kubeconfig');
const core = adminCore(kubeconfig);
const NAMESPACE = 'rt-pool';

let ctx: AppContext | undefined;
let bb: BitbucketStandin | undefined;
let dir: string | undefined;

afterEach(async (test) => {
  if (test.task.result?.state === 'fail') console.log(`pool-k8s view: ${JSON.stringify(ctx?.pools().views())}`);
  await ctx
    ?.pools()
    .retireAll('kci')
    .catch(() => undefined);
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
