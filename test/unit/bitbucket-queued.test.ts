import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketClient, BitbucketError } from '../../src/main/bitbucket/client.js';
import { fetchQueuedSteps, fetchRunners, recentRepositories } from '../../src/main/bitbucket/queued.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

// Made up for these tests.
const TOKEN = 'made-up-workspace-access-token-5b1f0c9e';
const U = {
  waitingStep: '{0b6a1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d}',
  secondStep: '{1c7b2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e}',
  runningStep: '{2d8c3e4f-5a6b-4c7d-8e8f-9a0b1c2d3e4f}',
  pendingPipelineStep: '{3e9d4f5a-6b7c-4d8e-9f9a-0b1c2d3e4f5a}',
  manualStep: '{4fae5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b}',
  runner1: '{5abf6b7c-8d9e-4fa0-9b1c-2d3e4f5a6b7c}',
  runner2: '{6bc07c8d-9eaf-40b1-8c2d-3e4f5a6b7c8d}',
};

let standin: BitbucketStandin;
let client: BitbucketClient;
let inProgressUuid: string;
let pendingUuid: string;

beforeAll(async () => {
  standin = await BitbucketStandin.start({ kind: 'bearer', token: TOKEN });
  client = new BitbucketClient({ auth: { kind: 'bearer', token: new Secret(TOKEN) }, baseUrl: standin.baseUrl, timeoutMs: 3_000 });
  standin.addRepository('acme', 'web', '2024-05-03T09:00:00.000000+00:00');
  standin.addRepository('acme', 'api', '2024-05-01T09:00:00.000000+00:00');
  standin.addRepository('acme', 'docs', '2024-05-02T09:00:00.000000+00:00');
  standin.addRepository('acme', 'old', '2023-01-02T09:00:00.000000+00:00');

  standin.addPipeline('acme', 'web', {
    buildNumber: 40,
    state: 'COMPLETED',
    result: 'SUCCESSFUL',
    createdOn: '2024-05-03T08:00:00.000Z',
    steps: [{ name: 'Build', state: 'COMPLETED' }],
  });
  inProgressUuid = standin.addPipeline('acme', 'web', {
    buildNumber: 41,
    state: 'IN_PROGRESS',
    createdOn: '2024-05-03T08:10:00.000Z',
    steps: [
      { name: 'Lint', state: 'COMPLETED', result: 'SUCCESSFUL' },
      { uuid: U.runningStep, name: 'Unit tests', state: 'IN_PROGRESS' },
      { uuid: U.waitingStep, name: 'Integration tests', state: 'PENDING', runsOn: ['self.hosted', 'linux'] },
      { uuid: U.secondStep, name: 'Package', state: 'PENDING' },
    ],
  });
  pendingUuid = standin.addPipeline('acme', 'api', {
    buildNumber: 7,
    state: 'PENDING',
    createdOn: '2024-05-03T08:05:00.000Z',
    steps: [{ uuid: U.pendingPipelineStep, name: 'Build and test', state: 'PENDING', runsOn: ['self.hosted', 'linux', 'docker'] }],
  });
  // Waits for a person to press "Run", not for a runner.
  standin.addPipeline('acme', 'api', {
    buildNumber: 6,
    state: 'IN_PROGRESS',
    stage: 'PAUSED',
    createdOn: '2024-05-02T08:00:00.000Z',
    steps: [
      { name: 'Build', state: 'COMPLETED' },
      { uuid: U.manualStep, name: 'Deploy to production', state: 'PENDING', manual: true },
    ],
  });

  standin.setRunners('acme', [
    {
      uuid: U.runner1,
      name: 'laptop-runner',
      labels: ['self.hosted', 'linux'],
      status: 'ONLINE',
      step: { uuid: U.runningStep, pipelineUuid: '{7cd18d9e-afb0-41c2-9d3e-4f5a6b7c8d9e}' },
    },
    { uuid: U.runner2, name: 'spare', labels: ['self.hosted', 'linux', 'docker'], status: 'OFFLINE' },
  ]);
  standin.setRunners('acme', [{ name: 'web-only', labels: ['self.hosted', 'linux'], status: 'UNREGISTERED' }], 'web');
});
afterAll(async () => standin.close());
afterEach(() => standin.clearFaults());

