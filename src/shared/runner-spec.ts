/**
 * RunnerSpec → the Docker create request that runs it, as the pasted `docker container run`
 * would, plus what makes it ours (labels), bounded (log limits) and durable (restart policy).
 * Pure: the engine facts come in as data.
 */
import type { EngineFacts } from './engine-facts.js';
import type { RunnerSpec } from './runner-command/types.js';
import type { Secret } from './secret.js';

export const LABEL_RUNNER = 'runner-tray.runner';
export const LABEL_KIND = 'runner-tray.kind';
export const LABEL_ACCOUNT = 'runner-tray.account';
export const LABEL_MANAGED = 'runner-tray.managed';
/** Fingerprint of everything in the create request except the secret, to spot a stale container. */
export const LABEL_SPEC = 'runner-tray.spec';

export const DOCKER_SOCKET = '/var/run/docker.sock';
export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';
export const CONTAINERS_DIR = '/var/lib/docker/containers';
export const LOG_MAX_SIZE = '10m';
export const LOG_MAX_FILE = '3';

export type EngineBindFacts = Pick<EngineFacts, 'socketPath' | 'local' | 'dockerDesktop' | 'dockerRootDir' | 'osType'>;

/** The per-runner working directory offered when runners would share one. */
export function perRunnerWorkDir(runnerUuid: string): string {
  return `/tmp/runner-tray/${bare(runnerUuid)}`;
}

/** UUID without braces, lower case: how Docker names and sibling containers spell it. */
export function bare(uuid: string): string {
  return uuid
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();
}

interface Bind {
  host: string;
  container: string;
  mode?: string;
}

function parseBind(b: string): Bind {
  // Windows host paths (`C:\x:/x`) carry a drive colon: split from the right.
  const parts = b.split(':');
  const last = parts[parts.length - 1] ?? '';
  const hasMode = parts.length >= 3 && /^(ro|rw|z|Z|shared|slave|private|rshared|rslave|rprivate|nocopy|consistent|cached|delegated)(,[a-zA-Z]+)*$/.test(last);
  const mode = hasMode ? parts.pop() : undefined;
  const container = parts.pop() ?? '';
  const host = parts.join(':');
  return mode ? { host, container, mode } : { host, container };
}

function formatBind(b: Bind): string {
  return b.mode ? `${b.host}:${b.container}:${b.mode}` : `${b.host}:${b.container}`;
}

/**
 * The spec with its working directory moved to `dir`: WORKING_DIRECTORY is set to it and it is
 * bound at the same path inside and outside (the runner hands host paths to its step containers).
 * The bind of the old working directory, if any, is replaced.
 */
export function withWorkDir(spec: RunnerSpec, dir: string): RunnerSpec {
  const old = spec.workingDirectory;
  const binds = spec.binds.filter((b) => {
    const p = parseBind(b);
    return !(p.container === old && p.host === old) && p.container !== dir;
  });
  binds.push(`${dir}:${dir}`);
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.env)) env[k] = k === 'WORKING_DIRECTORY' ? dir : v;
  if (!('WORKING_DIRECTORY' in env)) env.WORKING_DIRECTORY = dir;
  return { ...spec, workingDirectory: dir, env, binds };
}

/**
 * Binds as pasted, pointed at what this engine really has: its own socket when that is not
 * /var/run/docker.sock (rootless, a private DOCKER_HOST), and its DockerRootDir's containers.
 * Docker Desktop resolves bind paths inside its VM, where the pasted paths are right.
 */
export function engineBinds(binds: readonly string[], engine: EngineBindFacts): string[] {
  const adjust = engine.local && !engine.dockerDesktop && engine.osType !== 'windows';
  return binds.map((raw) => {
    if (!adjust) return raw;
    const b = parseBind(raw);
    if (b.container === DOCKER_SOCKET && b.host === DOCKER_SOCKET && engine.socketPath && engine.socketPath !== DOCKER_SOCKET) {
      return formatBind({ ...b, host: engine.socketPath });
    }
    const root = engine.dockerRootDir.replace(/\/+$/, '');
    if (b.container === CONTAINERS_DIR && b.host === CONTAINERS_DIR && root && root !== DEFAULT_DOCKER_ROOT) {
      return formatBind({ ...b, host: `${root}/containers` });
    }
    return raw;
  });
}

/**
 * Env as pasted, the secret right after OAUTH_CLIENT_ID (where the wizard puts it), then the
 * secret-looking extra variables (kept in the vault, so their pasted position is not known).
 */
