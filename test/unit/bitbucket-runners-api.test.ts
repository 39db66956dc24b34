/** Creating, reading and deleting runners through the Bitbucket client, against the Bitbucket stand-in. */
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketClient, BitbucketError, type RequestLogEntry } from '../../src/main/bitbucket/client.js';
import { fetchRunners } from '../../src/main/bitbucket/queued.js';
import {
  checkRunnerScopes,
  createRunner,
  deleteRunner,
  getRunner,
  repositoryUuids,
  RUNNER_LIMIT_MESSAGE,
  workspaceUuid,
} from '../../src/main/bitbucket/runners-api.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpRunnersApiToken_Lk9Jh7Gf5Ds3Aq1Wz8Xc6Vb4Nm2';

let bb: BitbucketStandin;
let repoUuid: string;
let logs: RequestLogEntry[];

beforeAll(async () => {
  bb = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  repoUuid = bb.addRepository('acme', 'web-app');
});
afterAll(async () => bb.close());
afterEach(() => {
  bb.clearFaults();
  bb.setScopes(null);
  bb.setRunnerLimit(100);
});

function client(): BitbucketClient {
  logs = [];
  return new BitbucketClient({
    auth: { kind: 'basic', email: EMAIL, token: new Secret(TOKEN) },
    baseUrl: bb.baseUrl,
    timeoutMs: 3_000,
    log: (e) => logs.push(e),
  });
}

async function failure(p: Promise<unknown>): Promise<BitbucketError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BitbucketError);
    return e as BitbucketError;
  }
  throw new Error('expected the call to fail');
}

