/**
 * Apply of a runner against the real single-node cluster (scripts/kube-cluster.sh): the create
 * (namespace exists, Secret + Deployment new) and the no-op re-apply, medians of RUNS each, through
 * the app's RunnerPlacements with field manager runner-tray. Target: each under 1 s.
 * Run alone with `npx tsx bench/k8s-apply.ts`; bench/run.ts imports benchK8sApply.
 */
import { rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { startDockerd } from '../test/support/dockerd.js';
import { startCluster } from '../test/support/kube-cluster.js';
import { contextWithRunner, newRunnerUuid, runnerPaste } from '../test/support/k8s-runners.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const TARGET_MS = 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function benchK8sApply(): Promise<void> {
  const daemon = await startDockerd();
  const t0 = performance.now();
  const cluster = await startCluster().catch(async (e: unknown) => {
    await daemon.stop();
    throw e;
  });
  console.log(`cluster start: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const creates: number[] = [];
  const noops: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const uuid = newRunnerUuid();
      const { ctx, dataDir } = await contextWithRunner(daemon.socketPath, cluster.kubeconfig, runnerPaste(uuid));
      // Never scheduled (the image cannot be pulled): the bench measures the API, not the kubelet.
      const options = { namespace: 'rt-bench', image: 'example.invalid/runner:1', imagePullPolicy: 'Never' as const };
      const k8s = ctx.kubernetes();
      if (i === 0) await k8s.cluster().ensureNamespace('rt-bench'); // the create then measures the runner's objects only
      let t = performance.now();
      await k8s.apply(uuid, options);
      creates.push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 500)); // let the controllers write status first
      t = performance.now();
      await k8s.apply(uuid, options);
      noops.push(performance.now() - t);
      // Not deleted here: a pod still being created takes a minute to go; the cluster is stopped after.
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  } finally {
    await cluster.stop();
    await daemon.stop();
  }
  const c = median(creates);
  const n = median(noops);
  console.log(`apply create: median ${c.toFixed(0)} ms of ${RUNS} (target < ${TARGET_MS} ms) ${c < TARGET_MS ? 'OK' : 'SLOW'}`);
  console.log(`no-op re-apply: median ${n.toFixed(0)} ms of ${RUNS} (target < ${TARGET_MS} ms) ${n < TARGET_MS ? 'OK' : 'SLOW'}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchK8sApply();
