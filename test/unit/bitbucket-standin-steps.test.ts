/**
 * The stand-in's step moves (what the pool world does when a runner takes and ends a step), read
 * back through the app's own Bitbucket client: the step leaves the queue once IN_PROGRESS, the
 * pipeline follows its steps, and a dropped connection fails the client's request.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BitbucketClient } from '../../src/main/bitbucket/client.js';
import { fetchQueuedSteps } from '../../src/main/bitbucket/queued.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

// Made up for these tests.
const TOKEN = 'made-up-workspace-access-token-7c2e1d0f';
const BUILD = '{7d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a}';
const TEST = '{8e2f3a4b-5c6d-4e7f-9a8b-0c1d2e3f4a5b}';

let standin: BitbucketStandin;
let client: BitbucketClient;
let pipeline: string;

beforeEach(async () => {
  standin = await BitbucketStandin.start({ kind: 'bearer', token: TOKEN });
  client = new BitbucketClient({ auth: { kind: 'bearer', token: new Secret(TOKEN) }, baseUrl: standin.baseUrl, timeoutMs: 3_000 });
  standin.addRepository('acme', 'web');
  pipeline = standin.addPipeline('acme', 'web', {
    buildNumber: 7,
    state: 'PENDING',
    createdOn: '2026-12-01T10:00:00.000000+00:00',
    steps: [
      { uuid: BUILD, name: 'Build', state: 'PENDING', runsOn: ['self.hosted', 'linux'] },
      { uuid: TEST, name: 'Test', state: 'PENDING' },
    ],
  });
});

afterEach(async () => {
  await standin.close();
});

const queued = async () => (await fetchQueuedSteps(client, { workspace: 'acme', repositories: ['web'] })).steps.map((s) => s.stepUuid);
const pipelineJson = async () =>
  (await (
    await fetch(`${standin.baseUrl}/repositories/acme/web/pipelines/${encodeURIComponent(pipeline)}`, { headers: { Authorization: `Bearer ${TOKEN}` } })
  ).json()) as {
    state: { name: string; result?: { name: string } };
  };

describe('the Bitbucket stand-in moving steps', () => {
  it('lists waiting steps with their runs-on, takes a started step out of the queue, and completes the pipeline with the worst result', async () => {
    expect(standin.waitingSteps().map((s) => [s.stepUuid, s.runsOn, s.buildNumber])).toEqual([
      [BUILD, ['self.hosted', 'linux'], 7],
      [TEST, null, 7],
    ]);
    standin.setStepState('acme', 'web', pipeline, BUILD, { state: 'IN_PROGRESS' });
    expect(await queued()).toEqual([TEST]);
    expect((await pipelineJson()).state.name).toBe('IN_PROGRESS');
    standin.setStepState('acme', 'web', pipeline, BUILD, { state: 'COMPLETED', result: 'FAILED' });
    expect(standin.stepStatus('acme', 'web', pipeline, BUILD)).toEqual({ state: 'COMPLETED', result: 'FAILED' });
    expect((await pipelineJson()).state.name).toBe('IN_PROGRESS');
    standin.setStepState('acme', 'web', pipeline, TEST, { state: 'COMPLETED', result: 'SUCCESSFUL' });
    expect((await pipelineJson()).state).toMatchObject({ name: 'COMPLETED', result: { name: 'FAILED' } });
    expect(await queued()).toEqual([]);
    expect(() => standin.setStepState('acme', 'web', pipeline, '{00000000-0000-4000-8000-000000000000}', { state: 'IN_PROGRESS' })).toThrow(/has no step/);
  });

  it('drops connections while a drop fault lasts, and answers again once it is taken back', async () => {
    const undo = standin.fault({ drop: true, times: Infinity });
    await expect(queued()).rejects.toThrow();
    await expect(queued()).rejects.toThrow();
    undo();
    expect(await queued()).toEqual([BUILD, TEST]);
  });
});
