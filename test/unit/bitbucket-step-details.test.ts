import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StepDetailsSource } from '../../src/main/api/step-details-source.js';
import { connectBitbucket, disconnectBitbucket, openBitbucketClient } from '../../src/main/bitbucket/connection.js';
import { StepDetailsResolver, type StepIds } from '../../src/main/bitbucket/step-details.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { stepUrl } from '../../src/shared/contract/step-link.js';
import { Secret } from '../../src/shared/secret.js';
import type { Step } from '../../src/shared/step-log/types.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

// Made up for these tests.
const TOKEN = 'ATATT3xFfGF0-made-up-step-details-token-4e5f6a7b';
const EMAIL = 'runner-owner@example.test';
const U = {
  pipeline: '{a1b2c3d4-0000-4a00-8b00-000000000101}',
  build: '{a1b2c3d4-0000-4a00-8b00-000000000201}',
  deploy: '{a1b2c3d4-0000-4a00-8b00-000000000202}',
  otherPipeline: '{a1b2c3d4-0000-4a00-8b00-000000000102}',
  lint: '{a1b2c3d4-0000-4a00-8b00-000000000203}',
  unknownRepo: '{a1b2c3d4-0000-4a00-8b00-0000000009ff}',
};

let standin: BitbucketStandin;
let workspaceUuid: string;
let repoUuid: string;
let dir: string;
let settings: SettingsStore;
let vault: FileVault;
let lines: string[];

