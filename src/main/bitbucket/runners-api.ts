/**
 * Bitbucket's runner endpoints (`…/pipelines-config/runners`) for creating, reading and deleting
 * runners, plus the workspace / repository UUID lookups a runner's container needs. Errors name
 * the scope or limit in plain words; the created runner's OAuth secret is a Secret from the moment
 * it is read and appears in no message.
 */
import { Secret } from '../../shared/secret.js';
import type { ApiRepository, ApiRunner, ApiWorkspace } from './api-types.js';
import { apiPath, BitbucketError, type BitbucketClient } from './client.js';
import { runnerView, type BitbucketRunnerView } from './queued.js';

export const RUNNER_READ_SCOPE = 'read:runner:bitbucket';
export const RUNNER_WRITE_SCOPE = 'write:runner:bitbucket';
export const WORKSPACE_READ_SCOPE = 'read:workspace:bitbucket';
export const REPOSITORY_READ_SCOPE = 'read:repository:bitbucket';
/** Runners per workspace or repository (Bitbucket's limit, see the API notes). */
export const RUNNER_LIMIT = 100;
export const RUNNER_LIMIT_MESSAGE = `runner limit exceeded — Bitbucket allows ${RUNNER_LIMIT} runners per workspace or repository`;
/** At most this many labels of one's own; self.hosted and the OS label come on top. */
export const MAX_OWN_LABELS = 10;

const LABEL = /^[a-z0-9.]+$/;
const BUILT_IN_LABELS = new Set(['self.hosted', 'linux', 'linux.arm64']);
/** A UUID no runner has: the DELETE that probes the write scope cannot remove anything. */
const NO_RUNNER = '{00000000-0000-0000-0000-000000000000}';

/** Where a runner lives: a workspace, or one of its repositories (slugs, or `{UUID}`s). */
export interface RunnerOwner {
  workspace: string;
  repository?: string;
}

export interface NewRunner {
  name: string;
  labels?: readonly string[];
}

export interface CreatedRunner {
  runner: BitbucketRunnerView;
  oauthClientId: string;
  /** `oauth_client.secret`: Bitbucket shows it in this answer only. */
  secret: Secret;
}

export function ownerText(owner: RunnerOwner): string {
  return owner.repository ? `repository "${owner.workspace}/${owner.repository}"` : `workspace "${owner.workspace}"`;
}

function runnersPath(owner: RunnerOwner, runnerUuid?: string): string {
  const base = owner.repository
    ? ['repositories', owner.workspace, owner.repository, 'pipelines-config', 'runners']
    : ['workspaces', owner.workspace, 'pipelines-config', 'runners'];
  return apiPath(...base, ...(runnerUuid ? [runnerUuid] : []));
}

/** The name and labels as Bitbucket takes them, or a BITBUCKET_CONFIG error naming what is wrong. */
export function checkNewRunner(input: NewRunner): { name: string; labels: string[] } {
  const name = input.name.trim();
  if (name === '' || /[\u0000-\u001f]/.test(name)) {
    throw new BitbucketError('BITBUCKET_CONFIG', 'The runner needs a name (--name), e.g. --name build-1: the name Bitbucket shows in its runner list.');
  }
  const own = [...new Set((input.labels ?? []).map((l) => l.trim()))].filter((l) => l !== '');
  const bad = own.filter((l) => !LABEL.test(l));
  if (bad.length > 0) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `Runner labels may have only lower-case letters, digits and dots; ${bad.map((l) => `"${l}"`).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not one. Example: --label docker.large`,
    );
  }
  const custom = own.filter((l) => !BUILT_IN_LABELS.has(l));
  if (custom.length > MAX_OWN_LABELS) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `A runner takes at most ${MAX_OWN_LABELS} labels of your own (self.hosted and linux come on top); ${custom.length} were given.`,
    );
  }
  // Every public client sends the built-in labels itself; the OS one only when none was given.
  const os = own.includes('linux.arm64') ? [] : ['linux'];
  return { name, labels: [...new Set(['self.hosted', ...os, ...own])] };
}

/**
 * POST a new runner. A 400 is reported as the runner limit (the name and labels were checked
 * first, so that is what Bitbucket most likely means). An answer without the runner's UUID or
 * OAuth client cannot be used: the runner it made, if any, is deleted again before the error.
 */
