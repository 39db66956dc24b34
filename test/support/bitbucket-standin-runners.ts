/**
 * STAND-IN for Bitbucket's runner endpoints (`…/pipelines-config/runners[/{uuid}]` of a
 * workspace or a repository), shaped as /work/shared/BITBUCKET-RUNNERS-API.md describes them:
 * create answers 200 with the runner and its `oauth_client.secret` (the only answer that carries
 * it), list is paged, get/delete address one runner (DELETE → 204, 404 when unknown), a create past
 * the limit (100 unless a test sets another) or with properties Bitbucket refuses answers 400
 * "invalid properties or runner limit exceeded", a known `uuid` 409. Scopes: GET needs
 * read:runner, POST/PUT read+write, DELETE write (checked by the server, see scopeFor()).
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const DEFAULT_RUNNER_LIMIT = 100;
export const RUNNER_READ = 'read:runner:bitbucket';
export const RUNNER_WRITE = 'write:runner:bitbucket';
/** Bitbucket's words for a refused create; it gives the same for both causes. */
export const CREATE_REFUSED = 'invalid properties or runner limit exceeded';

export type RunnerStatus = 'UNREGISTERED' | 'ONLINE' | 'OFFLINE' | 'DISABLED' | 'ENABLED' | 'UNHEALTHY';

/** A runner as the stand-in keeps it; `secret` is handed out once, in the create answer. */
export interface StoredRunner {
  uuid: string;
  name: string;
  labels: string[];
  status: RunnerStatus;
  cordoned: boolean;
  step: { uuid: string; pipelineUuid?: string } | null;
  createdOn: string;
  updatedOn: string;
  oauthClientId: string;
  /** Kept so tests can check a container was given the right one; never in a GET answer. */
  oauthClientSecret: string;
  /** Hand-set fixtures (setRunners) have no OAuth client of their own. */
  fixture: boolean;
}

export type Answer = { status: number; body?: unknown };

/** Scopes of Atlassian API tokens for the endpoints the stand-in serves. */
const READ_WORKSPACE = 'read:workspace:bitbucket';
const READ_REPOSITORY = 'read:repository:bitbucket';
const READ_PIPELINE = 'read:pipeline:bitbucket';
export const SCOPE_ERROR = 'Your credentials lack one or more required privilege scopes.';

const LABEL = /^[a-z0-9.]+$/;
const ALWAYS = ['self.hosted', 'linux', 'linux.arm64'];
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export const braced = (): string => `{${randomUUID()}}`;
const sameUuid = (a: string, b: string) => a.replace(/[{}]/g, '').toLowerCase() === b.replace(/[{}]/g, '').toLowerCase();

/** The runner object of list and get answers (no secret). */
export function runnerJson(r: StoredRunner, withSecret = false): Record<string, unknown> {
  const state: Record<string, unknown> = {
    type: 'pipeline_runner_state',
    status: r.status,
    version: { version: '3.1.0', current: '3.1.0' },
    updated_on: r.updatedOn,
    cordoned: r.cordoned,
  };
  // Not in Bitbucket's schema, but present while a runner is busy (see the API notes).
  if (r.step) state.step = { type: 'PIPELINE_STEP', uuid: r.step.uuid, ...(r.step.pipelineUuid ? { pipeline: { uuid: r.step.pipelineUuid } } : {}) };
  const out: Record<string, unknown> = {
    type: 'pipeline_runner',
    uuid: r.uuid,
    name: r.name,
    labels: [...r.labels],
    state,
    created_on: r.createdOn,
    updated_on: r.updatedOn,
  };
  if (!r.fixture) {
    out.oauth_client = {
      id: r.oauthClientId,
      ...(withSecret ? { secret: r.oauthClientSecret } : {}),
      token_endpoint: 'https://auth.atlassian.com/oauth/token',
      audience: 'api.atlassian.com',
    };
  }
  return out;
}

/** The scope a runner request needs, as Bitbucket documents it per method. */
export function scopeFor(method: string): string[] {
  if (method === 'GET') return [RUNNER_READ];
  if (method === 'DELETE') return [RUNNER_WRITE];
  return [RUNNER_READ, RUNNER_WRITE];
}

/** The runners of one workspace or repository. */
export class RunnerList {
  readonly runners: StoredRunner[] = [];

  constructor(
    readonly limit: () => number,
    /** The UUID the next created runner gets, when a test fixed it in advance. */
    readonly nextUuid: () => string | undefined = () => undefined,
  ) {}

  find(uuid: string): StoredRunner | undefined {
    return this.runners.find((r) => sameUuid(r.uuid, uuid));
  }

