import { stepUrl } from '../../shared/contract/step-link.js';
import type { QueuedStepView } from '../../shared/contract/views.js';
import { displayApiStepState, type StepDisplay } from '../../shared/step-display.js';
import type { ApiPipeline, ApiRepository, ApiRunner, ApiStep } from './api-types.js';
import { BitbucketError, apiPath, type BitbucketClient } from './client.js';

/** A step Bitbucket holds back: `PENDING` (or `READY`) in a pipeline that is pending or in progress. */
export interface QueuedStep extends QueuedStepView {
  /** `workspace/repo_slug`. */
  repository: string;
  /** Display vocabulary (`src/shared/step-display`): always `queued` here. */
  state: Extract<StepDisplay, 'queued'>;
  /** When its pipeline was created: Bitbucket gives a pending step no time of its own. */
  createdOn: string;
  /** The step's page on bitbucket.org, or null when Bitbucket left out the build number. */
  url: string | null;
  /** A manual step someone has to trigger, rather than one waiting for a runner. */
  manual: boolean;
}

/** A repository we could not read; the others still count. */
export interface RepositoryProblem {
  repository: string;
  code: BitbucketError['code'];
  message: string;
}

export interface QueuedSteps {
  steps: QueuedStep[];
  problems: RepositoryProblem[];
  /** Some repository had more recent pipelines than we looked at. */
  truncated: boolean;
}

export interface FetchQueuedOptions {
  workspace: string;
  /** Repository slugs of `workspace`, or `workspace/repo_slug` full names. */
  repositories: readonly string[];
  /** Newest pipelines looked at per repository (pending ones are the newest). */
  pipelinesPerRepository?: number;
  signal?: AbortSignal;
}

/**
 * Pipelines only live long while they wait or run, so pending and running ones
 * sit at the top of `sort=-created_on`; Bitbucket documents no state filter for
 * this list, so we filter here and look at a bounded number of the newest.
 * A paused pipeline (display `paused`) waits for a person, not for a runner.
 */
const ACTIVE_PIPELINE_DISPLAYS = new Set<StepDisplay>(['queued', 'running']);

export async function fetchQueuedSteps(client: BitbucketClient, options: FetchQueuedOptions): Promise<QueuedSteps> {
  const perRepo = options.pipelinesPerRepository ?? 50;
  const result: QueuedSteps = { steps: [], problems: [], truncated: false };
  const seen = new Set<string>();
  for (const name of options.repositories) {
    const { workspace, repoSlug } = splitRepository(options.workspace, name);
    const repository = `${workspace}/${repoSlug}`;
    try {
      const pipelines = await client.paginate<ApiPipeline>(
        apiPath('repositories', workspace, repoSlug, 'pipelines'),
        { sort: '-created_on', pagelen: Math.min(perRepo, 100) },
        { what: `repository "${repository}"`, maxItems: perRepo, maxPages: Math.ceil(perRepo / 100) + 1, signal: options.signal },
      );
      result.truncated ||= pipelines.truncated;
      for (const pipeline of pipelines.values) {
        if (!isWaiting(pipeline)) continue;
        const steps = await client.paginate<ApiStep>(
          apiPath('repositories', workspace, repoSlug, 'pipelines', pipeline.uuid, 'steps'),
          { pagelen: 100 },
          { what: `pipeline ${pipeline.uuid} of "${repository}"`, maxPages: 2, signal: options.signal },
        );
        for (const step of steps.values) {
          // A repository can be watched twice (by slug and, as a runner's own, by `{UUID}`).
          if (seen.has(step.uuid)) continue;
          seen.add(step.uuid);
          if (displayApiStepState(step.state) === 'queued') result.steps.push(toQueuedStep(workspace, repoSlug, pipeline, step));
        }
      }
    } catch (err) {
      // A renamed or hidden repository must not blank out the rest; anything that
      // concerns the whole connection (token, rate limit, network) stops the round.
      if (err instanceof BitbucketError && (err.code === 'BITBUCKET_NOT_FOUND' || err.code === 'BITBUCKET_FORBIDDEN')) {
        result.problems.push({ repository, code: err.code, message: err.message });
        continue;
      }
      throw err;
    }
  }
  result.steps.sort((a, b) => a.createdOn.localeCompare(b.createdOn));
  return result;
}

function isWaiting(p: ApiPipeline): boolean {
  return ACTIVE_PIPELINE_DISPLAYS.has(displayApiStepState(p.state));
}

