/**
 * A user's add / edit of a pool, shared by `runner-tray pool add|edit` and the dashboard's
 * `pools.add|edit`: defaults filled in, checked by the settings validator (field by field, so
 * each front end can name its flag or field), written through the settings store.
 */
import type { PoolConfig } from '../../shared/pools/types.js';
import { poolIssues } from '../settings/schema.js';
import type { PoolStore, RunnerStore } from '../settings/types.js';

/** The parts of a pool a user sets; the front ends name them their own way (`--cool-down`, `coolDownSeconds`). */
export type PoolField =
  | 'name'
  | 'workspace'
  | 'repository'
  | 'labels'
  | 'min'
  | 'max'
  | 'idle'
  | 'coolDown'
  | 'startTimeout'
  | 'on'
  | 'size'
  | 'workDir'
  | 'namespace'
  | 'context'
  | 'imagePullPolicy';

/** What a user gave; absent: the default (add) or unchanged (edit); null: cleared. */
export interface PoolInput {
  workspace?: string;
  repository?: string | null;
  labels?: string[];
  min?: number;
  max?: number;
  idle?: number;
  coolDownMs?: number;
  startTimeoutMs?: number;
  on?: PoolConfig['on'];
  size?: PoolConfig['size'];
  workDir?: string | null;
  namespace?: string;
  context?: string | null;
  /** Kubernetes pools: the pods' image pull policy; null: back to the default (Always). */
  imagePullPolicy?: PullPolicy | null;
}

type PullPolicy = NonNullable<NonNullable<PoolConfig['kubernetes']>['imagePullPolicy']>;

export const POOL_DEFAULTS = { min: 0, idle: 0, coolDownMs: 5 * 60_000, startTimeoutMs: 3 * 60_000, on: 'docker', size: '1x' } as const;

export type PoolErrorCode = 'POOL_INVALID' | 'POOL_EXISTS' | 'POOL_NOT_FOUND' | 'POOL_IN_USE' | 'STEP_RUNNING';

export interface PoolIssue {
  field: PoolField;
  message: string;
}

export class PoolError extends Error {
  constructor(
    readonly code: PoolErrorCode,
    message: string,
    readonly issues: readonly PoolIssue[] = [],
  ) {
    super(message);
    this.name = 'PoolError';
  }

  /** The issues again, each under the front end's name for its field (`--max`, `max`). */
  describe(nameOf: (field: PoolField) => string): string {
    if (this.issues.length === 0) return this.message;
    return `Pool not saved: ${this.issues.map((i) => `${nameOf(i.field)} ${i.message}`).join('; ')}.`;
  }
}

/** The dashboard's names (the `pools.*` request fields). */
export function requestFieldName(field: PoolField): string {
  return field === 'coolDown' ? 'coolDownSeconds' : field === 'startTimeout' ? 'startTimeoutSeconds' : field;
}

const FIELD_OF_KEY: Record<string, PoolField> = {
  name: 'name',
  workspace: 'workspace',
  repository: 'repository',
  labels: 'labels',
  min: 'min',
  max: 'max',
  idle: 'idle',
  coolDownMs: 'coolDown',
  startTimeoutMs: 'startTimeout',
  on: 'on',
  size: 'size',
  workDir: 'workDir',
};

function fieldOf(path: readonly PropertyKey[]): PoolField {
  if (path[0] === 'kubernetes') return path[1] === 'context' ? 'context' : path[1] === 'imagePullPolicy' ? 'imagePullPolicy' : 'namespace';
  return FIELD_OF_KEY[String(path[0])] ?? 'name';
}

/** A user-facing fix for the rules whose schema words alone do not say what to do. */
function withFix(field: PoolField, message: string): string {
  if (field === 'max' && /at most 100/.test(message)) return `${message} (pool runners count towards it with every other runner there)`;
  if (field === 'coolDown' || field === 'startTimeout') return `${message} (write durations like 30s, 5m or 1h)`;
  return message;
}

/** Throws POOL_INVALID naming every bad field, as the settings validator judges it. */
export function checkPool(pool: PoolConfig): PoolConfig {
  const issues = poolIssues(pool).map(({ path, message }) => {
    const field = fieldOf(path);
    // Durations are checked in ms; users write them in seconds or 5m, so say it in seconds.
    let text = field === 'startTimeout' && /1000/.test(message) ? 'must be at least 1s' : message;
    // Which of several labels: labels are names, not secrets, so the refused one is quoted.
    const label = field === 'labels' && typeof path[1] === 'number' ? pool.labels[path[1]] : undefined;
    if (label !== undefined) text = `${JSON.stringify(label.slice(0, 40))} ${text}`;
    return { field, message: withFix(field, text) };
  });
  if (issues.length > 0) {
    throw new PoolError('POOL_INVALID', `Pool not saved: ${issues.map((i) => `${requestFieldName(i.field)} ${i.message}`).join('; ')}.`, issues);
  }
  return pool;
}

export interface PoolSettingsDeps {
  pools: PoolStore;
  runners: RunnerStore;
  /** The connected Bitbucket workspace, the default for `workspace`. */
  connectedWorkspace: () => string | undefined;
  now?: () => Date;
}

