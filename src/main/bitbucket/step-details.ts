/**
 * What Bitbucket knows about a step the runner log names only by UUIDs: the repository's
 * workspace and slug, the pipeline's build number and the step's name — enough for a readable
 * row and for `stepUrl()`. Each repository and pipeline is asked about once, each step once;
 * results (and permanent failures) are cached for as long as the connection stays the same.
 * Nothing here polls: a lookup happens only when a step is shown.
 *
 * `GET /repositories/{workspace}/{repo_slug}` takes UUIDs in braces in place of both slugs
 * (Bitbucket's API reference for the parameters), which is how the log's account and
 * repository UUIDs become a `full_name`.
 */
import type { ApiPipeline, ApiRepository, ApiStep } from './api-types.js';
import { BitbucketError, apiPath, type BitbucketClient } from './client.js';
import type { BitbucketConnection } from './connection.js';

export interface StepIds {
  /** The workspace UUID (the runner's ACCOUNT_UUID); the connected workspace when absent. */
  accountUuid?: string;
  repositoryUuid: string;
  pipelineUuid: string;
  stepUuid: string;
}

export interface StepDetails {
  workspace?: string;
  repoSlug?: string;
  buildNumber?: number;
  stepName?: string;
}

export interface StepDetailsDeps {
  /** The stored connection's client, or null when Bitbucket is not connected. */
  open: () => Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null>;
  /** The stored connection, cheap to read (settings); a change drops every cache. */
  connection: () => BitbucketConnection | null | Promise<BitbucketConnection | null>;
  /** One line per failed lookup; never a token. */
  log?: (line: string) => void;
  /** A lookup that failed for a passing reason (rate limit, network) may be tried again after this. Default 60 s. */
  retryAfterMs?: number;
}

/** Steps remembered for synchronous reads; the runner monitor keeps far fewer per runner. */
const MAX_KNOWN_STEPS = 2_000;

const CONNECTION_READ_MS = 1_000;

type Entry<T> = { value: Promise<T | null>; failedAt?: number };

export class StepDetailsResolver {
  readonly #deps: StepDetailsDeps;
  #key: string | null = null;
  #read: { at: number; value: Promise<BitbucketConnection | null> } | null = null;
  #opened: Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null> | null = null;
  readonly #repos = new Map<string, Entry<{ workspace: string; repoSlug: string }>>();
  readonly #pipelines = new Map<string, Entry<{ buildNumber: number }>>();
  readonly #steps = new Map<string, Entry<{ stepName: string }>>();
  /** Settled results by step UUID, for synchronous reads while building views. */
  readonly #known = new Map<string, StepDetails>();

  constructor(deps: StepDetailsDeps) {
    this.#deps = deps;
  }

  /** What is already known about the step, without asking anyone. */
  peek(stepUuid: string): StepDetails | undefined {
    return this.#known.get(stepUuid);
  }

  /**
   * Resolve what Bitbucket says about the step (cached). Never rejects: without a connection,
   * or when Bitbucket cannot say, the answer is what could be found (possibly nothing).
   */
  async resolve(ids: StepIds): Promise<StepDetails> {
    const opened = await this.#client();
    if (!opened) return {};
    const { client, connection } = opened;
    const owner = ids.accountUuid ?? connection.workspace;
    const repo = await this.#cached(this.#repos, `${owner}/${ids.repositoryUuid}`, async () => {
      const r = await client.get<ApiRepository>(apiPath('repositories', owner, ids.repositoryUuid), {}, { what: `repository ${ids.repositoryUuid}` });
      const [workspace, slug] = (r.full_name ?? '').split('/');
      const repoSlug = r.slug ?? slug;
      if (!workspace || !repoSlug) throw new BitbucketError('BITBUCKET_BAD_RESPONSE', `repository ${ids.repositoryUuid} came back without a full_name`);
      return { workspace, repoSlug };
    });
    if (!repo) return this.#remember(ids.stepUuid, {});
    const base = ['repositories', repo.workspace, repo.repoSlug, 'pipelines', ids.pipelineUuid] as const;
    const [pipeline, step] = await Promise.all([
      this.#cached(this.#pipelines, ids.pipelineUuid, async () => {
        const p = await client.get<ApiPipeline>(apiPath(...base), {}, { what: `pipeline ${ids.pipelineUuid}` });
        if (typeof p.build_number !== 'number')
          throw new BitbucketError('BITBUCKET_BAD_RESPONSE', `pipeline ${ids.pipelineUuid} came back without a build_number`);
        return { buildNumber: p.build_number };
      }),
      this.#cached(this.#steps, ids.stepUuid, async () => {
        const s = await client.get<ApiStep>(apiPath(...base, 'steps', ids.stepUuid), {}, { what: `step ${ids.stepUuid}` });
        if (!s.name) throw new BitbucketError('BITBUCKET_BAD_RESPONSE', `step ${ids.stepUuid} came back without a name`);
        return { stepName: s.name };
      }),
    ]);
    return this.#remember(ids.stepUuid, { ...repo, ...(pipeline ?? {}), ...(step ?? {}) });
  }

  #remember(stepUuid: string, details: StepDetails): StepDetails {
    this.#known.delete(stepUuid);
    this.#known.set(stepUuid, details);
    if (this.#known.size > MAX_KNOWN_STEPS) this.#known.delete(this.#known.keys().next().value!);
    return details;
  }

  async #client(): Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null> {
    let connection: BitbucketConnection | null;
    try {
      // Settings are a file read: a list of fifty steps asks once, not fifty times.
      if (this.#read === null || Date.now() - this.#read.at > CONNECTION_READ_MS)
        this.#read = { at: Date.now(), value: Promise.resolve(this.#deps.connection()) };
      connection = await this.#read.value;
    } catch {
      return null;
    }
    const key = connection ? JSON.stringify([connection.workspace, connection.email ?? '', connection.authKind]) : null;
    if (key !== this.#key) {
      // Another account may see other repositories: forget everything learnt with the old one.
      this.#key = key;
      this.#opened = null;
      this.#repos.clear();
      this.#pipelines.clear();
      this.#steps.clear();
      this.#known.clear();
    }
    if (!connection) return null;
    this.#opened ??= this.#deps.open().catch((e: unknown) => {
      this.#deps.log?.(`debug: step details unavailable: ${(e as Error).message}`);
      return null;
    });
    return this.#opened;
  }

  async #cached<T>(cache: Map<string, Entry<T>>, key: string, load: () => Promise<T>): Promise<T | null> {
    const hit = cache.get(key);
    if (hit && (hit.failedAt === undefined || Date.now() - hit.failedAt < (this.#deps.retryAfterMs ?? 60_000))) return hit.value;
    const entry: Entry<T> = {
      value: load().catch((e: unknown) => {
        const transient = e instanceof BitbucketError ? e.transient : true;
        // A 404/403 will not change by asking again; a rate limit or a network hiccup may.
        if (transient) entry.failedAt = Date.now();
        this.#deps.log?.(`debug: step details: ${(e as Error).message}`);
        return null;
      }),
    };
    cache.set(key, entry);
    return entry.value;
  }
}
