/**
 * STAND-IN for Bitbucket Cloud REST API 2.0, which cannot be reached from the
 * build machines. A real `node:http` server on 127.0.0.1 serving the documented
 * response shapes: pages `{pagelen, page, size, next, values}` with `next` as a
 * full URL back to this server, errors `{"type":"error","error":{"message"}}`,
 * the pipeline / step / runner / repository objects, and a checked
 * Authorization header. Tests script failures (status, Retry-After, slowness).
 * The runner endpoints (create / list / get / update / delete, the runner limit) are in
 * bitbucket-standin-runners.ts; token scopes are checked when a test sets them (setScopes).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  braced,
  DEFAULT_RUNNER_LIMIT,
  missingScopesAnswer,
  RunnerList,
  runnerJson,
  runnerRoute,
  type RunnerOwnerLookup,
  type StoredRunner,
} from './bitbucket-standin-runners.js';
import { moveStep, pipelineState, stepState, waitingStepsOf, type StepResult, type StepStateName, type WaitingStandinStep } from './bitbucket-standin-steps.js';

export type { WaitingStandinStep } from './bitbucket-standin-steps.js';

export type StandinAuth = { kind: 'basic'; email: string; token: string } | { kind: 'bearer'; token: string };

export interface RecordedRequest {
  method: string;
  /** As sent, still percent-encoded. */
  rawPath: string;
  /** Decoded path segments after `/2.0`. */
  segments: string[];
  query: URLSearchParams;
  authorized: boolean;
  /** Date.now() on arrival. */
  at: number;
}

export interface Fault {
  /** Only requests whose decoded path contains this; any request otherwise. */
  pathIncludes?: string;
  /** Only requests with this method (GET, POST, DELETE…); any method otherwise. */
  method?: string;
  status?: number;
  retryAfter?: string;
  /** Raw body; default is Bitbucket's error JSON for the status. */
  body?: string;
  /** Wait this long before answering (to provoke the client's timeout). */
  delayMs?: number;
  /** Drop the connection without an answer, as an unreachable Bitbucket would (the client sees a reset). */
  drop?: boolean;
  /** How many matching requests it applies to. */
  times?: number;
}

export interface StepFixture {
  uuid?: string;
  name: string;
  state: 'PENDING' | 'IN_PROGRESS' | 'COMPLETED';
  result?: 'SUCCESSFUL' | 'FAILED' | 'ERROR' | 'STOPPED' | 'NOT_RUN';
  manual?: boolean;
  runsOn?: string[];
}

export interface PipelineFixture {
  uuid?: string;
  buildNumber: number;
  state: 'PENDING' | 'IN_PROGRESS' | 'COMPLETED';
  /** e.g. RUNNING, PAUSED for IN_PROGRESS. */
  stage?: string;
  result?: 'SUCCESSFUL' | 'FAILED' | 'ERROR' | 'STOPPED';
  createdOn: string;
  steps: StepFixture[];
}

export interface RunnerFixture {
  uuid?: string;
  name: string;
  labels: string[];
  status: 'ONLINE' | 'OFFLINE' | 'UNREGISTERED' | 'DISABLED';
  cordoned?: boolean;
  /** Set while it runs a step. */
  step?: { uuid: string; pipelineUuid: string };
}

interface Repo {
  slug: string;
  uuid: string;
  updatedOn: string;
  pipelines: Array<Record<string, unknown>>;
  steps: Map<string, Array<Record<string, unknown>>>;
  runners: RunnerList;
}

interface Workspace {
  slug: string;
  uuid: string;
  repos: Map<string, Repo>;
  runners: RunnerList;
}

/** A request as `meanwhile` hooks see it: decoded path segments after `2.0`, and the parsed JSON body. */
export interface ArrivingRequest {
  method: string;
  segments: readonly string[];
  body: unknown;
}

export class BitbucketStandin {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #auth: StandinAuth;
  readonly #workspaces = new Map<string, Workspace>();
  readonly #faults: Array<Fault & { left: number }> = [];
  readonly #meanwhile: Array<(r: ArrivingRequest) => Promise<void> | void> = [];
  #origin = '';
  #scopes: Set<string> | null = null;
  #runnerLimit = DEFAULT_RUNNER_LIMIT;
  readonly #nextRunnerUuids: string[] = [];