  create(body: unknown, now: Date = new Date()): Answer {
    const b = (body && typeof body === 'object' ? body : {}) as { name?: unknown; labels?: unknown; uuid?: unknown };
    if (typeof b.uuid === 'string' && this.find(b.uuid)) {
      return { status: 409, body: { type: 'error', error: { message: 'a runner with the provided UUID already exists' } } };
    }
    const own = Array.isArray(b.labels) ? b.labels : [];
    const labelsOk = own.every((l) => typeof l === 'string' && LABEL.test(l)) && own.filter((l) => !ALWAYS.includes(l as string)).length <= 10;
    const nameOk = typeof b.name === 'string' && b.name.trim() !== '';
    if (!labelsOk || !nameOk || this.runners.length >= this.limit()) {
      return { status: 400, body: { type: 'error', error: { message: CREATE_REFUSED } } };
    }
    const at = now.toISOString();
    const runner: StoredRunner = {
      uuid: typeof b.uuid === 'string' ? b.uuid : (this.nextUuid() ?? braced()),
      name: b.name as string,
      // self.hosted and the OS label are always there (linux unless linux.arm64 was asked for).
      labels: [...new Set(['self.hosted', ...((own as string[]).includes('linux.arm64') ? [] : ['linux']), ...(own as string[])])],
      status: 'UNREGISTERED',
      cordoned: false,
      step: null,
      createdOn: at,
      updatedOn: at,
      oauthClientId: randomText(32, ALNUM),
      // Shaped as Bitbucket's: 64 of A–Z, a–z, 0–9, `-`, `_`; random per stand-in run, never real.
      oauthClientSecret: randomText(64, ALNUM + '-_'),
      fixture: false,
    };
    this.runners.push(runner);
    return { status: 200, body: runnerJson(runner, true) };
  }

  get(uuid: string): Answer {
    const r = this.find(uuid);
    return r ? { status: 200, body: runnerJson(r) } : notFound(uuid);
  }

  /** PUT: the public body is undocumented; name, labels and `state.cordoned`/`state.status` are taken. */
  update(uuid: string, body: unknown): Answer {
    const r = this.find(uuid);
    if (!r) return notFound(uuid);
    const b = (body && typeof body === 'object' ? body : {}) as { name?: unknown; state?: { cordoned?: unknown; status?: unknown } };
    if (typeof b.name === 'string' && b.name.trim() !== '') r.name = b.name;
    if (typeof b.state?.cordoned === 'boolean') r.cordoned = b.state.cordoned;
    if (b.state?.status === 'DISABLED' || b.state?.status === 'ENABLED') r.status = b.state.status;
    r.updatedOn = new Date().toISOString();
    return { status: 200, body: runnerJson(r) };
  }

  remove(uuid: string): Answer {
    const i = this.runners.findIndex((r) => sameUuid(r.uuid, uuid));
    if (i < 0) return notFound(uuid);
    this.runners.splice(i, 1);
    return { status: 204 };
  }
}

function notFound(uuid: string): Answer {
  return { status: 404, body: { type: 'error', error: { message: `Runner with UUID ${uuid} not found.` } } };
}

const errorJson = (message: string) => ({ type: 'error', error: { message } });

/**
 * The 403 body when the token (`scopes`; null grants all) lacks a scope the request needs, else
 * null. Bitbucket checks scopes before it looks the resource up (inferred: a 403 comes before any 404).
 */
export function missingScopesAnswer(scopes: ReadonlySet<string> | null, seg: readonly string[], method: string): string | null {
  if (!scopes) return null;
  const [top, , , b] = seg;
  let required: string[];
  if (seg.includes('pipelines-config') && seg.includes('runners')) required = scopeFor(method);
  else if (top === 'workspaces') required = [READ_WORKSPACE];
  else if (top === 'repositories' && b === 'pipelines') required = [READ_PIPELINE];
  else required = [READ_REPOSITORY];
  if (required.every((s) => scopes.has(s))) return null;
  // The shape of Bitbucket's scope errors (message plus granted / required lists).
  return JSON.stringify({ type: 'error', error: { message: SCOPE_ERROR, detail: { granted: [...scopes], required } } });
}

/** A workspace's runners and those of its repositories (by slug or `{UUID}`). */
export interface RunnerOwnerLookup {
  runners: RunnerList;
  repository(slugOrUuid: string): RunnerList | undefined;
}

/** The runner endpoints: an answer, or the list to page; `not-runners` for every other path. */
export function runnerRoute(
  seg: readonly string[],
  method: string,
  body: unknown,
  lookup: (workspace: string) => RunnerOwnerLookup | undefined,
): 'not-runners' | { answer?: Answer; list?: RunnerList } {
  const [top, wsSlug, a, b, c, d] = seg;
  let list: RunnerList | undefined;
  let runnerUuid: string | undefined;
  const ws = wsSlug ? lookup(wsSlug) : undefined;
  if (top === 'workspaces' && a === 'pipelines-config' && b === 'runners' && seg.length <= 5) {
    if (!ws) return { answer: { status: 404, body: errorJson(`No workspace with identifier '${wsSlug}'.`) } };
    list = ws.runners;
    runnerUuid = c;
  } else if (top === 'repositories' && b === 'pipelines-config' && c === 'runners' && seg.length <= 6) {
    list = ws && a ? ws.repository(a) : undefined;
    if (!list) return { answer: { status: 404, body: errorJson(`Repository ${wsSlug}/${a ?? ''} not found`) } };
    runnerUuid = d;
  } else return 'not-runners';
  if (runnerUuid === undefined) {
    if (method === 'GET') return { list };
    if (method === 'POST') return { answer: list.create(body) };
  } else {
    if (method === 'GET') return { answer: list.get(runnerUuid) };
    if (method === 'PUT') return { answer: list.update(runnerUuid, body) };
    if (method === 'DELETE') return { answer: list.remove(runnerUuid) };
  }
  return { answer: { status: 405, body: errorJson('Method not allowed') } };
}