function resolver(retryAfterMs?: number): StepDetailsResolver {
  const store = settings.bitbucket();
  const deps = { vault, store, baseUrl: standin.baseUrl };
  return new StepDetailsResolver({
    open: () => openBitbucketClient(deps),
    connection: () => store.read(),
    log: (l) => lines.push(l),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

const ids = (stepUuid: string, pipelineUuid = U.pipeline): StepIds => ({ accountUuid: workspaceUuid, repositoryUuid: repoUuid, pipelineUuid, stepUuid });
const newRequests = (since: number) => standin.requests.slice(since).map((r) => r.segments.join('/'));

beforeAll(async () => {
  standin = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  repoUuid = standin.addRepository('acme', 'web-app');
  workspaceUuid = standin.workspaceUuid('acme');
  standin.addPipeline('acme', 'web-app', {
    uuid: U.pipeline,
    buildNumber: 42,
    state: 'IN_PROGRESS',
    createdOn: '2024-05-03T08:10:00.000Z',
    steps: [
      { uuid: U.build, name: 'Build and test', state: 'IN_PROGRESS', runsOn: ['self.hosted', 'linux'] },
      { uuid: U.deploy, name: 'Deploy to staging', state: 'PENDING' },
    ],
  });
  standin.addPipeline('acme', 'web-app', {
    uuid: U.otherPipeline,
    buildNumber: 43,
    state: 'IN_PROGRESS',
    createdOn: '2024-05-03T08:20:00.000Z',
    steps: [{ uuid: U.lint, name: 'Lint', state: 'IN_PROGRESS' }],
  });
});
afterAll(async () => standin.close());

beforeEach(async (ctx) => {
  dir = await mkdtemp(path.join(tmpdir(), 'step-details-'));
  settings = SettingsStore.open(path.join(dir, 'data'));
  vault = await FileVault.open(path.join(dir, 'data'));
  lines = [];
  standin.clearFaults();
  await connectBitbucket({ vault, store: settings.bitbucket(), baseUrl: standin.baseUrl }, { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN) });
  ctx.onTestFinished(() => rm(dir, { recursive: true, force: true }));
});

describe('step details against the Bitbucket stand-in', () => {
  it("turns the log's UUIDs into workspace, repository slug, build number and step name, so the step gets its link", async () => {
    const r = resolver();
    const since = standin.requests.length;
    const d = await r.resolve(ids(U.build));
    expect(d).toEqual({ workspace: 'acme', repoSlug: 'web-app', buildNumber: 42, stepName: 'Build and test' });
    expect(stepUrl({ stepUuid: U.build, ...d })).toBe(`https://bitbucket.org/acme/web-app/pipelines/results/42/steps/${encodeURIComponent(U.build)}`);
    // The repository is asked for by the UUIDs the runner log gives (braces kept, percent-encoded).
    expect(newRequests(since)[0]).toBe(`repositories/${workspaceUuid}/${repoUuid}`);
    expect(standin.requests.slice(since).every((q) => q.authorized)).toBe(true);
    expect(r.peek(U.build)).toEqual(d);
  });

  it('asks about each repository and pipeline once, and each step once', async () => {
    const r = resolver();
    const since = standin.requests.length;
    await r.resolve(ids(U.build));
    await r.resolve(ids(U.deploy));
    await r.resolve(ids(U.build));
    await r.resolve(ids(U.lint, U.otherPipeline));
    expect(newRequests(since).sort()).toEqual(
      [
        `repositories/${workspaceUuid}/${repoUuid}`,
        `repositories/acme/web-app/pipelines/${U.pipeline}`,
        `repositories/acme/web-app/pipelines/${U.pipeline}/steps/${U.build}`,
        `repositories/acme/web-app/pipelines/${U.pipeline}/steps/${U.deploy}`,
        `repositories/acme/web-app/pipelines/${U.otherPipeline}`,
        `repositories/acme/web-app/pipelines/${U.otherPipeline}/steps/${U.lint}`,
      ].sort(),
    );
    expect(r.peek(U.lint)).toMatchObject({ buildNumber: 43, stepName: 'Lint' });
  });

  it('without a connection asks nobody and gives nothing (the UI then shows shortened UUIDs and no link)', async () => {
    await disconnectBitbucket({ vault, store: settings.bitbucket() });
    const since = standin.requests.length;
    const d = await resolver().resolve(ids(U.build));
    expect(d).toEqual({});
    expect(stepUrl({ stepUuid: U.build, ...d })).toBeNull();
    expect(standin.requests.length).toBe(since);
  });

  it('a repository Bitbucket does not show is a quiet debug line, asked about once, and never throws', async () => {
    const r = resolver();
    const since = standin.requests.length;
    const unknown = { ...ids(U.build), repositoryUuid: U.unknownRepo };
    await expect(r.resolve(unknown)).resolves.toEqual({});
    await expect(r.resolve(unknown)).resolves.toEqual({});
    expect(newRequests(since)).toEqual([`repositories/${workspaceUuid}/${U.unknownRepo}`]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^debug: step details: .*HTTP 404/);
  });

  it('a passing failure (HTTP 500 on the pipeline) keeps what was found and is tried again only after the pause', async () => {
    const r = resolver(200);
    standin.fault({ pathIncludes: `pipelines/${U.pipeline}`, status: 500, times: 2 });
    const first = await r.resolve(ids(U.build));
    // The step lookup shares the fault's path, so only the repository came through.
    expect(first).toEqual({ workspace: 'acme', repoSlug: 'web-app' });
    const since = standin.requests.length;
    await r.resolve(ids(U.build));
    expect(standin.requests.length).toBe(since);
    await new Promise((res) => setTimeout(res, 250));
    expect(await r.resolve(ids(U.build))).toEqual({ workspace: 'acme', repoSlug: 'web-app', buildNumber: 42, stepName: 'Build and test' });
    expect(lines.length).toBeGreaterThanOrEqual(1);
  });

  it('the token appears in no log line, even when Bitbucket refuses it', async () => {
    const r = resolver();
    standin.fault({ status: 401, times: 1 });
    await r.resolve(ids(U.build));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) {
      expect(l).not.toContain(TOKEN);
      expect(l).not.toContain(Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64'));
    }
  });

  it('step views fill in once Bitbucket answered, and the API is told exactly once', async () => {
    const resolved: string[] = [];
    const source = new StepDetailsSource({ resolver: resolver(), onResolved: (_runner, stepUuid) => resolved.push(stepUuid) });
    const step: Step = {
      stepUuid: U.deploy,
      pipelineUuid: U.pipeline,
      repositoryUuid: repoUuid,
      accountUuid: workspaceUuid,
      state: 'RUNNING',
      startedAt: '2024-05-03T08:11:00.000Z',
    };
    const runner = '{0f0e0d0c-0b0a-4900-8800-00000000aaaa}';
    const before = source.view(runner, step);
    expect(before).not.toHaveProperty('stepName');
    expect(stepUrl(before)).toBeNull();
    await expect.poll(() => resolved).toEqual([U.deploy]);
    const after = source.view(runner, step);
    expect(after).toMatchObject({ workspace: 'acme', repoSlug: 'web-app', buildNumber: 42, stepName: 'Deploy to staging', state: 'RUNNING' });
    expect(stepUrl(after)).toContain('/acme/web-app/pipelines/results/42/steps/');
    await new Promise((res) => setTimeout(res, 50));
    expect(resolved).toEqual([U.deploy]);
  });

  it('step views without a connection stay as the log says, and nobody is told anything', async () => {
    await disconnectBitbucket({ vault, store: settings.bitbucket() });
    const resolved: string[] = [];
    const source = new StepDetailsSource({ resolver: resolver(), onResolved: (_r, s) => resolved.push(s) });
    const step: Step = {
      stepUuid: U.build,
      pipelineUuid: U.pipeline,
      repositoryUuid: repoUuid,
      state: 'PASSED',
      startedAt: '2024-05-03T08:11:00.000Z',
      finishedAt: '2024-05-03T08:12:00.000Z',
    };
    const view = source.view('{0f0e0d0c-0b0a-4900-8800-00000000aaab}', step);
    await new Promise((res) => setTimeout(res, 100));
    expect(view).toEqual({
      runnerUuid: '{0f0e0d0c-0b0a-4900-8800-00000000aaab}',
      stepUuid: U.build,
      pipelineUuid: U.pipeline,
      repositoryUuid: repoUuid,
      state: 'PASSED',
      startedAt: '2024-05-03T08:11:00.000Z',
      finishedAt: '2024-05-03T08:12:00.000Z',
    });
    expect(resolved).toEqual([]);
  });
});