  private constructor(auth: StandinAuth) {
    this.#auth = auth;
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(auth: StandinAuth): Promise<BitbucketStandin> {
    const s = new BitbucketStandin(auth);
    await new Promise<void>((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    const { port } = s.#server.address() as AddressInfo;
    s.#origin = `http://127.0.0.1:${port}`;
    return s;
  }

  /** What RUNNER_TRAY_BITBUCKET_API is set to in tests. */
  get baseUrl(): string {
    return `${this.#origin}/2.0`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Script a failure; returns what takes it back before it ran out (`times: Infinity` lasts until then). */
  fault(f: Fault): () => void {
    const entry = { ...f, left: f.times ?? 1 };
    this.#faults.push(entry);
    return () => {
      const i = this.#faults.indexOf(entry);
      if (i >= 0) this.#faults.splice(i, 1);
    };
  }

  /**
   * `fn` runs for each authorized request after its body is read and before Bitbucket acts on it:
   * what happened "meanwhile" on Bitbucket's side (a step handed to the runner a PUT disables).
   * Returns what takes it off.
   */
  meanwhile(fn: (r: ArrivingRequest) => Promise<void> | void): () => void {
    this.#meanwhile.push(fn);
    return () => {
      const i = this.#meanwhile.indexOf(fn);
      if (i >= 0) this.#meanwhile.splice(i, 1);
    };
  }

  clearFaults(): void {
    this.#faults.length = 0;
  }

  /** The token's scopes from now on; `null` (the default) grants every scope. */
  setScopes(scopes: readonly string[] | null): void {
    this.#scopes = scopes ? new Set(scopes) : null;
  }

  /** The UUID the next runner created anywhere gets (so a test can prepare what depends on it). */
  nextRunnerUuid(uuid: string): void {
    this.#nextRunnerUuids.push(uuid);
  }

  #list(): RunnerList {
    return new RunnerList(
      () => this.#runnerLimit,
      () => this.#nextRunnerUuids.shift(),
    );
  }

  /** Runners a workspace or repository may have (Bitbucket: 100). */
  setRunnerLimit(limit: number): void {
    this.#runnerLimit = limit;
  }

  /** The runners of a workspace, or of one of its repositories, as stored (secrets included, for assertions). */
  runnersOf(workspace: string, repoSlug?: string): readonly StoredRunner[] {
    const ws = this.#workspace(workspace);
    return (repoSlug ? this.#repo(ws, repoSlug).runners : ws.runners).runners;
  }

  /** Change how Bitbucket sees a runner (what its container would cause: ONLINE, busy with a step, OFFLINE). */
  setRunnerState(runnerUuid: string, state: { status?: StoredRunner['status']; step?: StoredRunner['step'] }): void {
    const r = this.#allRunners().find((x) => x.uuid.replace(/[{}]/g, '').toLowerCase() === runnerUuid.replace(/[{}]/g, '').toLowerCase());
    if (!r) throw new Error(`stand-in: no runner ${runnerUuid}`);
    if (state.status) r.status = state.status;
    if (state.step !== undefined) r.step = state.step;
    r.updatedOn = new Date().toISOString();
  }

  #allRunners(): StoredRunner[] {
    return [...this.#workspaces.values()].flatMap((ws) => [...ws.runners.runners, ...[...ws.repos.values()].flatMap((r) => r.runners.runners)]);
  }

  /** Returns the repository's UUID (braces kept), which the API also accepts in place of the slug. */
  addRepository(workspace: string, slug: string, updatedOn = '2024-01-01T00:00:00.000000+00:00'): string {
    const ws = this.#workspace(workspace);
    const uuid = braced();
    ws.repos.set(slug, { slug, uuid, updatedOn, pipelines: [], steps: new Map(), runners: this.#list() });
    return uuid;
  }

  /** The workspace's UUID (braces kept), which the API accepts in place of its slug. */
  workspaceUuid(workspace: string): string {
    return this.#workspace(workspace).uuid;
  }

  /** Returns the pipeline's UUID (braces kept). */
  addPipeline(workspace: string, slug: string, p: PipelineFixture): string {
    const ws = this.#workspace(workspace);
    const repo = this.#repo(ws, slug);
    const uuid = p.uuid ?? braced();
    const self = `${this.baseUrl}/repositories/${workspace}/${slug}/pipelines/${encodeURIComponent(uuid)}`;
    repo.pipelines.push({
      type: 'pipeline',
      uuid,
      build_number: p.buildNumber,
      creator: { type: 'user', display_name: 'Test User', uuid: braced() },
      repository: { type: 'repository', full_name: `${workspace}/${slug}`, name: slug, uuid: repo.uuid },
      target: { type: 'pipeline_ref_target', ref_type: 'branch', ref_name: 'main', selector: { type: 'branches', pattern: 'main' } },
      trigger: { type: 'pipeline_trigger_push' },
      state: pipelineState(p),
      created_on: p.createdOn,
      build_seconds_used: 0,
      links: { self: { href: self }, steps: { href: `${self}/steps` } },
    });
    repo.steps.set(
      uuid,
      p.steps.map((s) => ({
        type: 'pipeline_step',
        uuid: s.uuid ?? braced(),
        name: s.name,
        pipeline: { type: 'pipeline', uuid },
        state: stepState(s),
        trigger: { type: s.manual ? 'pipeline_step_trigger_manual' : 'pipeline_step_trigger_automatic' },
        ...(s.runsOn ? { runs_on: s.runsOn } : {}),
        image: { name: 'atlassian/default-image:4' },
        script_commands: [],
        setup_commands: [],
      })),
    );
    return uuid;
  }

  setRunners(workspace: string, runners: RunnerFixture[], repoSlug?: string): void {
    const ws = this.#workspace(workspace);
    const list = runners.map((r): StoredRunner => ({
      uuid: r.uuid ?? braced(),
      name: r.name,
      labels: r.labels,
      status: r.status,
      cordoned: r.cordoned ?? false,
      step: r.step ? { uuid: r.step.uuid, pipelineUuid: r.step.pipelineUuid } : null,
      createdOn: '2024-04-01T10:00:00.000Z',
      updatedOn: '2024-05-01T10:00:00.000Z',
      oauthClientId: '',
      oauthClientSecret: '',
      fixture: true,
    }));
    const target = (repoSlug ? this.#repo(ws, repoSlug) : ws).runners.runners;
    target.splice(0, target.length, ...list);
  }

  /**
   * Every step waiting for a runner (PENDING, not manual) in every repository, oldest pipeline
   * first: what Bitbucket's scheduler would hand out next. The world of pool tests reads it.
   */
  waitingSteps(): WaitingStandinStep[] {
    const all = [...this.#workspaces.values()].flatMap((ws) =>
      [...ws.repos.values()].flatMap((r) =>
        waitingStepsOf({ workspace: ws.slug, workspaceUuid: ws.uuid, repoSlug: r.slug, repositoryUuid: r.uuid }, r.pipelines, r.steps),
      ),
    );
    return all.sort((a, b) => a.createdOn.localeCompare(b.createdOn));
  }

  /** A step's state name now (`PENDING`, `IN_PROGRESS`, `COMPLETED`) and its result once completed. */
  stepStatus(workspace: string, slug: string, pipelineUuid: string, stepUuid: string): { state: string; result?: string } {
    const step = this.#repo(this.#workspace(workspace), slug)
      .steps.get(pipelineUuid)
      ?.find((s) => s.uuid === stepUuid);
    if (!step) throw new Error(`stand-in: no step ${stepUuid} in pipeline ${pipelineUuid} of ${workspace}/${slug}`);
    const state = step.state as { name: string; result?: { name: string } };
    return { state: state.name, ...(state.result ? { result: state.result.name } : {}) };
  }

  /** Move a step and its pipeline as Bitbucket does when a runner takes it (IN_PROGRESS) and ends it (COMPLETED). */
  setStepState(workspace: string, slug: string, pipelineUuid: string, stepUuid: string, to: { state: StepStateName; result?: StepResult }): void {
    const repo = this.#repo(this.#workspace(workspace), slug);
    const pipeline = repo.pipelines.find((p) => p.uuid === pipelineUuid);
    const steps = repo.steps.get(pipelineUuid);
    if (!pipeline || !steps) throw new Error(`stand-in: no pipeline ${pipelineUuid} in ${workspace}/${slug}`);
    moveStep(pipeline, steps, stepUuid, to);
  }

  /** Every runner with its owner: a workspace runner, or a repository's (slug given). */
  runnerOwners(): Array<{ runner: StoredRunner; workspace: string; repoSlug?: string }> {
    return [...this.#workspaces.values()].flatMap((ws) => [
      ...ws.runners.runners.map((runner) => ({ runner, workspace: ws.slug })),
      ...[...ws.repos.values()].flatMap((r) => r.runners.runners.map((runner) => ({ runner, workspace: ws.slug, repoSlug: r.slug }))),
    ]);
  }

  #workspace(slug: string): Workspace {
    let ws = this.#workspaces.get(slug);
    if (!ws) {
      ws = { slug, uuid: braced(), repos: new Map(), runners: this.#list() };
      this.#workspaces.set(slug, ws);
    }
    return ws;
  }

  #repo(ws: Workspace, slug: string): Repo {
    const repo = ws.repos.get(slug);
    if (!repo) throw new Error(`stand-in: add repository ${ws.slug}/${slug} first`);
    return repo;
  }

  #expectedAuthorization(): string {
    const a = this.#auth;
    return a.kind === 'bearer' ? `Bearer ${a.token}` : `Basic ${Buffer.from(`${a.email}:${a.token}`).toString('base64')}`;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.#origin);
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    const parts = rawPath
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p));
    const segments = parts[0] === '2.0' ? parts.slice(1) : parts;
    const authorized = req.headers.authorization === this.#expectedAuthorization();
    this.requests.push({ method: req.method ?? 'GET', rawPath, segments, query: url.searchParams, authorized, at: Date.now() });

    const method = req.method ?? 'GET';
    const fault = this.#takeFault(segments.join('/'), method);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (res.destroyed) return;
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (fault?.status) {
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
      return send(res, fault.status, fault.body ?? errorBody(defaultMessage(fault.status)), headers);
    }
    if (parts[0] !== '2.0') return send(res, 404, errorBody('Resource not found'));
    if (!authorized) {
      return send(res, 401, errorBody('Unauthorized'), { 'WWW-Authenticate': 'Basic realm="Bitbucket.org HTTP"' });
    }
    const body = method === 'POST' || method === 'PUT' ? await readJson(req) : undefined;
    if (body === INVALID_JSON) return send(res, 400, errorBody('Bad request', 'The request body is not JSON.'));
    const denied = missingScopesAnswer(this.#scopes, segments, method);
    if (denied) return send(res, 403, denied);
    for (const fn of [...this.#meanwhile]) await fn({ method, segments, body });
    const runners = runnerRoute(segments, method, body, (ws) => this.#runnerLists(ws));
    if (runners === 'not-runners') {
      if (method !== 'GET') return send(res, 405, errorBody('Method not allowed'));
      this.#route(segments, url, res);
    } else if (runners.answer) {
      const a = runners.answer;
      if (a.status === 204) {
        res.writeHead(204);
        res.end();
      } else send(res, a.status, JSON.stringify(a.body));
    } else
      this.#page(
        res,
        url,
        runners.list!.runners.map((r) => runnerJson(r)),
        null,
      );
  }

  /** Where the runner endpoints find a workspace's (or one of its repositories') runners. */
  #runnerLists(wsSlug: string): RunnerOwnerLookup | undefined {
    const ws = this.#findWorkspace(wsSlug);
    if (!ws) return undefined;
    return { runners: ws.runners, repository: (a) => (ws.repos.get(a) ?? [...ws.repos.values()].find((r) => r.uuid === a))?.runners };
  }

  #findWorkspace(slugOrUuid: string): Workspace | undefined {
    return this.#workspaces.get(slugOrUuid) ?? [...this.#workspaces.values()].find((w) => w.uuid === slugOrUuid);
  }

  #takeFault(path: string, method: string): Fault | undefined {
    const i = this.#faults.findIndex((f) => (!f.pathIncludes || path.includes(f.pathIncludes)) && (!f.method || f.method === method));
    if (i < 0) return undefined;
    const f = this.#faults[i]!;
    f.left -= 1;
    if (f.left <= 0) this.#faults.splice(i, 1);
    return f;
  }

  #route(seg: string[], url: URL, res: ServerResponse): void {
    const [top, wsSlug, a, b, c, d, e] = seg;
    // Bitbucket takes `{uuid}` wherever a workspace or repository slug goes.
    const ws = wsSlug ? this.#findWorkspace(wsSlug) : undefined;
    const noWorkspace = (): void => send(res, 404, errorBody(`No workspace with identifier '${wsSlug}'.`));
    if (top === 'workspaces' && seg.length === 2) {
      if (!ws) return noWorkspace();
      return send(res, 200, JSON.stringify({ type: 'workspace', uuid: ws.uuid, slug: ws.slug, name: ws.slug }));
    }
    if (top !== 'repositories' || !wsSlug) return send(res, 404, errorBody('Resource not found'));
    if (seg.length === 2) {
      if (!ws) return noWorkspace();
      const repos = [...ws.repos.values()].map((r) => ({
        type: 'repository',
        uuid: r.uuid,
        full_name: `${ws.slug}/${r.slug}`,
        slug: r.slug,
        name: r.slug,
        is_private: true,
        updated_on: r.updatedOn,
        created_on: '2023-01-01T00:00:00.000000+00:00',
        links: { html: { href: `https://bitbucket.org/${ws.slug}/${r.slug}` } },
      }));
      return this.#page(res, url, repos, ['updated_on', 'created_on', 'name']);
    }
    const repo = ws && a ? (ws.repos.get(a) ?? [...ws.repos.values()].find((r) => r.uuid === a)) : undefined;
    if (!repo) return send(res, 404, errorBody(`Repository ${wsSlug}/${a ?? ''} not found`));
    if (seg.length === 3) {
      return send(
        res,
        200,
        JSON.stringify({
          type: 'repository',
          uuid: repo.uuid,
          full_name: `${ws!.slug}/${repo.slug}`,
          slug: repo.slug,
          name: repo.slug,
          is_private: true,
          updated_on: repo.updatedOn,
          workspace: { type: 'workspace', uuid: ws!.uuid, slug: ws!.slug },
          links: { html: { href: `https://bitbucket.org/${ws!.slug}/${repo.slug}` } },
        }),
      );
    }
    if (b === 'pipelines' && seg.length === 4) return this.#page(res, url, repo.pipelines, ['created_on']);
    if (b === 'pipelines' && seg.length === 5 && c) {
      const pipeline = repo.pipelines.find((p) => p.uuid === c);
      return pipeline ? send(res, 200, JSON.stringify(pipeline)) : send(res, 404, errorBody(`Pipeline ${c} not found`));
    }
    if (b === 'pipelines' && d === 'steps' && seg.length === 7 && c && e) {
      const step = repo.steps.get(c)?.find((s) => s.uuid === e);
      return step ? send(res, 200, JSON.stringify(step)) : send(res, 404, errorBody(`Step ${e} not found`));
    }
    if (b === 'pipelines' && d === 'steps' && seg.length === 6 && c) {
      const steps = repo.steps.get(c);
      if (!steps) return send(res, 404, errorBody(`Pipeline ${c} not found`));
      return this.#page(res, url, steps, null);
    }
    return send(res, 404, errorBody('Resource not found'));
  }

  /** Bitbucket's page-numbered pagination: default pagelen 10, at most 100. */
  #page(res: ServerResponse, url: URL, all: Array<Record<string, unknown>>, sortable: string[] | null): void {
    const items = [...all];
    const sort = url.searchParams.get('sort');
    if (sort) {
      const field = sort.replace(/^-/, '');
      if (!sortable?.includes(field)) {
        return send(res, 400, errorBody('Bad request', `Invalid sort attribute provided '${field}'`));
      }
      const dir = sort.startsWith('-') ? -1 : 1;
      items.sort((x, y) => dir * String(x[field]).localeCompare(String(y[field])));
    }
    const pagelen = Math.min(100, Math.max(1, Number(url.searchParams.get('pagelen') ?? 10) || 10));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const values = items.slice((page - 1) * pagelen, page * pagelen);
    const body: Record<string, unknown> = { pagelen, page, size: items.length, values };
    if (page * pagelen < items.length) {
      const next = new URL(url.toString());
      next.searchParams.set('page', String(page + 1));
      next.searchParams.set('pagelen', String(pagelen));
      body.next = next.toString();
    }
    if (page > 1) {
      const prev = new URL(url.toString());
      prev.searchParams.set('page', String(page - 1));
      body.previous = prev.toString();
    }
    send(res, 200, JSON.stringify(body));
  }
}

const INVALID_JSON = Symbol('invalid JSON');

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return INVALID_JSON;
  }
}

export function errorBody(message: string, detail?: string): string {
  return JSON.stringify({ type: 'error', error: { message, ...(detail ? { detail } : {}) } });
}

function defaultMessage(status: number): string {
  if (status === 401) return 'Unauthorized';
  if (status === 403) return 'Your credentials lack one or more required privilege scopes.';
  if (status === 404) return 'Resource not found';
  if (status === 429) return 'Rate limit for this resource has been exceeded';
  if (status >= 500) return 'Something went wrong';
  return 'Bad request';
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
  res.end(body);
}
