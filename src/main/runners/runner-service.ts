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
  LABEL_MANAGED,
  LABEL_RUNNER,
  perRunnerWorkDir,
  staleReasons,
  withWorkDir,
} from '../../shared/runner-spec.js';
import { redactText, type Secret } from '../../shared/secret.js';
import type { Engine } from '../docker/engine.js';
import type { RunnerRecord, RunnerStore } from '../settings/types.js';
import { runnerSecretKey } from '../vault/keys.js';
import type { SecretVault } from '../vault/types.js';
import { engineMessage, RunnerError, statusCodeOf } from './errors.js';
import { TypedEmitter, type RunnerEvent } from './events.js';
import { ensureImage } from './image.js';
import { KeyedMutex } from './mutex.js';
import { resolveRunner } from './resolve.js';

export interface RunnerServiceDeps {
  engine: Engine;
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

export interface AddWarning {
  code: 'SHARED_WORKING_DIRECTORY';
  message: string;
  suggestedWorkDir: string;
}

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

export class RunnerService {
  readonly events = new TypedEmitter<RunnerEvent>();
  readonly #docker: Docker;
  readonly #engine: Engine;
  readonly #store: RunnerStore;
  readonly #vault: SecretVault;
  readonly #now: () => Date;
  readonly #checkForUpdates: boolean;
  readonly #stopTimeout: number;
  readonly #mutex = new KeyedMutex();
  readonly #background = new Set<Promise<void>>();

