/**
 * Runner facts from the real private dockerd and the Bitbucket stand-in (shaped like Bitbucket
 * Cloud's documented API), through the CLI entry: `doctor --json` (memory limit from the runner
 * container, labels from Bitbucket) and `steps --queued --json` (the `bitbucketRunners` section).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { connectEngine, type Engine } from '../../src/main/docker/engine.js';
import { AppContext } from '../../src/main/app-context.js';
import { gatherHostFacts } from '../../src/main/host-facts.js';
import { startHost } from '../../src/main/host.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import type { RunnerRecord } from '../../src/main/settings/types.js';
import { preflight } from '../../src/shared/preflight/index.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { LABEL_MANAGED, LABEL_RUNNER } from '../../src/shared/runner-spec.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';
import { CliCapture } from '../support/cli-capture.js';
import { paste, runnerUuid } from '../support/steps-runners.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpDoctorToken_Ws2Ed4Rf6Tg8Yh0Uj2Ik4Ol6Pz8Xc0Vb2Nm4Qa6Sd8';
const MiB = 1024 ** 2;

let engine: Engine;
let docker: Docker;
let dir: string;
let server: BitbucketStandin;
let cap: CliCapture;
const made: string[] = [];
let n = 800;

function io(stdin = ''): CliIo {
  return cap.io(
    {
      ...process.env,
      DOCKER_HOST: `unix://${inject('dockerSocket')}`,
      RUNNER_TRAY_HOME: dir,
      RUNNER_TRAY_VAULT: 'file',
      RUNNER_TRAY_BITBUCKET_API: server.baseUrl,
    },
    stdin,
  );
}

/** A repository runner of repository `repoUuid`, in settings, with a container limited to `memory`. */
async function runnerWithContainer(repoUuid: string, memory: number): Promise<RunnerRecord> {
  const uuid = runnerUuid(++n);
  const parsed = parseRunnerCommand(paste(uuid));
  if (!parsed.ok) throw new Error(parsed.error.message);
  const record: RunnerRecord = { spec: { ...parsed.spec, repositoryUuid: repoUuid }, displayName: 'deploy', addedAt: '2026-01-01T00:00:00.000Z' };
  SettingsStore.open(dir).runners().put(record);
  const c = await docker.createContainer({
    Image: inject('standinImage'),
    name: `rt-doctor-${n}`,
    Entrypoint: ['/bin/sh', '-c', 'sleep 3600'],
    Labels: { [LABEL_MANAGED]: 'true', [LABEL_RUNNER]: uuid },
    HostConfig: { NetworkMode: 'none', Memory: memory },
  });
  made.push(c.id);
  return record;
}

beforeAll(async () => {
  process.env.DOCKER_HOST = `unix://${inject('dockerSocket')}`;
  engine = await connectEngine();
  docker = engine.docker;
});

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-doctor-'));
  server = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  cap = new CliCapture();
});