describe('queued steps against the Bitbucket stand-in', () => {
  it('lists PENDING steps of pending and in-progress pipelines, oldest first, with link and runs-on labels', async () => {
    const before = standin.requests.length;
    const { steps, problems, truncated } = await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['web', 'api'] });
    expect(problems).toEqual([]);
    expect(truncated).toBe(false);
    expect(steps.map((s) => [s.repository, s.buildNumber, s.stepName])).toEqual([
      ['acme/api', 7, 'Build and test'],
      ['acme/web', 41, 'Integration tests'],
      ['acme/web', 41, 'Package'],
    ]);
    const first = steps[0]!;
    expect(first).toMatchObject({
      workspace: 'acme',
      repoSlug: 'api',
      pipelineUuid: pendingUuid,
      stepUuid: U.pendingPipelineStep,
      state: 'queued',
      createdOn: '2024-05-03T08:05:00.000Z',
      queuedAt: '2024-05-03T08:05:00.000Z',
      runsOn: ['self.hosted', 'linux', 'docker'],
      manual: false,
    });
    expect(first.url).toBe('https://bitbucket.org/acme/api/pipelines/results/7/steps/%7B3e9d4f5a-6b7c-4d8e-9f9a-0b1c2d3e4f5a%7D');
    expect(steps.some((s) => s.stepUuid === U.manualStep)).toBe(false);

    const sent = standin.requests.slice(before);
    const pipelineLists = sent.filter((r) => r.segments.at(-1) === 'pipelines');
    expect(pipelineLists.every((r) => r.query.get('sort') === '-created_on')).toBe(true);
    // Steps are fetched only for the pipelines that can still have queued steps, braces encoded.
    const stepLists = sent.filter((r) => r.segments.at(-1) === 'steps');
    expect(stepLists.map((r) => r.segments[4]).sort()).toEqual([inProgressUuid, pendingUuid].sort());
    expect(stepLists.every((r) => r.rawPath.includes('%7B') && !r.rawPath.includes('{'))).toBe(true);
  });

  it('accepts workspace/repo full names', async () => {
    const { steps } = await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['acme/api'] });
    expect(steps.map((s) => s.stepUuid)).toEqual([U.pendingPipelineStep]);
  });

  it('a missing repository is reported by name while the others still show', async () => {
    const { steps, problems } = await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['renamed-repo', 'api'] });
    expect(steps).toHaveLength(1);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ repository: 'acme/renamed-repo', code: 'BITBUCKET_NOT_FOUND' });
    expect(problems[0]!.message).toContain('repository "acme/renamed-repo"');
  });

  it('a rate limit stops the whole round instead of spending more requests', async () => {
    standin.fault({ status: 429, retryAfter: '60', pathIncludes: 'pipelines' });
    const before = standin.requests.length;
    const err = await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['web', 'api', 'docs'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BitbucketError);
    expect((err as BitbucketError).code).toBe('BITBUCKET_RATE_LIMITED');
    expect(standin.requests.length - before).toBe(1);
  });

  it('looks only at a bounded number of the newest pipelines per repository', async () => {
    standin.addRepository('acme', 'busy', '2022-01-01T00:00:00.000000+00:00');
    standin.addPipeline('acme', 'busy', {
      buildNumber: 1,
      state: 'PENDING',
      createdOn: '2024-01-01T00:00:00.000Z',
      steps: [{ name: 'Very old pending', state: 'PENDING' }],
    });
    for (let i = 2; i <= 30; i++) {
      standin.addPipeline('acme', 'busy', {
        buildNumber: i,
        state: 'COMPLETED',
        createdOn: `2024-02-${String(i).padStart(2, '0')}T00:00:00.000Z`,
        steps: [],
      });
    }
    const before = standin.requests.length;
    const bounded = await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['busy'], pipelinesPerRepository: 20 });
    expect(bounded.steps).toEqual([]);
    expect(bounded.truncated).toBe(true);
    expect(standin.requests.length - before).toBe(1);
    const all = await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['busy'], pipelinesPerRepository: 40 });
    expect(all.steps.map((s) => s.buildNumber)).toEqual([1]);
  });
});

describe('runners and repositories against the Bitbucket stand-in', () => {
  it('shows workspace runners as Bitbucket sees them: status, labels, busy with a step', async () => {
    const runners = await fetchRunners(client, { workspace: 'acme' });
    expect(runners).toEqual([
      expect.objectContaining({ uuid: U.runner1, name: 'laptop-runner', status: 'ONLINE', busy: true, stepUuid: U.runningStep, scope: 'workspace' }),
      expect.objectContaining({ uuid: U.runner2, name: 'spare', status: 'OFFLINE', busy: false, labels: ['self.hosted', 'linux', 'docker'] }),
    ]);
    expect(runners[1]!.stepUuid).toBeUndefined();
  });

  it('shows a repository’s own runners', async () => {
    const runners = await fetchRunners(client, { workspace: 'acme', repository: 'web' });
    expect(runners).toEqual([expect.objectContaining({ name: 'web-only', status: 'UNREGISTERED', scope: 'repository', repository: 'acme/web' })]);
    const last = standin.requests.at(-1)!;
    expect(last.segments).toEqual(['repositories', 'acme', 'web', 'pipelines-config', 'runners']);
  });

  it('an unknown workspace is named in the error', async () => {
    const err = (await fetchRunners(client, { workspace: 'nobody-here' }).catch((e: unknown) => e)) as BitbucketError;
    expect(err.code).toBe('BITBUCKET_NOT_FOUND');
    expect(err.message).toContain('workspace "nobody-here"');
  });

  it('picks the most recently updated repositories as the default watch list', async () => {
    expect(await recentRepositories(client, 'acme', 3)).toEqual(['acme/web', 'acme/docs', 'acme/api']);
    const last = standin.requests.at(-1)!;
    expect(last.query.get('sort')).toBe('-updated_on');
    expect(last.query.get('pagelen')).toBe('3');
  });
});