  constructor(deps: RunnerServiceDeps) {
    this.#engine = deps.engine;
    this.#docker = deps.engine.docker;
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
  sharedWorkDirWarnings(spec: RunnerSpec): AddWarning[] {
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
      const warnings = this.sharedWorkDirWarnings(spec);
      const record: RunnerRecord = {
        spec,
        displayName: options.displayName ?? existing?.displayName ?? spec.name,
        addedAt: existing?.addedAt ?? this.#now().toISOString(),
      };
      const key = runnerSecretKey(uuid);
      const previous = existing ? await this.#vault.get(key) : null;
      // Secret first: a runner is never in settings without its secret.
      await this.#vault.set(key, parsed.secret);
      try {
        this.#store.put(record);
      } catch (e) {
        if (previous) await this.#vault.set(key, previous).catch(() => undefined);
        else await this.#vault.delete(key).catch(() => undefined);
        throw e;
      }
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'added', containerState: 'missing', ...(existing ? { reason: 'replaced settings and secret' } : {}) });
      return { record, replaced: existing !== undefined, warnings };
    });
  }

  async start(runner: string, options: StartOptions = {}): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    return this.#mutex.run(bare(record.spec.runnerUuid), async () => {
      const secret = await this.#vault.get(runnerSecretKey(record.spec.runnerUuid));
      if (!secret) {
        throw new RunnerError(
          'SECRET_MISSING',
          `The vault (${this.#vault.location}) has no secret for runner ${record.spec.runnerUuid}. ` +
            'Paste the runner command again with `runner-tray add --replace`.',
          record.spec.runnerUuid,
        );
      }
      let id: string;
      try {
        id = await this.#start(record, secret, options);
      } catch (e) {
        throw this.#wrap(e, record.spec.runnerUuid, secret);
      }
      return this.#engineCall(() => this.#statusFrom(record, id), record.spec.runnerUuid);
    });
  }

  /** Returns the id of the runner's (running) container. */
  async #start(record: RunnerRecord, secret: Secret, options: StartOptions): Promise<string> {
    const { spec } = record;
    const uuid = spec.runnerUuid;
    const expected = containerCreateOptions({ spec, secret, engine: this.#engine.facts });
    let action: 'created' | 'adopted' | 'replaced' | 'recreated' = 'created';
    let reason: string | undefined;

    // Both lookups at once: a start is a handful of engine round trips, each counts.
    const [mine, byName] = await Promise.all([this.#managedIds(uuid), this.#inspectByName(spec.name)]);
    const isOurs = (info: Docker.ContainerInspectInfo): boolean => {
      const labels = info.Config.Labels ?? {};
      return labels[LABEL_MANAGED] === 'true' && bare(labels[LABEL_RUNNER] ?? '') === bare(uuid);
    };
    for (const id of mine.slice(1)) await this.#removeContainer(id); // never two containers per runner
    // Found by name but not yet by label: another process created it between our two lookups.
    const current = mine[0] ?? (byName && isOurs(byName) ? byName.Id : undefined);
    if (current) {
      const info = current === byName?.Id ? byName : await this.#docker.getContainer(current).inspect();
      const reasons = staleReasons(expected, { labels: info.Config.Labels ?? {}, env: info.Config.Env ?? [] });
      if (reasons.length === 0) {
        if (!info.State.Running) {
          await this.#startContainer(current);
          this.events.emit({ type: 'state', runnerUuid: uuid, action: 'started', containerState: 'running' });
        }
        return current;
      }
      await this.#removeContainer(current);
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
      await this.#removeContainer(foreign.Id);
    }

    const image = await ensureImage(this.#docker, spec.image, {
      runnerUuid: uuid,
      emit: (e) => this.events.emit(e),
      checkForUpdates: this.#checkForUpdates,
    });
    if (image.updateCheck) this.#track(image.updateCheck);

    let id: string;
    try {
      id = (await this.#docker.createContainer(expected)).id;
    } catch (e) {
      if (statusCodeOf(e) !== 409) throw e;
      // Another process created it between our look and our create: use it only if it is ours.
      // Docker reserves the name before the container can be inspected: give it a moment.
      let raced = await this.#inspectByName(spec.name);
      for (let i = 0; !raced && i < 40; i++) {
        await new Promise((r) => setTimeout(r, 50));
        raced = await this.#inspectByName(spec.name);
      }
      const labels = raced?.Config.Labels ?? {};
      if (!raced || bare(labels[LABEL_RUNNER] ?? '') !== bare(uuid)) {
        throw new RunnerError('CONTAINER_CONFLICT', `Another container named "${spec.name}" appeared while starting; run start again with --adopt or --replace.`, uuid);
      }
      id = raced.Id;
    }
    await this.#startContainer(id);
    this.events.emit({ type: 'state', runnerUuid: uuid, action, containerState: 'running', ...(reason ? { reason } : {}) });
    return id;
  }

  async stop(runner: string): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    return this.#mutex.run(bare(record.spec.runnerUuid), async () => {
      const ids = await this.#engineCall(() => this.#managedIds(record.spec.runnerUuid), record.spec.runnerUuid);
      for (const id of ids) {
        try {
          await this.#docker.getContainer(id).stop({ t: this.#stopTimeout });
        } catch (e) {
          if (statusCodeOf(e) !== 304 && statusCodeOf(e) !== 404) throw this.#wrap(e, record.spec.runnerUuid);
        }
      }
      const status = await this.#engineCall(() => this.#status(record), record.spec.runnerUuid);
      this.events.emit({ type: 'state', runnerUuid: record.spec.runnerUuid, action: 'stopped', containerState: status.containerState });
      return status;
    });
  }

  /** Container, stored secret and settings: nothing of the runner is left. */
  async remove(runner: string): Promise<{ runnerUuid: string }> {
    const record = this.resolve(runner);
    const uuid = record.spec.runnerUuid;
    return this.#mutex.run(bare(uuid), async () => {
      try {
        for (const id of await this.#managedIds(uuid)) await this.#removeContainer(id);
      } catch (e) {
        throw this.#wrap(e, uuid);
      }
      // Vault before settings: a failure leaves the runner listed, so remove can be retried,
      // rather than a secret nobody can find any more.
      await this.#vault.delete(runnerSecretKey(uuid));
      this.#store.remove(uuid);
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'removed', containerState: 'missing' });
      return { runnerUuid: uuid };
    });
  }

  async status(runner: string): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    return this.#engineCall(() => this.#status(record), record.spec.runnerUuid);
  }

  async list(): Promise<RunnerStatus[]> {
    const records = this.#store.list();
    return this.#engineCall(async () => {
      const byRunner = await this.#managedByRunner();
      return Promise.all(records.map((r) => this.#statusFrom(r, byRunner.get(bare(r.spec.runnerUuid))?.[0])));
    });
  }

  /** On start-up: what the engine has, by label, against settings. Emits one `reconciled` per runner. */
  async reconcile(): Promise<ReconcileReport> {
    const records = this.#store.list();
    const known = new Set(records.map((r) => bare(r.spec.runnerUuid)));
    const containers = await this.#engineCall(() =>
      this.#docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } }),
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

  async #managedByRunner(): Promise<Map<string, string[]>> {
    const containers = await this.#docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } });
    const map = new Map<string, string[]>();
    for (const c of containers.sort((a, b) => b.Created - a.Created)) {
      const key = bare(c.Labels[LABEL_RUNNER] ?? '');
      map.set(key, [...(map.get(key) ?? []), c.Id]);
    }
    return map;
  }

  /** Our containers for this runner, newest first. */
  async #managedIds(uuid: string): Promise<string[]> {
    const containers = await this.#docker.listContainers({
      all: true,
      filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_RUNNER}=${uuid}`] },
    });
    return containers.sort((a, b) => b.Created - a.Created).map((c) => c.Id);
  }

  async #inspectByName(name: string): Promise<Docker.ContainerInspectInfo | null> {
    try {
      return await this.#docker.getContainer(name).inspect();
    } catch (e) {
      if (statusCodeOf(e) === 404) return null;
      throw e;
    }
  }

  async #startContainer(id: string): Promise<void> {
    try {
      await this.#docker.getContainer(id).start();
    } catch (e) {
      if (statusCodeOf(e) !== 304) throw e;
    }
  }

  async #removeContainer(id: string): Promise<void> {
    try {
      await this.#docker.getContainer(id).remove({ force: true });
    } catch (e) {
      // 404: already gone; 409: removal already in progress.
      if (statusCodeOf(e) !== 404 && statusCodeOf(e) !== 409) throw e;
    }
  }

  async #status(record: RunnerRecord): Promise<RunnerStatus> {
    const ids = await this.#managedIds(record.spec.runnerUuid);
    return this.#statusFrom(record, ids[0]);
  }

  async #statusFrom(record: RunnerRecord, containerId: string | undefined): Promise<RunnerStatus> {
    const facts = containerId ? await this.#containerFacts(containerId) : null;
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

  async #containerFacts(id: string): Promise<ContainerFacts | null> {
    try {
      const info = await this.#docker.getContainer(id).inspect();
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

  /** Engine failures become ENGINE_ERROR with the engine's words, scrubbed of the secret. */
  #wrap(e: unknown, runnerUuid?: string, secret?: Secret): Error {
    if (e instanceof RunnerError) return e;
    const sysCode = (e as { code?: unknown } | null)?.code;
    const { host, source } = this.#engine.facts;
    if (sysCode === 'ECONNREFUSED' || sysCode === 'ENOENT' || sysCode === 'ECONNRESET' || sysCode === 'EPIPE') {
      return new RunnerError(
        'ENGINE_ERROR',
        `The Docker engine at ${host} (${source}) stopped answering (${String(sysCode)}). Start Docker again; ` +
          'runners with restart policy unless-stopped come back with it.',
        runnerUuid,
      );
    }
    const message = engineMessage(e);
    return new RunnerError(
      'ENGINE_ERROR',
      `Docker engine error${runnerUuid ? ` for runner ${runnerUuid}` : ''}: ${secret ? redactText(message, [secret]) : message}`,
      runnerUuid,
    );
  }

  async #engineCall<T>(fn: () => Promise<T>, runnerUuid?: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.#wrap(e, runnerUuid);
    }
  }
}