describe('runner calls of the Bitbucket client', () => {
  it('creates a workspace runner, keeps its secret a Secret, reads it back and deletes it', async () => {
    const c = client();
    const created = await createRunner(c, { workspace: 'acme' }, { name: 'ci-1', labels: ['docker.large'] });
    const stored = bb.runnersOf('acme').find((r) => r.uuid === created.runner.uuid)!;
    expect(created.secret.reveal()).toBe(stored.oauthClientSecret);
    expect(created.oauthClientId).toBe(stored.oauthClientId);
    expect(created.runner).toMatchObject({ name: 'ci-1', status: 'UNREGISTERED', busy: false, labels: ['self.hosted', 'linux', 'docker.large'] });
    // The secret cannot leak by printing the result.
    expect(JSON.stringify(created)).not.toContain(stored.oauthClientSecret);
    expect(inspect(created, { depth: 5 })).not.toContain(stored.oauthClientSecret);
    expect(JSON.stringify(logs)).not.toContain(stored.oauthClientSecret);
    expect(logs.map((l) => `${l.method} ${l.status}`)).toEqual(['POST 200']);

    bb.setRunnerState(created.runner.uuid, { status: 'ONLINE', step: { uuid: '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}' } });
    expect(await getRunner(c, { workspace: 'acme' }, created.runner.uuid)).toMatchObject({
      status: 'ONLINE',
      busy: true,
      stepUuid: '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}',
    });
    expect((await fetchRunners(c, { workspace: 'acme' })).map((r) => r.uuid)).toContain(created.runner.uuid);

    expect(await deleteRunner(c, { workspace: 'acme' }, created.runner.uuid)).toBe('deleted');
    expect(bb.runnersOf('acme')).toHaveLength(0);
    expect(await deleteRunner(c, { workspace: 'acme' }, created.runner.uuid)).toBe('already-gone');
    expect(await getRunner(c, { workspace: 'acme' }, created.runner.uuid)).toBeNull();
  });

  it('creates a repository runner addressed by UUIDs, and looks up workspace and repository UUIDs', async () => {
    const c = client();
    const wsUuid = await workspaceUuid(c, 'acme');
    expect(wsUuid).toBe(bb.workspaceUuid('acme'));
    expect(await repositoryUuids(c, 'acme', 'web-app')).toEqual({ uuid: repoUuid, workspaceUuid: wsUuid });
    const owner = { workspace: wsUuid, repository: repoUuid };
    const created = await createRunner(c, owner, { name: 'repo-ci' });
    expect(bb.runnersOf('acme', 'web-app').map((r) => r.uuid)).toEqual([created.runner.uuid]);
    expect(created.runner.scope).toBe('repository');
    expect(await deleteRunner(c, owner, created.runner.uuid)).toBe('deleted');
    const missing = await failure(repositoryUuids(c, 'acme', 'no-such-repo'));
    expect(missing.code).toBe('BITBUCKET_NOT_FOUND');
  });

  it('says "runner limit exceeded" in plain words on a 400, and creates nothing', async () => {
    bb.setRunnerLimit(0);
    const e = await failure(createRunner(client(), { workspace: 'acme' }, { name: 'one-too-many' }));
    expect(e.code).toBe('BITBUCKET_RUNNER_LIMIT');
    expect(e.message).toContain(RUNNER_LIMIT_MESSAGE);
    expect(e.message).toContain('runner limit exceeded — Bitbucket allows 100 runners per workspace or repository');
    expect(e.message).toContain('invalid properties or runner limit exceeded');
    expect(bb.runnersOf('acme')).toHaveLength(0);
  });

  it('refuses bad names and labels before asking Bitbucket', async () => {
    const before = bb.requests.length;
    expect((await failure(createRunner(client(), { workspace: 'acme' }, { name: '  ' }))).message).toContain('--name');
    const labels = await failure(createRunner(client(), { workspace: 'acme' }, { name: 'x', labels: ['Docker_Large'] }));
    expect(labels.code).toBe('BITBUCKET_CONFIG');
    expect(labels.message).toContain('"Docker_Large"');
    const many = await failure(createRunner(client(), { workspace: 'acme' }, { name: 'x', labels: Array.from({ length: 11 }, (_, i) => `l${i}`) }));
    expect(many.message).toContain('at most 10 labels');
    expect(bb.requests.length).toBe(before);
  });

  it('names the missing runner scope on a 403, and never shows the token', async () => {
    bb.setScopes(['read:repository:bitbucket', 'read:runner:bitbucket']);
    const e = await failure(createRunner(client(), { workspace: 'acme' }, { name: 'ci' }));
    expect(e.code).toBe('BITBUCKET_FORBIDDEN');
    expect(e.message).toContain('lacks the scope write:runner:bitbucket');
    expect(e.message).not.toContain('lacks the scope read:runner:bitbucket');
    bb.setScopes(['write:runner:bitbucket']);
    const read = await failure(getRunner(client(), { workspace: 'acme' }, '{00000000-0000-0000-0000-000000000001}'));
    expect(read.message).toContain('lacks the scope read:runner:bitbucket');
    for (const m of [e.message, read.message, JSON.stringify(logs)]) {
      expect(m).not.toContain(TOKEN);
      expect(m).not.toContain(Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64'));
    }
  });

  it('deletes a runner again whose create answer lacks its OAuth secret', async () => {
    const c = client();
    const made = await createRunner(c, { workspace: 'acme' }, { name: 'half' });
    // An answer for that runner without oauth_client: unusable, so it must not stay in Bitbucket.
    bb.fault({
      method: 'POST',
      pathIncludes: 'pipelines-config/runners',
      status: 200,
      body: JSON.stringify({ type: 'pipeline_runner', uuid: made.runner.uuid, name: 'half' }),
    });
    const e = await failure(createRunner(c, { workspace: 'acme' }, { name: 'half' }));
    expect(e.code).toBe('BITBUCKET_BAD_RESPONSE');
    expect(e.message).toContain(`The runner it made (${made.runner.uuid}) was deleted again.`);
    expect(bb.runnersOf('acme')).toHaveLength(0);
  });

  it('does not claim to retry a create that hit the rate limit', async () => {
    bb.fault({ pathIncludes: 'pipelines-config/runners', method: 'POST', status: 429, retryAfter: '12' });
    const e = await failure(createRunner(client(), { workspace: 'acme' }, { name: 'ci' }));
    expect(e.code).toBe('BITBUCKET_RATE_LIMITED');
    expect(e.message).toContain('no runner was created');
    expect(e.message).toContain('Try again in 12 s');
    expect(e.details.retryAfterMs).toBe(12_000);
  });

  it('tells which runner scopes a token has, and how it knows', async () => {
    const all = await checkRunnerScopes(client(), 'acme');
    expect(all).toMatchObject({ read: 'granted', write: 'granted', missing: [] });
    expect(all.notes.join('\n')).toContain('inferred');
    bb.setScopes(['read:repository:bitbucket', 'read:runner:bitbucket']);
    expect(await checkRunnerScopes(client(), 'acme')).toMatchObject({ read: 'granted', write: 'missing', missing: ['write:runner:bitbucket'] });
    bb.setScopes(['read:repository:bitbucket']);
    expect(await checkRunnerScopes(client(), 'acme')).toMatchObject({
      read: 'missing',
      write: 'missing',
      missing: ['read:runner:bitbucket', 'write:runner:bitbucket'],
    });
    bb.setScopes(null);
    bb.fault({ pathIncludes: 'pipelines-config/runners', status: 503, times: 2 });
    const down = await checkRunnerScopes(client(), 'acme');
    expect(down).toMatchObject({ read: 'unknown', write: 'unknown', missing: [] });
    expect(down.notes.join('\n')).toContain('not known');
    // The probe deleted nothing.
    expect(bb.runnersOf('acme')).toHaveLength(0);
  });
});
