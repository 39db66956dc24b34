/**
 * Runner lifecycle on the Docker engine: add (secret into the vault, settings into the store),
 * start / stop / remove the runner's container, status and reconcile from the engine by label.
 * One operation at a time per runner in this process; across processes see container-swap.ts.
 */
import { checkDisplayName } from '../../shared/display-name.js';
import type Docker from 'dockerode';
import type { ParseResult, RunnerSpec } from '../../shared/runner-command/types.js';
import { bare, containerCreateOptions, type ContainerCreateOptions } from '../../shared/runner-spec.js';
import type { Secret } from '../../shared/secret.js';
import { startContainer, removeContainer } from '../docker/container-ops.js';
import type { Engine } from '../docker/engine.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import { byRunner, listRunnerContainers } from '../docker/runner-containers.js';
import { removeStepContainersOf, stepContainersOf, type RunnerStepContainer } from '../docker/step-container-cleanup.js';
import type { RunnerRecord, RunnerStore } from '../settings/types.js';
import type { SecretVault } from '../vault/types.js';
import { createOrJoin, settleContainers, swapContainer } from './container-swap.js';
import { EngineAccess, type EngineSource } from './engine-access.js';
import { RunnerError } from './errors.js';
import { TypedEmitter, type RunnerEvent } from './events.js';
import { ensureImage } from './image.js';
import { KeyedMutex } from './mutex.js';
import { resolveRunner } from './resolve.js';
import { alreadyAdded, findRecord, recordStop, sharedWorkDirWarnings, withChosenWorkDir } from './runner-records.js';
import { forgetRunner, readSecrets, refuseUnsendableSecrets, saveRunner, type RunnerSecrets } from './runner-secrets.js';
import { runnerStatus, statusWith } from './runner-status.js';
import type { AddOptions, AddResult, AddWarning, ReconcileReport, RunnerStatus, SharedWorkDirWarning, StartOptions, StartResult } from './runner-types.js';
import { pendingRestartMessage, planStart } from './start-plan.js';

export type {
  AddOptions,
  AddResult,
  AddWarning,
  PendingRestartWarning,
  ReconcileReport,
  RunnerStatus,
  SharedWorkDirWarning,
  StartOptions,
  StartResult,
} from './runner-types.js';

export interface RunnerServiceDeps {
  /**
   * The engine, or how to reach it on first use: adding a runner writes only the vault and
   * settings, so it works while Docker is down. A failed connection is retried on the next call.
   */
  engine: EngineSource;
  store: RunnerStore;
  vault: SecretVault;
  now?: () => Date;
  /** Look for a newer runner image in the background after starting from a local one (default true). */
  checkForImageUpdates?: boolean;
  /** Seconds Docker waits after SIGTERM before SIGKILL on stop (default 10). */
  stopTimeoutSeconds?: number;
}

type StartAction = 'created' | 'adopted' | 'replaced' | 'recreated';

export class RunnerService {
  readonly events = new TypedEmitter<RunnerEvent>();
  readonly #engine: EngineAccess;
  readonly #store: RunnerStore;
  readonly #vault: SecretVault;
  readonly #now: () => Date;
  readonly #checkForUpdates: boolean;
  readonly #stopTimeout: number;
  readonly #mutex = new KeyedMutex();
  readonly #background = new Set<Promise<void>>();

