/**
 * Runner start latency: create+start of a runner container through the app's RunnerService
 * (image present) against `docker run -d` of the same image and flags with the docker CLI,
 * medians over RUNS of each, interleaved, in one process, on a private dockerd.
 * Run alone with `npx tsx bench/runner-start.ts`; bench/run.ts imports benchRunnerStart.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { connectEngine } from '../src/main/docker/engine.js';
import { RunnerService } from '../src/main/runners/runner-service.js';
import { SettingsStore } from '../src/main/settings/settings-store.js';
import { FileVault } from '../src/main/vault/file-vault.js';
import { parseRunnerCommand } from '../src/shared/runner-command/index.js';
import { startDockerd } from '../test/support/dockerd.js';
import { buildStandinImage, STANDIN_IMAGE } from '../test/support/standin-image.js';

const run = promisify(execFile);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const TARGET_RATIO = 0.9;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A made-up runner UUID per run, so every start creates a fresh container. */
function uuid(i: number): string {
  return `{be0c4a11-0000-4000-8000-${i.toString(16).padStart(12, '0')}}`;
}

function pasteArgs(runner: string, socketPath: string, dataRoot: string): string[] {
  const bare = runner.slice(1, -1);
  return [
    '-v',
    '/tmp:/tmp',
    '-v',
    `${socketPath}:/var/run/docker.sock`,
    '-v',
    `${dataRoot}/containers:/var/lib/docker/containers:ro`,
    '-e',
    'ACCOUNT_UUID={be0c4a11-aaaa-4aaa-8aaa-aaaaaaaaaaaa}',
    '-e',
    `RUNNER_UUID=${runner}`,
    '-e',
    'RUNTIME_PREREQUISITES_ENABLED=true',
    '-e',
    'OAUTH_CLIENT_ID=BenchClientId0000000000000000000',
    '-e',
    'OAUTH_CLIENT_SECRET=bench-made-up-secret-0000000000000000000000000000000000000000000',
    '-e',
    'WORKING_DIRECTORY=/tmp',
    '--name',
    `runner-${bare}`,
  ];
}

export async function benchRunnerStart(): Promise<void> {
  const daemon = await startDockerd();
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-bench-'));
  try {
    buildStandinImage(daemon.dockerHost);
    process.env.DOCKER_HOST = daemon.dockerHost;
    const engine = await connectEngine();
    const vault = await FileVault.open(dataDir);
    const service = new RunnerService({ engine, store: SettingsStore.open(dataDir).runners(), vault, stopTimeoutSeconds: 1 });
    const cliEnv = { ...process.env, DOCKER_HOST: daemon.dockerHost };
    const app: number[] = [];
    const cli: number[] = [];

    // One warm-up of each (first container on a fresh daemon pays one-off costs), then interleave.
    for (let i = 0; i <= RUNS; i++) {
      const a = uuid(2 * i);
      const args = pasteArgs(a, daemon.socketPath, daemon.dataRoot);
      const paste = `docker container run -it ${args.join(' ')} ${STANDIN_IMAGE}`;
      const parsed = parseRunnerCommand(paste);
      if (!parsed.ok) throw new Error(`bench paste did not parse: ${parsed.error.message}`);
      await service.add(parsed);
      let t = performance.now();
      await service.start(a);
      const appMs = performance.now() - t;
      await service.settle(); // the background image check is not part of the start
      await service.remove(a);

      const b = uuid(2 * i + 1);
      t = performance.now();
      await run('docker', ['run', '-d', ...pasteArgs(b, daemon.socketPath, daemon.dataRoot), STANDIN_IMAGE], { env: cliEnv });
      const cliMs = performance.now() - t;
      await engine.docker.getContainer(`runner-${b.slice(1, -1)}`).remove({ force: true });

      if (i > 0) {
        app.push(appMs);
        cli.push(cliMs);
      }
    }

    const appMedian = median(app);
    const cliMedian = median(cli);
    const ratio = appMedian / cliMedian;
    console.log(`runner start (create+start, image present), median of ${RUNS} runs each, dockerd ${engine.facts.serverVersion}:`);
    console.log(`  runner-tray service: ${appMedian.toFixed(1)} ms  (min ${Math.min(...app).toFixed(1)}, max ${Math.max(...app).toFixed(1)})`);
    console.log(`  docker run -d:       ${cliMedian.toFixed(1)} ms  (min ${Math.min(...cli).toFixed(1)}, max ${Math.max(...cli).toFixed(1)})`);
    console.log(`  ratio service / docker run: ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}) ${ratio <= TARGET_RATIO ? 'OK' : 'ABOVE TARGET'}`);
  } finally {
    await daemon.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchRunnerStart().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
