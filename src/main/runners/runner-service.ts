/**
 * Runner lifecycle on the Docker engine: add (secret into the vault, settings into the store),
 * start / stop / remove the runner's container, status and reconcile from the engine by label.
 */
import { mkdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type Docker from 'dockerode';
import type { ContainerState } from '../../shared/contract/views.js';
import type { ParseResult, RunnerSpec } from '../../shared/runner-command/types.js';
import {
  bare,
  containerCreateOptions,
  type ContainerCreateOptions,
  LABEL_MANAGED,
  LABEL_RUNNER,
  perRunnerWorkDir,
  staleReasons,
  withWorkDir,
} from '../../shared/runner-spec.js';
import { redactText, type Secret } from '../../shared/secret.js';
import { EngineUnreachableError, type Engine } from '../docker/engine.js';
import type { RunnerRecord, RunnerStore } from '../settings/types.js';
import { runnerEnvSecretKey, runnerSecretKey } from '../vault/keys.js';
import type { SecretVault } from '../vault/types.js';
import { engineMessage, RunnerError, statusCodeOf } from './errors.js';
import { TypedEmitter, type RunnerEvent } from './events.js';
import { ensureImage } from './image.js';
import { KeyedMutex } from './mutex.js';
import { resolveRunner } from './resolve.js';

export interface RunnerServiceDeps {
  /**
   * The engine, or how to reach it on first use: adding a runner writes only the vault and
   * settings, so it works while Docker is down. A failed connection is retried on the next call.
   */
  engine: Engine | (() => Promise<Engine>);
  store: RunnerStore;
  vault: SecretVault;
  now?: () => Date;
  /** Look for a newer runner image in the background after starting from a local one (default true). */
  checkForImageUpdates?: boolean;
  /** Seconds Docker waits after SIGTERM before SIGKILL on stop (default 10). */
  stopTimeoutSeconds?: number;
}

export interface AddOptions {
  /** Per-runner working directory (absolute; created), or `auto` for /tmp/runner-tray/<uuid>. */
  workDir?: string;
  /** The runner UUID is already known: rotate its secret and replace its settings. */
  replace?: boolean;
  displayName?: string;
}

export interface SharedWorkDirWarning {
  code: 'SHARED_WORKING_DIRECTORY';
  message: string;
  suggestedWorkDir: string;
}

/** The runner's container is running: the new settings/secret apply only after stop + start. */
export interface PendingRestartWarning {
  code: 'PENDING_RESTART';
  message: string;
}

export type AddWarning = SharedWorkDirWarning | PendingRestartWarning;

export interface AddResult {
  record: RunnerRecord;
  replaced: boolean;
  warnings: AddWarning[];
}

export interface StartOptions {
  /** A `runner-<uuid>` container made by hand for this same runner: take it over (recreated as ours). */
  adopt?: boolean;
  /** A container with this runner's name that we did not create: remove it and create ours. */
  replace?: boolean;
}

export interface RunnerStatus {
  runnerUuid: string;
  name: string;
  displayName: string;
  kind: RunnerSpec['kind'];
  containerId: string | null;
  containerState: ContainerState;
  image: string;
  /** ISO-8601 of the container's last start, while it runs. */
  startedAt: string | null;
  uptimeSeconds: number | null;
  exitCode: number | null;
  restartCount: number;
  workingDirectory: string;
}

export interface StartResult extends RunnerStatus {
  /**
   * The runner was already running with other settings or secrets than stored: it was left
   * running (a step may be in progress) and `notice` says how to apply them.
   */
  pendingRestart: boolean;
  notice?: string;
}

export interface ReconcileReport {
  runners: RunnerStatus[];
  /** Containers carrying our labels whose runner is not in settings (never removed automatically). */
  orphans: Array<{ containerId: string; name: string; runnerUuid: string }>;
}

interface ContainerFacts {
  id: string;
  state: ContainerState;
  startedAt: string | null;
  exitCode: number | null;
  restartCount: number;
}

const CONTAINER_STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/** Names a replacement container passes through: created as `<name>-next`, the old one set aside as `<name>-previous`. */
const NEXT_SUFFIX = '-next';
const PREVIOUS_SUFFIX = '-previous';
/** A transitional container older than this is a leftover of a process that died mid-replace. */
const LEFTOVER_AFTER_SECONDS = 120;

function pendingRestartMessage(uuid: string, reasons: readonly string[]): string {
  return (
    `Runner ${uuid}: ${reasons.join(', ')}; stop and start the runner to apply them ` +
    `(runner-tray stop ${uuid} && runner-tray start ${uuid}) — it is not restarted automatically so a running step is not killed.`
  );
}

interface RunnerSecrets {
  secret: Secret;
  extra: Record<string, Secret>;
}

interface ManagedContainer {
  id: string;
  name: string;
  /** Seconds since the epoch. */
  created: number;
}

export class RunnerService {
  readonly events = new TypedEmitter<RunnerEvent>();
  readonly #engineSource: Engine | (() => Promise<Engine>);
  #engine: Promise<Engine> | undefined;
  /** Set once connected: the engine named in error messages. */
  #connected: Engine | undefined;
  readonly #store: RunnerStore;
  readonly #vault: SecretVault;
  readonly #now: () => Date;
  readonly #checkForUpdates: boolean;
  readonly #stopTimeout: number;
  readonly #mutex = new KeyedMutex();
  readonly #background = new Set<Promise<void>>();

  constructor(deps: RunnerServiceDeps) {
    this.#engineSource = deps.engine;
    if (typeof deps.engine !== 'function') {
      this.#connected = deps.engine;
      this.#engine = Promise.resolve(deps.engine);
    }
    this.#store = deps.store;
    this.#vault = deps.vault;
    this.#now = deps.now ?? (() => new Date());
    this.#checkForUpdates = deps.checkForImageUpdates ?? true;
    this.#stopTimeout = deps.stopTimeoutSeconds ?? 10;
  }

  /** The stored runner for `<runner>` (UUID with/without braces, or container name). */
  resolve(runner: string): RunnerRecord {
    return resolveRunner(runner, this.#store.list());
  }

  /** Other runners that would share this spec's working directory, with the per-runner dir to use instead. */
  sharedWorkDirWarnings(spec: RunnerSpec): SharedWorkDirWarning[] {
    const sharing = this.#store
      .list()
      .filter((r) => bare(r.spec.runnerUuid) !== bare(spec.runnerUuid) && r.spec.workingDirectory === spec.workingDirectory);
    if (sharing.length === 0) return [];
    const suggestedWorkDir = perRunnerWorkDir(spec.runnerUuid);
    return [
      {
        code: 'SHARED_WORKING_DIRECTORY',
        message:
          `Runner ${spec.runnerUuid} would share its working directory ${spec.workingDirectory} with ` +
          `${sharing.map((r) => r.spec.runnerUuid).join(', ')}; steps of the two runners can clash there. ` +
          `Add it with a directory of its own: --work-dir ${suggestedWorkDir}`,
        suggestedWorkDir,
      },
    ];
  }

  async add(parsed: ParseResult, options: AddOptions = {}): Promise<AddResult> {
    if (!parsed.ok) throw new RunnerError('INVALID_RUNNER', parsed.error.message);
    let spec = parsed.spec;
    const uuid = spec.runnerUuid;
    // Secret-looking extra `-e` variables (e.g. NPM_TOKEN): the parser keeps them out of the spec.
    // A result built by hand (tests, older callers) may lack the field.
    const extra: Record<string, Secret> = parsed.extraSecrets ?? {};
    return this.#mutex.run(bare(uuid), async () => {
      const existing = this.#store.list().find((r) => bare(r.spec.runnerUuid) === bare(uuid));
      if (existing && !options.replace) {
        throw new RunnerError(
          'RUNNER_EXISTS',
          `Runner ${uuid} is already added (as "${existing.displayName}"). To rotate its secret or change its ` +
            'settings, add the command again with --replace; to run it, `runner-tray start ' + uuid + '`.',
          uuid,
        );
      }
      if (options.workDir !== undefined) {
        const dir = options.workDir === 'auto' ? perRunnerWorkDir(uuid) : options.workDir;
        if (!isAbsolute(dir) || !dir.startsWith('/')) {
          throw new RunnerError('WORK_DIR_FAILED', `The working directory must be an absolute path such as ${perRunnerWorkDir(uuid)}; got "${dir}".`, uuid);
        }
        try {
          await mkdir(dir, { recursive: true });
        } catch (e) {
          throw new RunnerError('WORK_DIR_FAILED', `Could not create the working directory ${dir}: ${(e as Error).message}. Choose another --work-dir.`, uuid);
        }
        spec = withWorkDir(spec, dir);
      } else if (existing && existing.spec.workingDirectory === perRunnerWorkDir(uuid) && spec.workingDirectory !== existing.spec.workingDirectory) {
        // Rotating a secret re-pastes the wizard's command (WORKING_DIRECTORY=/tmp): keep the runner's own dir.
        spec = withWorkDir(spec, existing.spec.workingDirectory);
      }
      const warnings: AddWarning[] = this.sharedWorkDirWarnings(spec);
      const extraNames = Object.keys(extra);
      const record: RunnerRecord = {
        spec,
        displayName: options.displayName ?? existing?.displayName ?? spec.name,
        addedAt: existing?.addedAt ?? this.#now().toISOString(),
        ...(extraNames.length > 0 ? { vaultEnv: extraNames } : {}),
      };
      const entries: Array<[string, Secret]> = [
        [runnerSecretKey(uuid), parsed.secret],
        ...extraNames.map((n): [string, Secret] => [runnerEnvSecretKey(uuid, n), extra[n]!]),
      ];
      const dropped = (existing?.vaultEnv ?? []).filter((n) => !(n in extra)).map((n) => runnerEnvSecretKey(uuid, n));
      // What the vault held before, to put back if settings cannot be written.
      const previous = new Map<string, Secret | null>();
      for (const [key] of entries) previous.set(key, existing ? await this.#vault.get(key) : null);
      const restore = async () => {
        for (const [key, value] of previous) {
          await (value ? this.#vault.set(key, value) : this.#vault.delete(key).then(() => undefined)).catch(() => undefined);
        }
      };
      // Secrets first: a runner is never in settings without its secrets.
      try {
        for (const [key, value] of entries) await this.#vault.set(key, value);
        this.#store.put(record);
      } catch (e) {
        await restore();
        throw e;
      }
      // Variables no longer pasted: their values go once the settings stop naming them.
      for (const key of dropped) await this.#vault.delete(key).catch(() => undefined);
      if (existing) {
        const running = await this.#runningContainer(uuid);
        if (running) {
          warnings.push({
            code: 'PENDING_RESTART',
            message: pendingRestartMessage(uuid, ['settings and secret replaced, the running container still has the old ones']),
          });
        }
      }
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'added', containerState: 'missing', ...(existing ? { reason: 'replaced settings and secret' } : {}) });
      return { record, replaced: existing !== undefined, warnings };
    });
  }

  /** Whether the runner's container runs, when the engine can tell; `false` when it cannot be reached. */
  async #runningContainer(uuid: string): Promise<boolean> {
    try {
      const docker = (await this.#connect()).docker;
      const ids = await this.#managedIds(docker, uuid);
      return ids[0] !== undefined && (await docker.getContainer(ids[0]).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  async start(runner: string, options: StartOptions = {}): Promise<StartResult> {
    const record = this.resolve(runner);
    const uuid = record.spec.runnerUuid;
    if (record.placement) {
      const p = record.placement;
      throw new RunnerError(
        'PLACED_ON_CLUSTER',
        `Runner ${uuid} runs on Kubernetes (context "${p.context}", namespace ${p.namespace}); two processes on one runner UUID clash. ` +
          `Bring it back first: runner-tray k8s delete ${uuid} --start`,
        uuid,
      );
    }
    return this.#mutex.run(bare(uuid), async () => {
      const secrets = await this.#secretsOf(record);
      const scrub = [secrets.secret, ...Object.values(secrets.extra)];
      let outcome: { id: string; pending?: string[] };
      try {
        outcome = await this.#start(await this.#connect(), record, secrets, options);
      } catch (e) {
        throw this.#wrap(e, uuid, scrub);
      }
      const status = await this.#engineCall((docker) => this.#statusFrom(docker, record, outcome.id), uuid);
      if (!outcome.pending) return { ...status, pendingRestart: false };
      return { ...status, pendingRestart: true, notice: pendingRestartMessage(uuid, outcome.pending) };
    });
  }

  async #secretsOf(record: RunnerRecord): Promise<RunnerSecrets> {
    const uuid = record.spec.runnerUuid;
    const missing = (what: string) =>
      new RunnerError(
        'SECRET_MISSING',
        `The vault (${this.#vault.location}) has no ${what} for runner ${uuid}. Paste the runner command again with \`runner-tray add --replace\`.`,
        uuid,
      );
    const secret = await this.#vault.get(runnerSecretKey(uuid));
    if (!secret) throw missing('secret');
    const extra: Record<string, Secret> = {};
    for (const name of record.vaultEnv ?? []) {
      const value = await this.#vault.get(runnerEnvSecretKey(uuid, name));
      if (!value) throw missing(`value of ${name}`);
      extra[name] = value;
    }
    return { secret, extra };
  }

  /** Returns the id of the runner's container (running), and why it is stale when it was left running. */
  async #start(engine: Engine, record: RunnerRecord, secrets: RunnerSecrets, options: StartOptions): Promise<{ id: string; pending?: string[] }> {
    const docker = engine.docker;
    const { spec } = record;
    const uuid = spec.runnerUuid;
    const expected = containerCreateOptions({ spec, secret: secrets.secret, extraSecrets: secrets.extra, engine: engine.facts });
    let action: 'created' | 'adopted' | 'replaced' | 'recreated' = 'created';
    let reason: string | undefined;

    // Both lookups at once: a start is a handful of engine round trips, each counts.
    const [mine, byName] = await Promise.all([this.#managed(docker, uuid), this.#inspectByName(docker, spec.name)]);
    const isOurs = (info: Docker.ContainerInspectInfo): boolean => {
      const labels = info.Config.Labels ?? {};
      return labels[LABEL_MANAGED] === 'true' && bare(labels[LABEL_RUNNER] ?? '') === bare(uuid);
    };
    const transitional = (c: ManagedContainer) => c.name === spec.name + NEXT_SUFFIX || c.name === spec.name + PREVIOUS_SUFFIX;
    const nowSeconds = this.#now().getTime() / 1000;
    for (const c of mine.filter((c) => transitional(c) && nowSeconds - c.created > LEFTOVER_AFTER_SECONDS)) {
      await this.#removeContainer(docker, c.id);
    }
    // Another process's replacement in progress is left alone; only settled duplicates go.
    const settled = mine.filter((c) => !transitional(c));
    // Found by name but not yet by label: another process created it between our two lookups.
    const current = settled.find((c) => c.name === spec.name)?.id ?? settled[0]?.id ?? (byName && isOurs(byName) ? byName.Id : undefined);
    for (const c of settled) if (c.id !== current) await this.#removeContainer(docker, c.id); // never two containers per runner

    let old: { id: string; running: boolean } | undefined;
    if (current) {
      const info = current === byName?.Id ? byName : await docker.getContainer(current).inspect();
      const reasons = staleReasons(expected, { labels: info.Config.Labels ?? {}, env: info.Config.Env ?? [] });
      if (reasons.length === 0) {
        if (!info.State.Running) {
          await this.#startContainer(docker, current);
          this.events.emit({ type: 'state', runnerUuid: uuid, action: 'started', containerState: 'running' });
        }
        return { id: current };
      }
      // Running (not merely restarting after a crash): it may be in the middle of a step.
      if (info.State.Running && !info.State.Restarting) return { id: current, pending: reasons };
      old = { id: current, running: info.State.Running };
      action = 'recreated';
      reason = reasons.join(', ');
    } else if (byName) {
      const foreign = byName;
      if (options.replace) {
        action = 'replaced';
      } else if (options.adopt) {
        const theirs = (foreign.Config.Env ?? []).find((e) => e.startsWith('RUNNER_UUID='))?.slice('RUNNER_UUID='.length);
        if (theirs === undefined || bare(theirs) !== bare(uuid)) {
          throw new RunnerError(
            'CONTAINER_CONFLICT',
            `The container "${spec.name}" runs ${theirs ? `runner ${theirs}` : 'something else'}, not runner ${uuid}, ` +
              'so it cannot be adopted. Use --replace to remove it and create this runner\'s container.',
            uuid,
          );
        }
        action = 'adopted';
      } else {
        throw new RunnerError(
          'CONTAINER_CONFLICT',
          `A container named "${spec.name}" already exists and was not created by Runner Tray (probably started by ` +
            'hand from the pasted command). Start again with --adopt to take it over (it is recreated with the same ' +
            'settings plus log limits and restart policy) or with --replace to remove it and create a new one.',
          uuid,
        );
      }
      old = { id: foreign.Id, running: foreign.State.Running };
    }

    // The image before anything is touched: a failed pull leaves the old container as it was.
    const image = await ensureImage(docker, spec.image, {
      runnerUuid: uuid,
      emit: (e) => this.events.emit(e),
      checkForUpdates: this.#checkForUpdates,
    });
    if (image.updateCheck) this.#track(image.updateCheck);

    let id: string;
    if (old) {
      const swapped = await this.#replace(docker, old, expected, uuid);
      if (swapped === 'other-replaced') return this.#start(engine, record, secrets, options);
      id = swapped;
    } else {
      id = await this.#create(docker, expected, uuid);
      await this.#startContainer(docker, id);
    }
    this.events.emit({ type: 'state', runnerUuid: uuid, action, containerState: 'running', ...(reason ? { reason } : {}) });
    return { id };
  }

  /** A fresh container under the runner's name; when another process won the race, its container if it is ours. */
  async #create(docker: Docker, expected: ContainerCreateOptions, uuid: string): Promise<string> {
    try {
      return (await docker.createContainer(expected)).id;
    } catch (e) {
      if (statusCodeOf(e) !== 409) throw e;
    }
    // Another process created it between our look and our create: use it only if it is ours.
    // Docker reserves the name (409 for us) a moment before that container can be inspected, so
    // look again briefly. Bounded (2 s, far above the milliseconds a create takes): past that the
    // name belongs to something that is not becoming a container of ours.
    const name = expected.name;
    let raced = await this.#inspectByName(docker, name);
    for (let i = 0; !raced && i < 40; i++) {
      await new Promise((r) => setTimeout(r, 50));
      raced = await this.#inspectByName(docker, name);
    }
    const labels = raced?.Config.Labels ?? {};
    if (!raced || bare(labels[LABEL_RUNNER] ?? '') !== bare(uuid)) {
      throw new RunnerError('CONTAINER_CONFLICT', `Another container named "${name}" appeared while starting; run start again with --adopt or --replace.`, uuid);
    }
    return raced.Id;
  }

  /**
   * Swap `old` for a new container without ever leaving the runner without one: create the new
   * one as `<name>-next`, set the old aside as `<name>-previous`, give the new one the name, stop
   * the old, start the new, and only then remove the old. Any failure undoes the steps taken, so the
   * old container is back under its name (running again if it was) and no new one is left.
   * Returns 'other-replaced' when another process was doing the same swap (its `-next` existed).
   */
  async #replace(docker: Docker, old: { id: string; running: boolean }, expected: ContainerCreateOptions, uuid: string): Promise<string | 'other-replaced'> {
    const nextName = expected.name + NEXT_SUFFIX;
    let id: string;
    try {
      id = (await docker.createContainer({ ...expected, name: nextName })).id;
    } catch (e) {
      if (statusCodeOf(e) !== 409) throw e;
      // The `-next` name works as a lock between processes: wait for the other swap to finish.
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await this.#inspectByName(docker, nextName))) await new Promise((r) => setTimeout(r, 100));
      if (await this.#inspectByName(docker, nextName)) {
        throw new RunnerError(
          'CONTAINER_CONFLICT',
          `Another start is replacing runner ${uuid}'s container (a container "${nextName}" exists). Try again in a minute; ` +
            `if no other Runner Tray is running, remove the leftover with: docker rm -f ${nextName}`,
          uuid,
        );
      }
      return 'other-replaced';
    }
    const oldContainer = docker.getContainer(old.id);
    const undo: Array<() => Promise<unknown>> = [() => this.#removeContainer(docker, id)];
    try {
      await oldContainer.rename({ name: expected.name + PREVIOUS_SUFFIX });
      undo.push(() => oldContainer.rename({ name: expected.name }));
      await docker.getContainer(id).rename({ name: expected.name });
      if (old.running) {
        // One runner UUID must not be online twice; t=0 as the old force-remove did.
        await oldContainer.stop({ t: 0 }).catch((e: unknown) => {
          if (statusCodeOf(e) !== 304) throw e;
        });
        undo.push(() => oldContainer.start());
      }
      await this.#startContainer(docker, id);
    } catch (e) {
      // First the new container (it may hold the name), then the old one back under it.
      for (const step of undo) await step().catch(() => undefined);
      throw e;
    }
    await this.#removeContainer(docker, old.id).catch(() => undefined); // a leftover is cleaned by the next start
    return id;
  }

  async stop(runner: string): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    const uuid = record.spec.runnerUuid;
    return this.#mutex.run(bare(uuid), async () => {
      const docker = await this.#engineCall(async (d) => d, uuid);
      const ids = await this.#engineCall(() => this.#managedIds(docker, uuid), uuid);
      for (const id of ids) {
        try {
          await docker.getContainer(id).stop({ t: this.#stopTimeout });
        } catch (e) {
          if (statusCodeOf(e) !== 304 && statusCodeOf(e) !== 404) throw this.#wrap(e, uuid);
        }
      }
      const status = await this.#engineCall(() => this.#status(docker, record), uuid);
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'stopped', containerState: status.containerState });
      return status;
    });
  }

  /** Container, stored secrets and settings: nothing of the runner is left. */
  async remove(runner: string): Promise<{ runnerUuid: string }> {
    const record = this.resolve(runner);
    const uuid = record.spec.runnerUuid;
    return this.#mutex.run(bare(uuid), async () => {
      try {
        const docker = (await this.#connect()).docker;
        for (const id of await this.#managedIds(docker, uuid)) await this.#removeContainer(docker, id);
      } catch (e) {
        const wrapped = this.#wrap(e, uuid);
        // The container may still run: removing the secret and settings now would orphan it.
        throw new RunnerError(
          'ENGINE_ERROR',
          `Runner ${uuid} was not removed (its container, secret and settings are all kept): ${wrapped.message}`,
          uuid,
        );
      }
      // Vault before settings: a failure leaves the runner listed, so remove can be retried,
      // rather than a secret nobody can find any more.
      for (const name of record.vaultEnv ?? []) await this.#vault.delete(runnerEnvSecretKey(uuid, name));
      await this.#vault.delete(runnerSecretKey(uuid));
      this.#store.remove(uuid);
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'removed', containerState: 'missing' });
      return { runnerUuid: uuid };
    });
  }

  async status(runner: string): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    return this.#engineCall((docker) => this.#status(docker, record), record.spec.runnerUuid);
  }

  async list(): Promise<RunnerStatus[]> {
    const records = this.#store.list();
    return this.#engineCall(async (docker) => {
      const byRunner = await this.#managedByRunner(docker);
      return Promise.all(records.map((r) => this.#statusFrom(docker, r, byRunner.get(bare(r.spec.runnerUuid))?.[0])));
    });
  }

  /** On start-up: what the engine has, by label, against settings. Emits one `reconciled` per runner. */
  async reconcile(): Promise<ReconcileReport> {
    const records = this.#store.list();
    const known = new Set(records.map((r) => bare(r.spec.runnerUuid)));
    const containers = await this.#engineCall((docker) =>
      docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } }),
    );
    const orphans = containers
      .filter((c) => !known.has(bare(c.Labels[LABEL_RUNNER] ?? '')))
      .map((c) => ({ containerId: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), runnerUuid: c.Labels[LABEL_RUNNER] ?? '' }));
    const runners = await this.list();
    for (const s of runners) this.events.emit({ type: 'state', runnerUuid: s.runnerUuid, action: 'reconciled', containerState: s.containerState });
    return { runners, orphans };
  }

  /** Wait for background work (image update checks); for shutdown and tests. */
  async settle(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
  }

  #track(p: Promise<void>): void {
    const t = p.finally(() => this.#background.delete(t));
    this.#background.add(t);
  }

  /** The engine, connected on first use; a failed attempt is not remembered, so the next call retries. */
  #connect(): Promise<Engine> {
    if (!this.#engine) {
      const source = this.#engineSource as () => Promise<Engine>;
      this.#engine = source().then(
        (engine) => (this.#connected = engine),
        (e: unknown) => {
          this.#engine = undefined;
          throw e;
        },
      );
    }
    return this.#engine;
  }

  async #managedByRunner(docker: Docker): Promise<Map<string, string[]>> {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } });
    const map = new Map<string, string[]>();
    for (const c of containers.sort((a, b) => b.Created - a.Created)) {
      const key = bare(c.Labels[LABEL_RUNNER] ?? '');
      map.set(key, [...(map.get(key) ?? []), c.Id]);
    }
    return map;
  }

  /** Our containers for this runner, newest first. */
  async #managed(docker: Docker, uuid: string): Promise<ManagedContainer[]> {
    const containers = await docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_RUNNER}=${uuid}`] },
    });
    return containers
      .sort((a, b) => b.Created - a.Created)
      .map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), created: c.Created }));
  }

  async #managedIds(docker: Docker, uuid: string): Promise<string[]> {
    return (await this.#managed(docker, uuid)).map((c) => c.id);
  }

  async #inspectByName(docker: Docker, name: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await docker.getContainer(name).inspect();
    } catch (e) {
      if (statusCodeOf(e) === 404) return null;
      throw e;
    }
  }

  async #startContainer(docker: Docker, id: string): Promise<void> {
    try {
      await docker.getContainer(id).start();
    } catch (e) {
      if (statusCodeOf(e) !== 304) throw e;
    }
  }

  async #removeContainer(docker: Docker, id: string): Promise<void> {
    try {
      await docker.getContainer(id).remove({ force: true });
    } catch (e) {
      // 404: already gone; 409: removal already in progress.
      if (statusCodeOf(e) !== 404 && statusCodeOf(e) !== 409) throw e;
    }
  }

  async #status(docker: Docker, record: RunnerRecord): Promise<RunnerStatus> {
    const all = await this.#managed(docker, record.spec.runnerUuid);
    // Mid-replace the runner has two containers: the one under its name is the runner.
    return this.#statusFrom(docker, record, (all.find((c) => c.name === record.spec.name) ?? all[0])?.id);
  }

  async #statusFrom(docker: Docker, record: RunnerRecord, containerId: string | undefined): Promise<RunnerStatus> {
    const facts = containerId ? await this.#containerFacts(docker, containerId) : null;
    const startedAt = facts?.state === 'running' ? facts.startedAt : null;
    return {
      runnerUuid: record.spec.runnerUuid,
      name: record.spec.name,
      displayName: record.displayName,
      kind: record.spec.kind,
      containerId: facts?.id ?? null,
      containerState: facts?.state ?? 'missing',
      image: record.spec.image,
      startedAt,
      uptimeSeconds: startedAt ? Math.max(0, Math.round((this.#now().getTime() - Date.parse(startedAt)) / 1000)) : null,
      exitCode: facts && facts.state !== 'running' ? facts.exitCode : null,
      restartCount: facts?.restartCount ?? 0,
      workingDirectory: record.spec.workingDirectory,
    };
  }

  async #containerFacts(docker: Docker, id: string): Promise<ContainerFacts | null> {
    try {
      const info = await docker.getContainer(id).inspect();
      const status = info.State.Status as ContainerState;
      return {
        id: info.Id,
        state: CONTAINER_STATES.includes(status) ? status : 'dead',
        startedAt: info.State.StartedAt && !info.State.StartedAt.startsWith('0001-') ? info.State.StartedAt : null,
        exitCode: typeof info.State.ExitCode === 'number' ? info.State.ExitCode : null,
        restartCount: info.RestartCount ?? 0,
      };
    } catch (e) {
      if (statusCodeOf(e) === 404) return null;
      throw e;
    }
  }

  /** Engine failures become ENGINE_ERROR with the engine's words, scrubbed of the secrets. */
  #wrap(e: unknown, runnerUuid?: string, secrets: readonly Secret[] = []): Error {
    if (e instanceof RunnerError) return e;
    // Its message already names every place looked at and the fix.
    if (e instanceof EngineUnreachableError) return e;
    const sysCode = (e as { code?: unknown } | null)?.code;
    if (sysCode === 'ECONNREFUSED' || sysCode === 'ENOENT' || sysCode === 'ECONNRESET' || sysCode === 'EPIPE') {
      const where = this.#connected ? `at ${this.#connected.facts.host} (${this.#connected.facts.source}) ` : '';
      return new RunnerError(
        'ENGINE_ERROR',
        `The Docker engine ${where}stopped answering (${String(sysCode)}). Start Docker again; ` +
          'runners with restart policy unless-stopped come back with it.',
        runnerUuid,
      );
    }
    const message = engineMessage(e);
    return new RunnerError(
      'ENGINE_ERROR',
      `Docker engine error${runnerUuid ? ` for runner ${runnerUuid}` : ''}: ${secrets.length > 0 ? redactText(message, [...secrets]) : message}`,
      runnerUuid,
    );
  }

  async #engineCall<T>(fn: (docker: Docker) => Promise<T>, runnerUuid?: string): Promise<T> {
    try {
      return await fn((await this.#connect()).docker);
    } catch (e) {
      throw this.#wrap(e, runnerUuid);
    }
  }
}
