/**
 * Bitbucket wiring for the runners we run, against the local Bitbucket stand-in (shaped like
 * Bitbucket Cloud's documented API): a repository runner's own repository is always watched (by
 * `{UUID}`), `bitbucket connect/watch --repos`, and Bitbucket's view of our runners.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';
import { BitbucketClient } from '../../src/main/bitbucket/client.js';
import type { BitbucketConnection } from '../../src/main/bitbucket/connection.js';
import { fetchOurRunners, watchedRepositories } from '../../src/main/bitbucket/our-runners.js';
import { fetchQueuedSteps } from '../../src/main/bitbucket/queued.js';
import type { RunnerRecord } from '../../src/main/settings/types.js';
import { RUNNER_IMAGE } from '../../src/shared/runner-command/types.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';
import { CliCapture } from '../support/cli-capture.js';

// Made up for these tests.
const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpOurRunnersToken_Hj4Kl6Zx8Cv0Bn2Mq4We6Rt8Yu0Io2Pa4Sd6Fg8';
const REPO_RUNNER = '{7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f}';
const WS_RUNNER = '{8d2e3f4a-5b6c-4d7e-9f8a-0b1c2d3e4f5a}';
const STRANGER = '{9e3f4a5b-6c7d-4e8f-8a9b-1c2d3e4f5a6b}';
const PENDING_STEP = '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}';

let dir: string;
let server: BitbucketStandin;
let client: BitbucketClient;
let privateRepoUuid: string;
let cap: CliCapture;

function record(runnerUuid: string, repositoryUuid: string | null): RunnerRecord {
  return {
    displayName: runnerUuid,
    addedAt: '2026-01-01T00:00:00.000Z',
    spec: {
      kind: repositoryUuid ? 'repository' : 'workspace',
      accountUuid: '{5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}',
      repositoryUuid,
      runnerUuid,
      name: `runner-${runnerUuid.replace(/[{}]/g, '')}`,
      image: RUNNER_IMAGE,
      oauthClientId: 'Pm3Kq7Ws9Xe2Rd5Tf8Yg1Uh4Ij6Ok0Lp',
      workingDirectory: '/tmp',
      env: {},
      binds: ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock'],
      args: [],
    },
  };
}

function io(stdin = ''): CliIo {
  return cap.io({ ...process.env, RUNNER_TRAY_HOME: dir, RUNNER_TRAY_VAULT: 'file', RUNNER_TRAY_BITBUCKET_API: server.baseUrl }, stdin);
}

const settings = () => JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')) as { bitbucket?: BitbucketConnection };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-bbours-'));
  server = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  client = new BitbucketClient({ auth: { kind: 'basic', email: EMAIL, token: new Secret(TOKEN) }, baseUrl: server.baseUrl, timeoutMs: 3_000 });
  server.addRepository('acme', 'web-app', '2024-05-03T00:00:00.000000+00:00');
  server.addRepository('acme', 'api', '2024-05-02T00:00:00.000000+00:00');
  // Not recently updated, so not among the default picks: only its runner makes it watched.
  privateRepoUuid = server.addRepository('acme', 'deploy-tools', '2020-01-01T00:00:00.000000+00:00');
  server.addPipeline('acme', 'deploy-tools', {
    buildNumber: 3,
    state: 'PENDING',
    createdOn: '2026-11-29T10:00:00.000000+00:00',
    steps: [{ uuid: PENDING_STEP, name: 'Deploy', state: 'PENDING', runsOn: ['self.hosted', 'linux'] }],
  });
  cap = new CliCapture();
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("a repository runner's own repository", () => {
  it('is always watched, by {UUID}, besides the picks, and its steps are named by the repository', async () => {
    const connection: BitbucketConnection = { workspace: 'acme', email: EMAIL, authKind: 'basic', watchedRepositories: ['acme/web-app'] };
    const records = [record(REPO_RUNNER, privateRepoUuid), record(WS_RUNNER, null)];
    const watched = watchedRepositories(connection, records);
    expect(watched).toEqual([`acme/${privateRepoUuid}`, 'acme/web-app']);
    expect(watchedRepositories({ ...connection, watchedRepositories: [] }, [record(WS_RUNNER, null)])).toEqual([]);

    const q = await fetchQueuedSteps(client, { workspace: 'acme', repositories: watched });
    expect(q.problems).toEqual([]);
    expect(q.steps).toEqual([expect.objectContaining({ stepUuid: PENDING_STEP, repository: 'acme/deploy-tools', repoSlug: 'deploy-tools', buildNumber: 3 })]);
    // Braces kept and URL-encoded in the path, as Bitbucket documents for UUIDs.
    expect(server.requests.some((r) => r.rawPath === `/2.0/repositories/acme/${encodeURIComponent(privateRepoUuid)}/pipelines`)).toBe(true);
  });

  it('lists a step once when the repository is also among the picks', async () => {
    const connection: BitbucketConnection = { workspace: 'acme', authKind: 'bearer', watchedRepositories: ['acme/deploy-tools'] };
    const q = await fetchQueuedSteps(client, { workspace: 'acme', repositories: watchedRepositories(connection, [record(REPO_RUNNER, privateRepoUuid)]) });
    expect(q.steps.map((s) => s.stepUuid)).toEqual([PENDING_STEP]);
  });
});

describe("Bitbucket's view of our runners", () => {
  it('finds workspace and repository runners by UUID, with status, busy and labels; says which it does not list', async () => {
    server.setRunners('acme', [
      {
        uuid: WS_RUNNER,
        name: 'build-box',
        labels: ['self.hosted', 'linux', 'linux.arm64'],
        status: 'ONLINE',
        step: { uuid: PENDING_STEP, pipelineUuid: '{b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e}' },
      },
      { uuid: STRANGER, name: 'someone-elses', labels: ['self.hosted'], status: 'OFFLINE' },
    ]);
    server.setRunners('acme', [{ uuid: REPO_RUNNER, name: 'deploy-runner', labels: ['self.hosted', 'linux'], status: 'OFFLINE' }], 'deploy-tools');
    const connection: BitbucketConnection = { workspace: 'acme', authKind: 'bearer', watchedRepositories: [] };
    const missing = '{c3d4e5f6-a7b8-4c9d-8e0f-2a3b4c5d6e7f}';
    const ours = await fetchOurRunners(client, connection, [record(WS_RUNNER, null), record(REPO_RUNNER, privateRepoUuid), record(missing, null)]);
    expect(ours.runners).toEqual([
      expect.objectContaining({
        uuid: WS_RUNNER,
        status: 'ONLINE',
        busy: true,
        stepUuid: PENDING_STEP,
        labels: ['self.hosted', 'linux', 'linux.arm64'],
        scope: 'workspace',
      }),
      expect.objectContaining({ uuid: REPO_RUNNER, status: 'OFFLINE', busy: false, scope: 'repository' }),
    ]);
    expect(ours.missing).toEqual([missing]);
    expect(ours.problems).toEqual([]);
  });

  it('reports a repository it cannot read as a problem, keeping the others', async () => {
    server.setRunners('acme', [{ uuid: WS_RUNNER, name: 'build-box', labels: ['self.hosted'], status: 'ONLINE' }]);
    const gone = '{d4e5f6a7-b8c9-4d0e-9f1a-3b4c5d6e7f8a}';
    const ours = await fetchOurRunners(client, { workspace: 'acme', authKind: 'bearer', watchedRepositories: [] }, [
      record(WS_RUNNER, null),
      record(REPO_RUNNER, gone),
    ]);
    expect(ours.runners.map((r) => r.uuid)).toEqual([WS_RUNNER]);
    expect(ours.problems).toEqual([expect.objectContaining({ repository: `acme/${gone}`, code: 'BITBUCKET_NOT_FOUND' })]);
  });
});

describe('bitbucket connect --repos / bitbucket watch --repos', () => {
  it('connect takes the picks (slugs or ws/slug); without --repos the most recently updated few', async () => {
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL, '--repos', 'api, acme/deploy-tools'], io(`${TOKEN}\n`))).toBe(0);
    expect(settings().bitbucket?.watchedRepositories).toEqual(['acme/api', 'acme/deploy-tools']);
    expect(cap.out).toContain('Watching: acme/api, acme/deploy-tools');

    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
    expect(settings().bitbucket?.watchedRepositories).toEqual(['acme/web-app', 'acme/api', 'acme/deploy-tools']);
    expect(cap.out + cap.err + readFileSync(join(dir, 'settings.json'), 'utf8')).not.toContain(TOKEN);
  });

  it('watch changes the picks of the stored connection without the token; bad input is named', async () => {
    expect(await main(['bitbucket', 'watch', '--repos', 'acme/web-app'], io())).toBe(1);
    expect(cap.err).toContain('Bitbucket is not connected: run "runner-tray bitbucket connect --workspace W --repos ws/a,ws/b" first.');
    cap.err = '';
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
    const asked = server.requests.length;
    expect(await main(['bitbucket', 'watch', '--repos', 'acme/web-app', '--json'], io())).toBe(0);
    expect(settings().bitbucket?.watchedRepositories).toEqual(['acme/web-app']);
    expect(server.requests.length).toBe(asked);
    expect(await main(['bitbucket', 'watch', '--repos', 'acme/web app'], io())).not.toBe(0);
    expect(cap.err).toContain('"acme/web app" is not a repository');
    expect(await main(['bitbucket', 'watch'], io())).toBe(2);
    expect(cap.err).toContain('bitbucket watch needs --repos ws/a,ws/b');
  });
});