function envList(spec: RunnerSpec, secret: Secret | null, extraSecrets: Readonly<Record<string, Secret>> = {}): string[] {
  const out: string[] = [];
  let placed = false;
  for (const [k, v] of Object.entries(spec.env)) {
    if (k === 'OAUTH_CLIENT_SECRET' || k in extraSecrets) continue;
    out.push(`${k}=${v}`);
    if (k === 'OAUTH_CLIENT_ID' && secret) {
      out.push(`OAUTH_CLIENT_SECRET=${secret.reveal()}`);
      placed = true;
    }
  }
  if (!placed && secret) out.push(`OAUTH_CLIENT_SECRET=${secret.reveal()}`);
  for (const [k, v] of Object.entries(extraSecrets)) out.push(`${k}=${v.reveal()}`);
  return out;
}

/** Small stable hash (FNV-1a, 2×32 bit) — pure JS so it runs in the browser too; not for secrets. */
function fingerprint(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

/**
 * The part of the engine's `POST /containers/create` body (plus `name`) we set. Declared here,
 * not taken from dockerode's types, so this pure module depends on no I/O library; it is
 * structurally a subset of dockerode's ContainerCreateOptions.
 */
export interface ContainerCreateOptions {
  name: string;
  Image: string;
  Env: string[];
  Labels: Record<string, string>;
  Cmd?: string[];
  Tty: boolean;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  HostConfig: {
    Binds: string[];
    LogConfig: { Type: string; Config: Record<string, string> };
    RestartPolicy: { Name: string; MaximumRetryCount: number };
  };
}

export interface ContainerOptionsInput {
  spec: RunnerSpec;
  /** The OAuth client secret from the vault. */
  secret: Secret;
  /** Secret-looking extra `-e` variables (e.g. NPM_TOKEN), from the vault. */
  extraSecrets?: Readonly<Record<string, Secret>>;
  engine: EngineBindFacts;
}

/** The create request for a runner's container. The secret goes into Env only. */
export function containerCreateOptions({ spec, secret, extraSecrets = {}, engine }: ContainerOptionsInput): ContainerCreateOptions {
  const binds = engineBinds(spec.binds, engine);
  const base: ContainerCreateOptions = {
    name: spec.name,
    Image: spec.image,
    Env: envList(spec, null),
    Labels: {
      [LABEL_RUNNER]: spec.runnerUuid,
      [LABEL_KIND]: spec.kind,
      [LABEL_ACCOUNT]: spec.accountUuid,
      [LABEL_MANAGED]: 'true',
    },
    Tty: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    HostConfig: {
      Binds: binds,
      LogConfig: { Type: 'json-file', Config: { 'max-size': LOG_MAX_SIZE, 'max-file': LOG_MAX_FILE } },
      RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 },
    },
  };
  if (spec.args.length > 0) base.Cmd = [...spec.args];
  // The fingerprint is taken before the secrets are added: it must never depend on them. The
  // names of the extra secrets count (one dropped on re-add must recreate the container); they
  // join only when there are some, so containers made before they existed stay current.
  const secretNames = Object.keys(extraSecrets).sort();
  base.Labels[LABEL_SPEC] = fingerprint(JSON.stringify(secretNames.length > 0 ? { ...base, secretNames } : base));
  return { ...base, Env: envList(spec, secret, extraSecrets) };
}

/** What we can read back from a container (docker inspect) to decide whether it is current. */
export interface ContainerSnapshot {
  labels: Record<string, string>;
  env: readonly string[];
}

/**
 * Why an existing container no longer matches what we would create (empty = current).
 * Names the fields only, never their values: one of them is the secret.
 */
export function staleReasons(expected: ContainerCreateOptions, actual: ContainerSnapshot): string[] {
  const reasons: string[] = [];
  if (actual.labels[LABEL_SPEC] !== expected.Labels?.[LABEL_SPEC]) reasons.push('settings changed');
  const secretEntry = (expected.Env ?? []).find((e) => e.startsWith('OAUTH_CLIENT_SECRET='));
  if (secretEntry !== undefined && !actual.env.includes(secretEntry)) reasons.push('secret changed');
  // With the fingerprint equal, an expected entry can only be missing when an extra secret's value changed.
  if (reasons.length === 0 && (expected.Env ?? []).some((e) => !actual.env.includes(e))) {
    reasons.push('secret variable changed');
  }
  return reasons;
}