export async function createRunner(client: BitbucketClient, owner: RunnerOwner, input: NewRunner, signal?: AbortSignal): Promise<CreatedRunner> {
  const body = checkNewRunner(input);
  const where = ownerText(owner);
  let answer: ApiRunner;
  try {
    answer = await client.post<ApiRunner>(runnersPath(owner), body, {
      what: `creating a runner in ${where}`,
      scopes: [RUNNER_READ_SCOPE, RUNNER_WRITE_SCOPE],
      badRequest: {
        code: 'BITBUCKET_RUNNER_LIMIT',
        message: `Bitbucket refused to create runner "${body.name}" in ${where} (HTTP 400): ${RUNNER_LIMIT_MESSAGE}. Delete runners you no longer use (runner-tray remove <runner> --in-bitbucket, or in Bitbucket's Runners settings) and try again. (Bitbucket gives the same answer for a name or labels it does not accept; they were checked here first.)`,
      },
      ...(signal ? { signal } : {}),
    });
  } catch (e) {
    if (e instanceof BitbucketError && e.code === 'BITBUCKET_RATE_LIMITED') {
      const wait = e.details.retryAfterMs !== undefined ? `in ${Math.ceil(e.details.retryAfterMs / 1000)} s` : 'in a few minutes';
      throw new BitbucketError(
        'BITBUCKET_RATE_LIMITED',
        `Bitbucket's rate limit is exhausted (HTTP 429): no runner was created in ${where}. Try again ${wait}.`,
        e.details,
      );
    }
    throw e;
  }
  const secret = typeof answer.oauth_client?.secret === 'string' ? new Secret(answer.oauth_client.secret) : null;
  const clientId = answer.oauth_client?.id;
  if (typeof answer.uuid !== 'string' || !secret || secret.length === 0 || typeof clientId !== 'string' || clientId === '') {
    let undone = '';
    if (typeof answer.uuid === 'string') {
      undone = await deleteRunner(client, owner, answer.uuid).then(
        (outcome) => (outcome === 'deleted' ? ` The runner it made (${answer.uuid}) was deleted again.` : ''),
        (d: unknown) => ` The runner it made (${answer.uuid}) could not be deleted again (${(d as Error).message}); delete it in Bitbucket's Runners settings.`,
      );
    }
    throw new BitbucketError(
      'BITBUCKET_BAD_RESPONSE',
      `Bitbucket's answer to creating runner "${body.name}" in ${where} lacks the runner's UUID or its OAuth client id and secret, so it cannot be started.${undone}`,
    );
  }
  return { runner: runnerView(answer, owner.repository ? `${owner.workspace}/${owner.repository}` : undefined), oauthClientId: clientId, secret };
}

/** One runner as Bitbucket sees it, or null when Bitbucket has none with this UUID. */
export async function getRunner(client: BitbucketClient, owner: RunnerOwner, runnerUuid: string, signal?: AbortSignal): Promise<BitbucketRunnerView | null> {
  try {
    const r = await client.get<ApiRunner>(
      runnersPath(owner, runnerUuid),
      {},
      {
        what: `runner ${runnerUuid} of ${ownerText(owner)}`,
        scopes: [RUNNER_READ_SCOPE],
        ...(signal ? { signal } : {}),
      },
    );
    return runnerView(r, owner.repository ? `${owner.workspace}/${owner.repository}` : undefined);
  } catch (e) {
    if (e instanceof BitbucketError && e.code === 'BITBUCKET_NOT_FOUND') return null;
    throw e;
  }
}

/**
 * Ask Bitbucket to give the runner no more steps: a PUT of its own name and labels with
 * `state.status: DISABLED` and `state.cordoned: true`. The public PUT's body is undocumented (see
 * the API notes), so this is best-effort: the caller never relies on it alone. Resolves whether
 * Bitbucket's answer shows it disabled or cordoned; a 404 is `gone`.
 */
export async function disableRunner(
  client: BitbucketClient,
  owner: RunnerOwner,
  runner: { uuid: string; name: string; labels: readonly string[] },
  signal?: AbortSignal,
): Promise<'disabled' | 'not-disabled' | 'gone'> {
  try {
    const r = await client.put<ApiRunner>(
      runnersPath(owner, runner.uuid),
      { name: runner.name, labels: [...runner.labels], state: { status: 'DISABLED', cordoned: true } },
      { what: `disabling runner ${runner.uuid} of ${ownerText(owner)}`, scopes: [RUNNER_READ_SCOPE, RUNNER_WRITE_SCOPE], ...(signal ? { signal } : {}) },
    );
    return r.state?.status === 'DISABLED' || r.state?.cordoned === true ? 'disabled' : 'not-disabled';
  } catch (e) {
    if (e instanceof BitbucketError && e.code === 'BITBUCKET_NOT_FOUND') return 'gone';
    throw e;
  }
}

/** DELETE a runner; `already-gone` when Bitbucket had none with this UUID (404), so a retry is harmless. */
export async function deleteRunner(client: BitbucketClient, owner: RunnerOwner, runnerUuid: string, signal?: AbortSignal): Promise<'deleted' | 'already-gone'> {
  try {
    await client.delete(runnersPath(owner, runnerUuid), {
      what: `deleting runner ${runnerUuid} of ${ownerText(owner)}`,
      scopes: [RUNNER_WRITE_SCOPE],
      ...(signal ? { signal } : {}),
    });
    return 'deleted';
  } catch (e) {
    if (e instanceof BitbucketError && e.code === 'BITBUCKET_NOT_FOUND') return 'already-gone';
    throw e;
  }
}

