/**
 * The stand-in runner image (test/support/standin-image.ts) behaves as issue-3 tests rely on:
 * recorded log lines with the current time, a `<runner>_<step>_build` sibling per step through the
 * bound socket, a crash with a chosen exit code, a clean exit on SIGTERM, and never its secret.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/main/docker/engine.js';
import { RunnerService } from '../../src/main/runners/runner-service.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';

const RUNNER = '{5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b}';
const SECRET = 'ATOAstandinMadeUpSecret_p9O8i7U6y5T4r3E2w1Q0a9S8d7F6g5H4j3K2l1Z0x';
let engine: Engine;
let docker: Docker;
let dataDir: string;
let service: RunnerService;

function paste(env: string): string {
  return (
    `docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock ` +
    `-v /var/lib/docker/containers:/var/lib/docker/containers:ro -e ACCOUNT_UUID={1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d} ` +
    `-e RUNNER_UUID=${RUNNER} -e RUNTIME_PREREQUISITES_ENABLED=true -e OAUTH_CLIENT_ID=Ab3De5Gh7Jk9Mn2Pq4St6Vw8Yz0Bc1Df ` +
    `-e OAUTH_CLIENT_SECRET=${SECRET} -e WORKING_DIRECTORY=/tmp ${env} --name runner-${RUNNER.slice(1, -1)} ${inject('standinImage')}`
  );
}

async function startWith(env: string): Promise<string> {
  const p = parseRunnerCommand(paste(env));
  if (!p.ok) throw new Error(p.error.message);
  await service.add(p);
  return (await service.start(RUNNER)).containerId!;
}

async function logsOf(id: string): Promise<string> {
  return ((await docker.getContainer(id).logs({ stdout: true, stderr: true })) as unknown as Buffer).toString('utf8');
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  process.env.DOCKER_HOST = `unix://${inject('dockerSocket')}`;
  engine = await connectEngine();
  docker = engine.docker;
});

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-standin-'));
  service = new RunnerService({ engine, store: SettingsStore.open(dataDir).runners(), vault: await FileVault.open(dataDir), checkForImageUpdates: false });
});

afterEach(async () => {
  // This runner's container and its step siblings only; the daemon is shared by the whole run.
  const all = (await docker.listContainers({ all: true })).filter((c) => c.Names.some((n) => n.includes(RUNNER.slice(1, -1))));
  for (const c of all)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

describe('stand-in runner image', () => {
  it('runs a step: log lines in logback form with its own UUIDs, and a sibling <runner>_<step>_build container meanwhile', async () => {
    const created: string[] = [];
    const stream = await docker.getEvents({ filters: { type: ['container'], event: ['create'] } });
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        const ev = JSON.parse(line) as { Actor?: { Attributes?: { name?: string } } };
        if (ev.Actor?.Attributes?.name) created.push(ev.Actor.Attributes.name);
      }
    });
    try {
      const id = await startWith('-e STANDIN_SCRIPT=one-step -e STANDIN_STEP_SECONDS=2');
      const log = await until('the step result', async () => {
        const l = await logsOf(id);
        return l.includes('Completing step with result') ? l : undefined;
      });
      const lines = log.split('\n').filter((l) => l.startsWith('['));
      for (const l of lines) expect(l).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] /);
      expect(log).toContain('Runner starting.');
      expect(log).toContain('Updating runner state to "ONLINE".');
      const step = /stepUuid=\{([0-9a-f-]+)\}/.exec(log)?.[1];
      expect(step).toBeDefined();
      expect(log).toContain('Completing step with result Result{status=PASSED, error=None}.');
      expect(created).toContain(`${RUNNER.slice(1, -1)}_${step}_build`);
      // The sibling is cleaned up once the step completes, as the runner does.
      expect((await docker.listContainers({ all: true })).map((c) => c.Names[0])).not.toContain(`/${RUNNER.slice(1, -1)}_${step}_build`);
      expect(log).not.toContain(SECRET);
    } finally {
      (stream as unknown as { destroy(): void }).destroy();
    }
  });

  it('crashes with the chosen exit code after the recorded failure, and Docker restarts it (unless-stopped)', async () => {
    const id = await startWith('-e STANDIN_SCRIPT=crash -e STANDIN_EXIT_CODE=3');
    const info = await until('a restart after the crash', async () => {
      const i = await docker.getContainer(id).inspect();
      return i.RestartCount >= 1 ? i : undefined;
    });
    expect(info.RestartCount).toBeGreaterThanOrEqual(1);
    const log = await logsOf(id);
    expect(log).toContain('404 from POST https://auth.atlassian.com/oauth/token');
    expect(log).toContain('\tat com.atlassian.pipelines');
    await service.stop(RUNNER);
    expect((await docker.getContainer(id).inspect()).State.ExitCode).toBe(3);
  });

  it('exits cleanly on SIGTERM (code 0, not killed), so stop is quick', async () => {
    const id = await startWith('');
    await until('online', async () => ((await logsOf(id)).includes('ONLINE') ? true : undefined));
    const s = await service.stop(RUNNER);
    expect(s.containerState).toBe('exited');
    expect(s.exitCode).toBe(0);
    expect(await logsOf(id)).toContain('Runner shutting down.');
  });
});
