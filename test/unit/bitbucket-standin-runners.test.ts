/**
 * The Bitbucket stand-in's runner endpoints, asked over raw HTTP so the shapes are checked as
 * Bitbucket documents them (../shared/BITBUCKET-RUNNERS-API.md), not as our client reads them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpStandinRunnersToken_Qw7Er5Ty3Ui1Op9As7Df5Gh3';
const AUTH = `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`;

let bb: BitbucketStandin;

beforeAll(async () => {
  bb = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  bb.addRepository('acme', 'web-app');
});
afterAll(async () => bb.close());
afterEach(() => {
  bb.clearFaults();
  bb.setScopes(null);
  bb.setRunnerLimit(100);
});

async function call(method: string, path: string, body?: unknown, auth = AUTH): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(bb.baseUrl + path, {
    method,
    headers: { Authorization: auth, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null, headers: res.headers };
}

const WS_RUNNERS = '/workspaces/acme/pipelines-config/runners';
const REPO_RUNNERS = '/repositories/acme/web-app/pipelines-config/runners';

describe('runner endpoints of the Bitbucket stand-in', () => {
  it('creates a workspace runner with its OAuth secret in the create answer only', async () => {
    const created = await call('POST', WS_RUNNERS, { name: 'ci-1', labels: ['docker.large'] });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({
      type: 'pipeline_runner',
      uuid: expect.stringMatching(/^\{[0-9a-f-]{36}\}$/),
      name: 'ci-1',
      labels: ['self.hosted', 'linux', 'docker.large'],
      state: { status: 'UNREGISTERED', cordoned: false, version: { version: expect.any(String) } },
      oauth_client: {
        id: expect.stringMatching(/^[A-Za-z0-9]{32}$/),
        secret: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/),
        token_endpoint: expect.any(String),
        audience: expect.any(String),
      },
    });
    expect(created.json.state.step).toBeUndefined();
    const secret = created.json.oauth_client.secret as string;
    const uuid = created.json.uuid as string;

    const got = await call('GET', `${WS_RUNNERS}/${encodeURIComponent(uuid)}`);
    expect(got.status).toBe(200);
    expect(got.json.oauth_client.id).toBe(created.json.oauth_client.id);
    expect(JSON.stringify(got.json)).not.toContain(secret);
    const listed = await call('GET', WS_RUNNERS);
    expect(listed.json.values.map((r: { uuid: string }) => r.uuid)).toContain(uuid);
    expect(JSON.stringify(listed.json)).not.toContain(secret);
    expect(bb.runnersOf('acme').find((r) => r.uuid === uuid)?.oauthClientSecret).toBe(secret);
    expect((await call('DELETE', `${WS_RUNNERS}/${encodeURIComponent(uuid)}`)).status).toBe(204);
  });

  it('shows state.status and state.step as the runner goes online and takes a step', async () => {
    const { json } = await call('POST', REPO_RUNNERS, { name: 'repo-1', labels: [] });
    const path = `${REPO_RUNNERS}/${encodeURIComponent(json.uuid)}`;
    bb.setRunnerState(json.uuid, { status: 'ONLINE', step: { uuid: '{11111111-2222-4333-8444-555555555555}' } });
    const busy = (await call('GET', path)).json;
    expect(busy.state).toMatchObject({ status: 'ONLINE', step: { type: 'PIPELINE_STEP', uuid: '{11111111-2222-4333-8444-555555555555}' } });
    bb.setRunnerState(json.uuid, { step: null });
    expect((await call('GET', path)).json.state.step).toBeUndefined();
    // Repository runners are apart from the workspace's.
    expect((await call('GET', WS_RUNNERS)).json.values.map((r: { uuid: string }) => r.uuid)).not.toContain(json.uuid);
    // The repository may be addressed by its {UUID}, the workspace too.
    const repoUuid = (await call('GET', '/repositories/acme/web-app')).json.uuid as string;
    const byUuid = `/repositories/${encodeURIComponent(bb.workspaceUuid('acme'))}/${encodeURIComponent(repoUuid)}/pipelines-config/runners/${encodeURIComponent(json.uuid)}`;
    expect((await call('GET', byUuid)).status).toBe(200);
    expect((await call('DELETE', path)).status).toBe(204);
  });

  it('pages the list, and answers 404 for an unknown runner and a second delete', async () => {
    const made = [];
    for (const name of ['p-1', 'p-2', 'p-3']) made.push((await call('POST', WS_RUNNERS, { name })).json.uuid as string);
    const first = await call('GET', `${WS_RUNNERS}?pagelen=2`);
    expect(first.json).toMatchObject({ page: 1, pagelen: 2, size: 3 });
    expect(first.json.values).toHaveLength(2);
    expect(first.json.next).toMatch(/page=2/);
    const second = await call('GET', new URL(first.json.next as string).pathname.replace('/2.0', '') + new URL(first.json.next as string).search);
    expect(second.json.values).toHaveLength(1);
    expect(second.json.previous).toBeTruthy();
    const one = `${WS_RUNNERS}/${encodeURIComponent(made[0]!)}`;
    expect((await call('DELETE', one)).status).toBe(204);
    const again = await call('DELETE', one);
    expect(again.status).toBe(404);
    expect(again.json).toMatchObject({ type: 'error', error: { message: expect.any(String) } });
    expect((await call('GET', one)).status).toBe(404);
    for (const u of made.slice(1)) await call('DELETE', `${WS_RUNNERS}/${encodeURIComponent(u)}`);
  });

  it('answers 400 past the runner limit and for labels Bitbucket does not take', async () => {
    bb.setRunnerLimit(1);
    const ok = await call('POST', WS_RUNNERS, { name: 'only' });
    expect(ok.status).toBe(200);
    const over = await call('POST', WS_RUNNERS, { name: 'one-too-many' });
    expect(over.status).toBe(400);
    expect(over.json).toEqual({ type: 'error', error: { message: 'invalid properties or runner limit exceeded' } });
    bb.setRunnerLimit(100);
    expect((await call('POST', WS_RUNNERS, { name: 'x', labels: ['Upper'] })).status).toBe(400);
    expect((await call('POST', WS_RUNNERS, { name: '' })).status).toBe(400);
    const dup = await call('POST', WS_RUNNERS, { name: 'dup', uuid: ok.json.uuid });
    expect(dup.status).toBe(409);
    await call('DELETE', `${WS_RUNNERS}/${encodeURIComponent(ok.json.uuid)}`);
  });

  it('checks the token: 401 for a wrong one, 403 naming the scope a runner call lacks', async () => {
    const wrong = `Basic ${Buffer.from(`${EMAIL}:nope`).toString('base64')}`;
    expect((await call('GET', WS_RUNNERS, undefined, wrong)).status).toBe(401);
    bb.setScopes(['read:repository:bitbucket', 'read:runner:bitbucket']);
    expect((await call('GET', WS_RUNNERS)).status).toBe(200);
    const post = await call('POST', WS_RUNNERS, { name: 'nope' });
    expect(post.status).toBe(403);
    expect(post.json.error.detail).toEqual({
      granted: ['read:repository:bitbucket', 'read:runner:bitbucket'],
      required: ['read:runner:bitbucket', 'write:runner:bitbucket'],
    });
    expect((await call('DELETE', `${WS_RUNNERS}/{00000000-0000-0000-0000-000000000000}`)).status).toBe(403);
    expect((await call('GET', '/workspaces/acme')).status).toBe(403);
    bb.setScopes(['write:runner:bitbucket']);
    expect((await call('GET', WS_RUNNERS)).status).toBe(403);
    // With the scope, an unknown runner is a 404: scopes are checked first.
    expect((await call('DELETE', `${WS_RUNNERS}/{00000000-0000-0000-0000-000000000000}`)).status).toBe(404);
    expect(bb.runnersOf('acme')).toHaveLength(0);
  });

  it('answers 429 with Retry-After when a test says so, and serves workspace and repository UUIDs', async () => {
    bb.fault({ pathIncludes: 'pipelines-config/runners', method: 'POST', status: 429, retryAfter: '7' });
    const limited = await call('POST', WS_RUNNERS, { name: 'later' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect((await call('GET', WS_RUNNERS)).status).toBe(200);
    const ws = await call('GET', '/workspaces/acme');
    expect(ws.json).toMatchObject({ type: 'workspace', slug: 'acme', uuid: bb.workspaceUuid('acme') });
    const repo = await call('GET', '/repositories/acme/web-app');
    expect(repo.json).toMatchObject({
      type: 'repository',
      slug: 'web-app',
      uuid: expect.stringMatching(/^\{.+\}$/),
      workspace: { uuid: bb.workspaceUuid('acme') },
    });
  });
});