/** The workspace's UUID (braces kept): ACCOUNT_UUID of its runners. */
export async function workspaceUuid(client: BitbucketClient, workspace: string, signal?: AbortSignal): Promise<string> {
  const ws = await client.get<ApiWorkspace>(
    apiPath('workspaces', workspace),
    {},
    {
      what: `workspace "${workspace}"`,
      scopes: [WORKSPACE_READ_SCOPE],
      ...(signal ? { signal } : {}),
    },
  );
  return braced(ws.uuid, `workspace "${workspace}"`);
}

/** The repository's UUID (REPOSITORY_UUID of its runners) and its workspace's, when Bitbucket includes it. */
export async function repositoryUuids(
  client: BitbucketClient,
  workspace: string,
  repository: string,
  signal?: AbortSignal,
): Promise<{ uuid: string; workspaceUuid: string | null }> {
  const repo = await client.get<ApiRepository>(
    apiPath('repositories', workspace, repository),
    {},
    {
      what: `repository "${workspace}/${repository}"`,
      scopes: [REPOSITORY_READ_SCOPE],
      ...(signal ? { signal } : {}),
    },
  );
  const ws = repo.workspace?.uuid;
  return {
    uuid: braced(repo.uuid, `repository "${workspace}/${repository}"`),
    workspaceUuid: typeof ws === 'string' && ws !== '' ? braced(ws, `workspace "${workspace}"`) : null,
  };
}

function braced(uuid: unknown, what: string): string {
  const bare = typeof uuid === 'string' ? uuid.replace(/^\{|\}$/g, '') : '';
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(bare)) {
    throw new BitbucketError('BITBUCKET_BAD_RESPONSE', `Bitbucket's answer for ${what} has no UUID, so its runners cannot be configured.`);
  }
  return `{${bare.toLowerCase()}}`;
}

export type ScopeFinding = 'granted' | 'missing' | 'unknown';

export interface RunnerScopeCheck {
  read: ScopeFinding;
  write: ScopeFinding;
  /** Scopes found missing, by name. */
  missing: string[];
  /** How each finding was reached, in one line each (both are inferences from answers, not a scope list). */
  notes: string[];
}

/**
 * Which runner scopes the token has. Bitbucket has no endpoint that lists a token's scopes, so:
 * read from a one-item GET of the runner list (200 granted, 403 missing); write from a DELETE of
 * a runner UUID no runner has (404: the scope was accepted and only the runner not found; 403:
 * missing). A 403 can also mean the account is not an admin there; the notes say so.
 */
export async function checkRunnerScopes(client: BitbucketClient, workspace: string, signal?: AbortSignal): Promise<RunnerScopeCheck> {
  const owner: RunnerOwner = { workspace };
  const result: RunnerScopeCheck = { read: 'unknown', write: 'unknown', missing: [], notes: [] };
  const judge = (e: unknown): ScopeFinding => (e instanceof BitbucketError && e.code === 'BITBUCKET_FORBIDDEN' ? 'missing' : 'unknown');
  const reason = (e: unknown): string => (e instanceof BitbucketError ? `HTTP ${e.details.status ?? '?'}, ${e.code}` : (e as Error).message);
  try {
    await client.get(
      runnersPath(owner),
      { pagelen: 1 },
      { what: `runners of ${ownerText(owner)}`, scopes: [RUNNER_READ_SCOPE], ...(signal ? { signal } : {}) },
    );
    result.read = 'granted';
    result.notes.push(`${RUNNER_READ_SCOPE}: granted (listing the workspace's runners worked)`);
  } catch (e) {
    result.read = judge(e);
    result.notes.push(
      result.read === 'missing'
        ? `${RUNNER_READ_SCOPE}: missing (listing the workspace's runners answered 403; or the account is not a workspace admin)`
        : `${RUNNER_READ_SCOPE}: not known (listing the workspace's runners failed: ${reason(e)})`,
    );
  }
  try {
    await client.delete(runnersPath(owner, NO_RUNNER), { what: `runner ${NO_RUNNER}`, scopes: [RUNNER_WRITE_SCOPE], ...(signal ? { signal } : {}) });
    result.write = 'granted';
    result.notes.push(`${RUNNER_WRITE_SCOPE}: granted (inferred)`);
  } catch (e) {
    const notFound = e instanceof BitbucketError && e.code === 'BITBUCKET_NOT_FOUND';
    result.write = notFound ? 'granted' : judge(e);
    result.notes.push(
      notFound
        ? `${RUNNER_WRITE_SCOPE}: granted (inferred: deleting a runner that cannot exist answered 404, not 403)`
        : result.write === 'missing'
          ? `${RUNNER_WRITE_SCOPE}: missing (inferred: deleting a runner that cannot exist answered 403; or the account is not a workspace admin)`
          : `${RUNNER_WRITE_SCOPE}: not known (the check failed: ${reason(e)})`,
    );
  }
  if (result.read === 'missing') result.missing.push(RUNNER_READ_SCOPE);
  if (result.write === 'missing') result.missing.push(RUNNER_WRITE_SCOPE);
  return result;
}
