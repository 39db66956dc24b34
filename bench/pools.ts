/**
 * Pool controller benchmarks on a private dockerd with the stand-in runner image and the
 * Bitbucket stand-in (the app's real controller, RunnerService and Bitbucket client):
 * - scale from zero: a step appears in the queue of a min-0 pool → its runner's container has
 *   started (the engine's `start` event), p50 / p95 over RUNS, raw and minus the poll interval
 *   (the step appears at a random moment of the poll, so up to one interval is waiting by design);
 * - idle CPU: the controller process's CPU time with 3 idle pools over 60 s, at the default poll
 *   (Bitbucket's rate-limit rule) and at a 1 s poll. Target: effectively zero (< 1 % of a core).
 * Run alone with `npx tsx bench/pools.ts`; bench/run.ts imports benchPools.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import { AppContext } from '../src/main/app-context.js';
import { connectBitbucket } from '../src/main/bitbucket/connection.js';
import { LABEL_MANAGED } from '../src/shared/runner-spec.js';
import type { PoolConfig } from '../src/shared/pools/types.js';
import { Secret } from '../src/shared/secret.js';
import { BitbucketStandin } from '../test/support/bitbucket-standin.js';
import { startDockerd } from '../test/support/dockerd.js';
import { buildStandinImage } from '../test/support/standin-image.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const POLL_MS = 1000;
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 60);
const EMAIL = 'bench@example.test';
const TOKEN = 'ATATTmadeUpBenchPoolsToken_Rt5Yu3Io1Pa9Sd7Fg5Hj3';

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

function pool(name: string, workDir: string, repository: string): PoolConfig {
  return {
    name,
    workspace: 'acme',
    repository,
    labels: [],
    min: 0,
    max: 1,
    idle: 0,
    coolDownMs: 300_000,
    startTimeoutMs: 120_000,
    on: 'docker',
    size: '1x',
    workDir,
    createdAt: new Date().toISOString(),
  };
}

async function context(socketPath: string, bb: BitbucketStandin, dir: string, pollMs?: number): Promise<AppContext> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    DOCKER_HOST: `unix://${socketPath}`,
    RUNNER_TRAY_HOME: join(dir, 'data'),
    RUNNER_TRAY_VAULT: 'file',
    RUNNER_TRAY_BITBUCKET_API: bb.baseUrl,
    ...(pollMs ? { RUNNER_TRAY_POOL_POLL_MS: String(pollMs) } : {}),
  };
  const ctx = new AppContext({ env, checkForImageUpdates: false });
  await connectBitbucket(await ctx.bitbucket().deps(), { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN), watchedRepositories: [] });
  return ctx;
}

/** The time of the next `start` of one of our runner containers, from the engine's event stream. */
async function nextRunnerStart(docker: Docker): Promise<{ started: Promise<number>; close: () => void }> {
  const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['start'], label: [`${LABEL_MANAGED}=true`] } })) as NodeJS.ReadableStream & {
    destroy(): void;
  };
  const started = new Promise<number>((resolve) => stream.once('data', () => resolve(performance.now())));
  return { started, close: () => stream.destroy() };
}

async function scaleFromZero(docker: Docker, socketPath: string, bb: BitbucketStandin): Promise<void> {
  const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'rt-bench-pool-'));
    const repo = `app-${i}`;
    bb.addRepository('acme', repo);
    const ctx = await context(socketPath, bb, dir, POLL_MS);
    mkdirSync(join(dir, 'work'), { recursive: true });
    ctx
      .settings()
      .pools()
      .put(pool('ci', join(dir, 'work'), repo));
    await ctx.pools().start();
    // The step comes at a random moment of the poll, as in life.
    await new Promise((r) => setTimeout(r, 1200 + Math.random() * POLL_MS));
    const events = await nextRunnerStart(docker);
    const t0 = performance.now();
    bb.addPipeline('acme', repo, { buildNumber: 1, state: 'PENDING', createdOn: new Date().toISOString(), steps: [{ name: 'build', state: 'PENDING' }] });
    raw.push((await events.started) - t0);
    events.close();
    await ctx.close();
    for (const c of await docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } }))
      await docker.getContainer(c.Id).remove({ force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  console.log(`scale from zero (step queued -> container started), ${RUNS} runs, poll ${POLL_MS} ms:`);
  console.log(`  raw:                 p50 ${fmt(percentile(raw, 50))}, p95 ${fmt(percentile(raw, 95))}`);
  const net = raw.map((x) => Math.max(0, x - POLL_MS));
  console.log(`  minus poll interval: p50 ${fmt(percentile(net, 50))}, p95 ${fmt(percentile(net, 95))}`);
}

async function idleCpu(socketPath: string, bb: BitbucketStandin, pollMs: number | undefined): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-bench-idle-'));
  const ctx = await context(socketPath, bb, dir, pollMs);
  for (const name of ['idle-a', 'idle-b', 'idle-c']) {
    bb.addRepository('acme', name);
    ctx
      .settings()
      .pools()
      .put(pool(name, join(dir, 'work'), name));
  }
  await ctx.pools().start();
  await new Promise((r) => setTimeout(r, 2000)); // past the first rounds
  const before = bb.requests.length;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const share = (100 * cpuMs) / wallMs;
  const requests = bb.requests.length - before;
  await ctx.close();
  rmSync(dir, { recursive: true, force: true });
  const label = pollMs ? `${pollMs} ms poll` : 'default poll';
  console.log(
    `3 idle pools, ${label}: ${cpuMs.toFixed(0)} ms CPU in ${(wallMs / 1000).toFixed(0)} s (${share.toFixed(2)} % of a core; target < 1 %) ${share < 1 ? 'OK' : 'HIGH'}; ${requests} Bitbucket requests (stand-in in the same process)`,
  );
}

export async function benchPools(): Promise<void> {
  const daemon = await startDockerd();
  const bb = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  try {
    buildStandinImage(daemon.dockerHost);
    const docker = new Docker({ socketPath: daemon.socketPath });
    await scaleFromZero(docker, daemon.socketPath, bb);
    await idleCpu(daemon.socketPath, bb, undefined);
    await idleCpu(daemon.socketPath, bb, POLL_MS);
  } finally {
    await bb.close();
    await daemon.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchPools();