function toQueuedStep(askedWorkspace: string, askedSlug: string, pipeline: ApiPipeline, step: ApiStep): QueuedStep {
  // Asked for by `{UUID}`: the pipeline's repository gives the names people (and links) use.
  const fullName = pipeline.repository?.full_name;
  const named = fullName && fullName.includes('/') ? splitRepository(askedWorkspace, fullName) : null;
  const workspace = named?.workspace ?? askedWorkspace;
  const repoSlug = named?.repoSlug ?? askedSlug;
  const createdOn = pipeline.created_on ?? '';
  const buildNumber = pipeline.build_number ?? 0;
  return {
    repository: `${workspace}/${repoSlug}`,
    workspace,
    repoSlug,
    pipelineUuid: pipeline.uuid,
    buildNumber,
    stepUuid: step.uuid,
    stepName: step.name ?? '',
    state: 'queued',
    createdOn,
    queuedAt: createdOn,
    runsOn: runsOnLabels(step.runs_on),
    url: stepUrl({ stepUuid: step.uuid, workspace, repoSlug, buildNumber }),
    manual: step.trigger?.type === 'pipeline_step_trigger_manual',
  };
}

/** Bitbucket's step schema does not document `runs_on`; take labels only when they are plainly there. */
function runsOnLabels(value: unknown): string[] {
  const list = Array.isArray(value) ? value : (value as { labels?: unknown } | null)?.labels;
  return Array.isArray(list) ? list.filter((l): l is string => typeof l === 'string') : [];
}

function splitRepository(workspace: string, name: string): { workspace: string; repoSlug: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { workspace, repoSlug: name };
  return { workspace: name.slice(0, slash), repoSlug: name.slice(slash + 1) };
}

export type BitbucketRunnerStatus = 'ONLINE' | 'OFFLINE' | 'UNREGISTERED' | 'DISABLED' | 'ENABLED' | 'UNHEALTHY' | 'UNKNOWN';

/** A runner as Bitbucket sees it, next to what our engine sees. */
export interface BitbucketRunnerView {
  uuid: string;
  name: string;
  labels: string[];
  status: BitbucketRunnerStatus;
  /** Bitbucket reports a step on it. */
  busy: boolean;
  stepUuid?: string;
  pipelineUuid?: string;
  cordoned: boolean;
  /** When Bitbucket last heard about its state. */
  updatedOn?: string;
  scope: 'workspace' | 'repository';
  /** `workspace/repo_slug` for repository runners. */
  repository?: string;
}

const RUNNER_STATUSES = new Set<string>(['ONLINE', 'OFFLINE', 'UNREGISTERED', 'DISABLED', 'ENABLED', 'UNHEALTHY']);

export async function fetchRunners(
  client: BitbucketClient,
  options: { workspace: string; repository?: string; signal?: AbortSignal },
): Promise<BitbucketRunnerView[]> {
  const repo = options.repository ? splitRepository(options.workspace, options.repository) : null;
  const path = repo
    ? apiPath('repositories', repo.workspace, repo.repoSlug, 'pipelines-config', 'runners')
    : apiPath('workspaces', options.workspace, 'pipelines-config', 'runners');
  const what = repo ? `runners of repository "${repo.workspace}/${repo.repoSlug}"` : `runners of workspace "${options.workspace}"`;
  const { values } = await client.paginate<ApiRunner>(path, { pagelen: 100 }, { what, signal: options.signal });
  return values.map((r) => runnerView(r, repo ? `${repo.workspace}/${repo.repoSlug}` : undefined));
}

/** Bitbucket's runner object as we show it; `repository` (`workspace/repo_slug`) for a repository runner. */
export function runnerView(r: ApiRunner, repository?: string): BitbucketRunnerView {
  const status = r.state?.status ?? '';
  const step = r.state?.step ?? undefined;
  const view: BitbucketRunnerView = {
    uuid: r.uuid,
    name: r.name ?? '',
    labels: Array.isArray(r.labels) ? r.labels.filter((l) => typeof l === 'string') : [],
    status: (RUNNER_STATUSES.has(status) ? status : 'UNKNOWN') as BitbucketRunnerStatus,
    busy: Boolean(step),
    cordoned: r.state?.cordoned === true,
    scope: repository ? 'repository' : 'workspace',
  };
  if (step?.uuid) view.stepUuid = step.uuid;
  if (step?.pipeline?.uuid) view.pipelineUuid = step.pipeline.uuid;
  if (r.state?.updated_on) view.updatedOn = r.state.updated_on;
  if (repository) view.repository = repository;
  return view;
}

/**
 * The `n` most recently updated repositories of the workspace, as `workspace/repo_slug`:
 * the default watch list for workspace runners, since polling every repository
 * would exhaust the hourly rate limit.
 */
export async function recentRepositories(client: BitbucketClient, workspace: string, n: number, signal?: AbortSignal): Promise<string[]> {
  const count = Math.max(1, Math.min(100, Math.floor(n)));
  const { values } = await client.paginate<ApiRepository>(
    apiPath('repositories', workspace),
    { sort: '-updated_on', pagelen: count },
    { what: `workspace "${workspace}"`, maxItems: count, maxPages: 1, signal },
  );
  return values.map((r) => r.full_name ?? (r.slug ? `${workspace}/${r.slug}` : '')).filter((name) => name !== '');
}