  constructor(deps: RunnerServiceDeps) {
    this.#engine = new EngineAccess(deps.engine);
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

  /** Whether `<runner>` is a stored runner. */
  has(runner: string): boolean {
    return findRecord(this.#store.list(), runner) !== undefined;
  }

  /** Other runners that would share this spec's working directory, with the per-runner dir to use instead. */
  sharedWorkDirWarnings(spec: RunnerSpec): SharedWorkDirWarning[] {
    return sharedWorkDirWarnings(spec, this.#store.list());
  }

  async add(parsed: ParseResult, options: AddOptions = {}): Promise<AddResult> {
    if (!parsed.ok) throw new RunnerError('INVALID_RUNNER', parsed.error.message);
    const uuid = parsed.spec.runnerUuid;
    if (options.displayName !== undefined) {
      const checked = checkDisplayName(options.displayName);
      if (!checked.ok) throw new RunnerError('INVALID_RUNNER', checked.message, uuid);
      options = { ...options, displayName: checked.name };
    }
    // Secret-looking extra `-e` variables (e.g. NPM_TOKEN): the parser keeps them out of the spec.
    // A result built by hand (tests, older callers) may lack the field.
    const extra: Record<string, Secret> = parsed.extraSecrets ?? {};
    return this.#mutex.run(bare(uuid), async () => {
      const existing = findRecord(this.#store.list(), uuid);
      if (existing && !options.replace) throw alreadyAdded(existing, uuid);
      const spec = await withChosenWorkDir(parsed.spec, options, existing);
      const warnings: AddWarning[] = this.sharedWorkDirWarnings(spec);
      const extraNames = Object.keys(extra);
      const record: RunnerRecord = {
        spec,
        displayName: options.displayName ?? existing?.displayName ?? spec.name,
        addedAt: existing?.addedAt ?? this.#now().toISOString(),
        ...(extraNames.length > 0 ? { vaultEnv: extraNames } : {}),
        // Rotating a stopped runner's secret is no start: it stays stopped, not crashed.
        ...(existing?.stoppedAt ? { stoppedAt: existing.stoppedAt } : {}),
        ...((options.pool ?? existing?.pool) ? { pool: options.pool ?? existing?.pool } : {}),
      };
      this.#engine.remember([parsed.secret, ...Object.values(extra)]);
      await saveRunner(this.#vault, this.#store, record, { secret: parsed.secret, extra }, existing);
      if (existing && (await this.#isRunning(uuid))) {
        warnings.push({
          code: 'PENDING_RESTART',
          message: pendingRestartMessage(uuid, ['settings and secret replaced, the running container still has the old ones']),
        });
      }
      this.events.emit({
        type: 'state',
        runnerUuid: uuid,
        action: 'added',
        containerState: 'missing',
        ...(existing ? { reason: 'replaced settings and secret' } : {}),
      });
      return { record, replaced: existing !== undefined, warnings };
    });
  }

  /** Whether the runner's container runs, when the engine can tell; `false` when it cannot be reached. */
  async #isRunning(uuid: string): Promise<boolean> {
    try {
      const docker = (await this.#engine.connect()).docker;
      const newest = (await listRunnerContainers(docker, uuid))[0];
      return newest !== undefined && (await docker.getContainer(newest.id).inspect()).State.Running;
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
      const secrets = await readSecrets(this.#vault, record);
      this.#engine.remember([secrets.secret, ...Object.values(secrets.extra)]);
      refuseUnsendableSecrets(secrets, uuid);
      let outcome: { id: string; pending?: string[] };
      try {
        outcome = await this.#start(await this.#engine.connect(), record, secrets, options);
      } catch (e) {
        throw this.#engine.wrap(e, uuid, [secrets.secret, ...Object.values(secrets.extra)]);
      }
      // Only once it runs: a start that failed leaves the user's stop standing.
      recordStop(this.#store, uuid, undefined);
      const status = await this.#engine.call((docker) => statusWith(docker, record, outcome.id, this.#now), uuid);
      if (!outcome.pending) return { ...status, pendingRestart: false };
      return { ...status, pendingRestart: true, notice: pendingRestartMessage(uuid, outcome.pending) };
    });
  }

  /** Returns the id of the runner's container (running), and why it is stale when it was left running. */
  async #start(engine: Engine, record: RunnerRecord, secrets: RunnerSecrets, options: StartOptions): Promise<{ id: string; pending?: string[] }> {
    const docker = engine.docker;
    const { spec } = record;
    const uuid = spec.runnerUuid;
    const expected = containerCreateOptions({ spec, secret: secrets.secret, extraSecrets: secrets.extra, engine: engine.facts });
    const found = await settleContainers(docker, spec, this.#now().getTime() / 1000);
    const plan = planStart({ uuid, expected, ...found, options });
    switch (plan.kind) {
      case 'keep':
        if (plan.start) {
          await startContainer(docker, plan.id);
          this.events.emit({ type: 'state', runnerUuid: uuid, action: 'started', containerState: 'running' });
        }
        return { id: plan.id };
      case 'pending':
        return { id: plan.id, pending: plan.reasons };
      case 'create':
      case 'swap':
        break;
    }
    await this.#ensureImage(docker, spec.image, uuid);
    let id: string;
    let action: StartAction = 'created';
    if (plan.kind === 'swap') {
      const swapped = await swapContainer(docker, plan.old, expected, uuid);
      if (swapped === 'other-replaced') return this.#start(engine, record, secrets, options);
      id = swapped;
      action = plan.action;
    } else {
      id = await this.#createAndStart(docker, expected, uuid);
    }
    const reason = plan.kind === 'swap' ? plan.reason : undefined;
    this.events.emit({ type: 'state', runnerUuid: uuid, action, containerState: 'running', ...(reason ? { reason } : {}) });
    return { id };
  }

  /** The image before anything is touched: a failed pull leaves the old container as it was. */
  async #ensureImage(docker: Docker, image: string, uuid: string): Promise<void> {
    const result = await ensureImage(docker, image, { runnerUuid: uuid, emit: (e) => this.events.emit(e), checkForUpdates: this.#checkForUpdates });
    if (result.updateCheck) this.#track(result.updateCheck);
  }

  async #createAndStart(docker: Docker, expected: ContainerCreateOptions, uuid: string): Promise<string> {
    const id = await createOrJoin(docker, expected, uuid);
    await startContainer(docker, id);
    return id;
  }

  async stop(runner: string): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    const uuid = record.spec.runnerUuid;
    return this.#mutex.run(bare(uuid), async () => {
      const docker = await this.#engine.call(async (d) => d, uuid);
      const mine = await this.#engine.call(() => listRunnerContainers(docker, uuid), uuid);
      // Recorded before the container goes down, so a monitor that sees it exit already knows
      // the user asked; taken back when the engine refuses the stop.
      const before = recordStop(this.#store, uuid, this.#now().toISOString());
      for (const { id } of mine) {
        try {
          await docker.getContainer(id).stop({ t: this.#stopTimeout });
        } catch (e) {
          if (statusCodeOf(e) !== 304 && statusCodeOf(e) !== 404) {
            recordStop(this.#store, uuid, before);
            throw this.#engine.wrap(e, uuid);
          }
        }
      }
      const status = await this.#engine.call(() => runnerStatus(docker, record, this.#now), uuid);
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'stopped', containerState: status.containerState });
      return status;
    });
  }

  /** Container, stored secrets and settings: nothing of the runner is left. */
  /**
   * Removes its containers, then its secrets and settings. `localContainers: false` for a runner
   * that cannot have one (it ran on a cluster, whose objects the caller deleted): Docker is not
   * asked, so a machine without it can remove such a runner.
   */
  async remove(runner: string, options: { localContainers?: boolean } = {}): Promise<{ runnerUuid: string }> {
    const record = this.resolve(runner);
    const uuid = record.spec.runnerUuid;
    return this.#mutex.run(bare(uuid), async () => {
      if (options.localContainers !== false) await this.#removeContainers(uuid);
      await forgetRunner(this.#vault, this.#store, record);
      this.events.emit({ type: 'state', runnerUuid: uuid, action: 'removed', containerState: 'missing' });
      return { runnerUuid: uuid };
    });
  }

  async #removeContainers(uuid: string): Promise<void> {
    try {
      const docker = (await this.#engine.connect()).docker;
      for (const { id } of await listRunnerContainers(docker, uuid)) await removeContainer(docker, id);
    } catch (e) {
      const wrapped = this.#engine.wrap(e, uuid);
      // The container may still run: removing the secret and settings now would orphan it.
      throw new RunnerError('ENGINE_ERROR', `Runner ${uuid} was not removed (its container, secret and settings are all kept): ${wrapped.message}`, uuid);
    }
  }

  /** The runner's step containers (found by name: the runner starts them unlabelled). */
  async stepContainers(runnerUuid: string): Promise<RunnerStepContainer[]> {
    return this.#engine.call((docker) => stepContainersOf(docker, runnerUuid), runnerUuid);
  }

  /** Removes the runner's step containers (those created before `createdBefore`, Unix s, if given); how many. */
  async removeStepContainers(runnerUuid: string, createdBefore?: number): Promise<number> {
    return this.#engine.call((docker) => removeStepContainersOf(docker, runnerUuid, createdBefore), runnerUuid);
  }

  async status(runner: string): Promise<RunnerStatus> {
    const record = this.resolve(runner);
    return this.#engine.call((docker) => runnerStatus(docker, record, this.#now), record.spec.runnerUuid);
  }

  async list(): Promise<RunnerStatus[]> {
    const records = this.#store.list();
    return this.#engine.call(async (docker) => {
      const mine = byRunner(await listRunnerContainers(docker));
      return Promise.all(records.map((r) => statusWith(docker, r, mine.get(bare(r.spec.runnerUuid))?.[0]?.id, this.#now)));
    });
  }

  /** On start-up: what the engine has, by label, against settings. Emits one `reconciled` per runner. */
  async reconcile(): Promise<ReconcileReport> {
    const known = new Set(this.#store.list().map((r) => bare(r.spec.runnerUuid)));
    const containers = await this.#engine.call((docker) => listRunnerContainers(docker));
    const orphans = containers.filter((c) => !known.has(bare(c.runnerUuid))).map((c) => ({ containerId: c.id, name: c.name, runnerUuid: c.runnerUuid }));
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
}
