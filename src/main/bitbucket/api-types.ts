/**
 * The parts of Bitbucket Cloud REST API 2.0 responses we read. Everything is
 * optional beyond what the API documents as always present, because Bitbucket
 * omits fields freely (a pending step has no `started_on`, a runner that never
 * connected has no `state.step`) and we must not crash on a missing one.
 */

/** Every list endpoint: `{pagelen, page, size, next, previous, values}`; `next` is a full URL. */
export interface ApiPage<T> {
  pagelen?: number;
  page?: number;
  size?: number;
  next?: string;
  previous?: string;
  values: T[];
}

/** Error responses: `{"type":"error","error":{"message":…,"detail"?:…}}`. */
export interface ApiErrorBody {
  type?: 'error';
  error?: { message?: string; detail?: string | Record<string, unknown>; data?: unknown };
}

export interface ApiRepository {
  type?: 'repository';
  uuid?: string;
  full_name?: string;
  slug?: string;
  name?: string;
  updated_on?: string;
  workspace?: { type?: string; uuid?: string; slug?: string };
}

/** `state.name`: PENDING, IN_PROGRESS, COMPLETED (also HALTED / PAUSED on older data). */
export interface ApiState {
  type?: string;
  name?: string;
  stage?: { type?: string; name?: string };
  result?: { type?: string; name?: string };
}

export interface ApiPipeline {
  type?: 'pipeline';
  uuid: string;
  build_number?: number;
  created_on?: string;
  state?: ApiState;
  target?: { type?: string; ref_type?: string; ref_name?: string };
  /** The pipeline's repository: its `full_name` names a repository we asked for by `{UUID}`. */
  repository?: { type?: string; full_name?: string; uuid?: string; name?: string };
}

export interface ApiStep {
  type?: 'pipeline_step';
  uuid: string;
  name?: string;
  state?: ApiState;
  started_on?: string;
  completed_on?: string;
  /** `pipeline_step_trigger_automatic` or `pipeline_step_trigger_manual`. */
  trigger?: { type?: string };
  /** Runner labels from `runs-on`, where Bitbucket reports them. */
  runs_on?: unknown;
}

export interface ApiRunner {
  type?: 'pipeline_runner';
  uuid: string;
  name?: string;
  labels?: string[];
  state?: {
    type?: string;
    /** ONLINE, OFFLINE, UNREGISTERED, DISABLED (also ENABLED / UNHEALTHY in Bitbucket's schema). */
    status?: string;
    updated_on?: string;
    cordoned?: boolean;
    /** Present while the runner executes a step. */
    step?: { uuid?: string; pipeline?: { uuid?: string } } | null;
  };
  created_on?: string;
  updated_on?: string;
  /** The runner's OAuth client; `secret` is in the create answer only. */
  oauth_client?: { id?: string; secret?: string; token_endpoint?: string; audience?: string };
}

export interface ApiWorkspace {
  type?: 'workspace';
  uuid?: string;
  slug?: string;
  name?: string;
}