function apply(base: Omit<PoolConfig, 'max'> & { max?: number }, input: PoolInput): PoolConfig {
  const next: Record<string, unknown> = { ...base };
  const set = (key: keyof PoolConfig, value: unknown) => {
    if (value === null) delete next[key];
    else if (value !== undefined) next[key] = value;
  };
  set('workspace', input.workspace);
  set('repository', input.repository === '' ? null : input.repository);
  if (input.labels !== undefined) next.labels = input.labels.map((l) => l.trim()).filter((l) => l !== '');
  for (const k of ['min', 'max', 'idle', 'coolDownMs', 'startTimeoutMs', 'on', 'size'] as const) set(k, input[k]);
  set('workDir', input.workDir === '' ? null : input.workDir);
  if (next.on === 'docker') {
    delete next.kubernetes;
  } else {
    const current = (base.kubernetes ?? {}) as { context?: string; namespace?: string; imagePullPolicy?: PullPolicy };
    const namespace = input.namespace ?? current.namespace;
    const context = input.context === null || input.context === '' ? undefined : (input.context ?? current.context);
    const pull = input.imagePullPolicy === null ? undefined : (input.imagePullPolicy ?? current.imagePullPolicy);
    if (namespace === undefined) delete next.kubernetes;
    else next.kubernetes = { namespace, ...(context !== undefined ? { context } : {}), ...(pull !== undefined ? { imagePullPolicy: pull } : {}) };
  }
  return next as unknown as PoolConfig;
}

function misplaced(input: PoolInput, on: PoolConfig['on']): PoolIssue[] {
  const issues: PoolIssue[] = [];
  if (on === 'docker') {
    if (input.namespace !== undefined) issues.push({ field: 'namespace', message: 'is only for pools on kubernetes: add --on kubernetes, or leave it out' });
    if (input.context) issues.push({ field: 'context', message: 'is only for pools on kubernetes: add --on kubernetes, or leave it out' });
    if (input.imagePullPolicy)
      issues.push({ field: 'imagePullPolicy', message: "is only for pools on kubernetes: this machine's Docker uses the images it has" });
  } else if (input.workDir) {
    issues.push({ field: 'workDir', message: "is only for pools on docker: a cluster's runners get their working directory in the pod" });
  }
  return issues;
}

function refuseMisplaced(input: PoolInput, on: PoolConfig['on']): void {
  const issues = misplaced(input, on);
  if (issues.length > 0)
    throw new PoolError('POOL_INVALID', `Pool not saved: ${issues.map((i) => `${requestFieldName(i.field)} ${i.message}`).join('; ')}.`, issues);
}

/** `pool add`: a new pool with the defaults filled in; refuses a name in use. */
export function addPool(deps: PoolSettingsDeps, name: string, input: PoolInput): PoolConfig {
  if (deps.pools.get(name)) {
    throw new PoolError('POOL_EXISTS', `A pool named ${name} exists already: change it with "runner-tray pool edit ${name}", or choose another name.`);
  }
  const workspace = input.workspace ?? deps.connectedWorkspace();
  if (workspace === undefined) {
    const issue = { field: 'workspace' as const, message: 'is needed: no Bitbucket workspace is connected (runner-tray bitbucket connect), so say which one' };
    throw new PoolError('POOL_INVALID', `Pool not saved: workspace ${issue.message}.`, [issue]);
  }
  const on = input.on ?? POOL_DEFAULTS.on;
  refuseMisplaced(input, on);
  const base = {
    name,
    workspace,
    labels: [],
    min: POOL_DEFAULTS.min,
    idle: POOL_DEFAULTS.idle,
    coolDownMs: POOL_DEFAULTS.coolDownMs,
    startTimeoutMs: POOL_DEFAULTS.startTimeoutMs,
    on,
    size: POOL_DEFAULTS.size,
    createdAt: (deps.now?.() ?? new Date()).toISOString(),
  };
  const pool = checkPool(apply(base, input));
  deps.pools.put(pool);
  return pool;
}

/** What a pool's runners were made for: it cannot change under runners that exist. */
function identity(p: PoolConfig): string {
  return JSON.stringify([p.workspace, p.repository ?? null, p.on, p.kubernetes?.namespace ?? null, p.kubernetes?.context ?? null]);
}

/** `pool edit`: the pool with what was given changed; the controller follows settings. */
export function editPool(deps: PoolSettingsDeps, name: string, input: PoolInput): PoolConfig {
  const current = deps.pools.get(name);
  if (!current) throw notFound(deps, name);
  refuseMisplaced(input, input.on ?? current.on);
  const next = checkPool(apply(current, input));
  const runners = deps.runners.list().filter((r) => r.pool === name).length;
  if (runners > 0 && identity(next) !== identity(current)) {
    throw new PoolError(
      'POOL_IN_USE',
      `Pool ${name} has ${runners} runner${runners === 1 ? '' : 's'} made for its workspace, repository and placement; those cannot change under them. ` +
        `Remove the pool (runner-tray pool remove ${name} retires its runners) and add it again with the new ones.`,
    );
  }
  deps.pools.put(next);
  return next;
}

export function notFound(deps: Pick<PoolSettingsDeps, 'pools'>, name: string): PoolError {
  const known = deps.pools.list().map((p) => p.name);
  return new PoolError(
    'POOL_NOT_FOUND',
    `No pool named ${name}. ${known.length > 0 ? `Pools: ${known.join(', ')}.` : 'There is none yet: add one with "runner-tray pool add NAME --max N".'}`,
  );
}