afterEach(async () => {
  for (const id of made.splice(0))
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('doctor facts of our runners', () => {
  it("reads each runner container's memory limit, and labels from Bitbucket when connected", async () => {
    const repo = server.addRepository('acme', 'deploy-tools');
    const record = await runnerWithContainer(repo, 768 * MiB);
    server.setRunners('acme', [{ uuid: record.spec.runnerUuid, name: 'deploy', labels: ['self.hosted', 'linux.arm64'], status: 'ONLINE' }], 'deploy-tools');

    const facts = await gatherHostFacts({
      engine,
      runners: [record],
      bitbucketRunners: [{ uuid: record.spec.runnerUuid, labels: ['self.hosted', 'linux.arm64'] }],
    });
    expect(facts.runners[0]).toMatchObject({ memoryLimitBytes: 768 * MiB, labels: ['self.hosted', 'linux.arm64'] });
    expect(facts.runners[0]?.largestStepSize).toBeUndefined();

    // Through the CLI: not connected → labels unknown; connected → read from Bitbucket.
    expect(await main(['doctor', '--json'], io())).toBeTypeOf('number');
    let findings = (JSON.parse(cap.out) as { findings: Array<{ id: string; status: string; message: string }> }).findings;
    expect(findings.find((f) => f.id === `runner-memory:${record.spec.name}`)).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('limited to 768 MiB'),
    });
    expect(findings.find((f) => f.id === 'memory-steps')?.message).toContain('unknown');

    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
    cap.out = '';
    await main(['doctor', '--json'], io());
    findings = (JSON.parse(cap.out) as { findings: typeof findings }).findings;
    expect(findings.find((f) => f.id === `runner-memory:${record.spec.name}`)?.status).toBe('ok');
    // The labels were asked of the repository's runners, by its {UUID}.
    expect(server.requests.some((r) => r.rawPath === `/2.0/repositories/acme/${encodeURIComponent(repo)}/pipelines-config/runners`)).toBe(true);
    expect(cap.out + cap.err).not.toContain(TOKEN);
  });

  it("the dashboard's host.preflight asks Bitbucket for labels as doctor does, and finds the same", async () => {
    const repo = server.addRepository('acme', 'dash-tools');
    const record = await runnerWithContainer(repo, 768 * MiB);
    server.setRunners('acme', [{ uuid: record.spec.runnerUuid, name: 'deploy', labels: ['self.hosted', 'linux.arm64'], status: 'ONLINE' }], 'dash-tools');
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
    cap.out = '';
    await main(['doctor', '--json'], io());
    type Finding = { id: string; status: string; message: string };
    const cli = (JSON.parse(cap.out) as { findings: Finding[] }).findings;

    const labelsPath = `/2.0/repositories/acme/${encodeURIComponent(repo)}/pipelines-config/runners`;
    const askedBefore = server.requests.filter((r) => r.rawPath === labelsPath).length;
    const lines: string[] = [];
    const ctx = new AppContext({ env: io().env, checkForImageUpdates: false, log: (l) => lines.push(l) });
    const host = await startHost({ ctx });
    try {
      const reply = await host.api.dispatch('host.preflight', {});
      if (!reply.ok) throw new Error(reply.error.message);
      const dashboard = (reply.value as { findings: Finding[] }).findings;
      expect(server.requests.filter((r) => r.rawPath === labelsPath).length).toBeGreaterThan(askedBefore);
      // Label-dependent findings (architecture, step memory) read the same in both.
      for (const id of ['arch', 'memory-steps', `runner-memory:${record.spec.name}`]) {
        expect(
          dashboard.find((f) => f.id === id),
          id,
        ).toEqual(cli.find((f) => f.id === id));
      }
      expect(dashboard.map((f) => f.id).sort()).toEqual(cli.map((f) => f.id).sort());
      expect(lines.join('\n')).not.toContain(TOKEN);
    } finally {
      await host.close();
      await ctx.close();
    }
  });

  it('fails a runner container limited below 512 MiB', async () => {
    const record = await runnerWithContainer(server.addRepository('acme', 'small'), 256 * MiB);
    const facts = await gatherHostFacts({ engine, runners: [record] });
    expect(facts.runners[0]?.memoryLimitBytes).toBe(256 * MiB);
    expect(facts.runners[0]?.labels).toBeUndefined();
    expect(preflight(facts).findings.find((f) => f.id === `runner-memory:${record.spec.name}`)).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('limited to 256 MiB'),
    });
  });
});

describe('steps --queued --json', () => {
  it("adds bitbucketRunners (status, busy, labels) and watches the repository runner's own repository", async () => {
    const repo = server.addRepository('acme', 'deploy-tools', '2020-01-01T00:00:00.000000+00:00');
    server.addRepository('acme', 'web-app', '2024-05-03T00:00:00.000000+00:00');
    const record = await runnerWithContainer(repo, 0);
    server.setRunners('acme', [{ uuid: record.spec.runnerUuid, name: 'deploy', labels: ['self.hosted', 'linux'], status: 'OFFLINE' }], 'deploy-tools');
    server.addPipeline('acme', 'deploy-tools', {
      buildNumber: 9,
      state: 'PENDING',
      createdOn: '2026-11-29T10:00:00.000000+00:00',
      steps: [{ name: 'Deploy', state: 'PENDING', runsOn: ['self.hosted'] }],
    });
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL, '--repos', 'web-app'], io(`${TOKEN}\n`))).toBe(0);
    cap.out = '';
    expect(await main(['steps', '--queued', '--json'], io())).toBe(0);
    const json = JSON.parse(cap.out) as {
      queued: { connected: boolean; repositories: string[]; steps: Array<{ repository: string; stepName: string }> };
      bitbucketRunners: { runners: Array<{ uuid: string; status: string; busy: boolean; labels: string[] }>; missing: string[] };
    };
    expect(json.queued.repositories).toEqual([`acme/${repo}`, 'acme/web-app']);
    expect(json.queued.steps).toEqual([expect.objectContaining({ repository: 'acme/deploy-tools', stepName: 'Deploy' })]);
    expect(json.bitbucketRunners).toEqual({
      runners: [expect.objectContaining({ uuid: record.spec.runnerUuid, status: 'OFFLINE', busy: false, labels: ['self.hosted', 'linux'] })],
      missing: [],
    });
    expect(cap.out + cap.err).not.toContain(TOKEN);
  });
});
