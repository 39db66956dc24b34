/**
 * What a user's add / start / stop / remove means, over RunnerService, for every front end (the
 * CLI, the dashboard, the tray): "add, then start" keeps the runner saved when the start fails and
 * says why; a start, stop or remove by the user ends any crash-loop verdict the monitor holds, since
 * the runner's history starts over. The API handlers used to know these rules alone.
 */
import type { ParseResult } from '../../shared/runner-command/index.js';
import { RunnerError } from './errors.js';
import type { AddOptions, AddResult, RunnerService, RunnerStatus, StartOptions, StartResult } from './runner-service.js';

export interface RunnerLifecycleDeps {
  runners: RunnerService;
  /**
   * Forget the crash-loop verdict of a runner the user just started, stopped or removed. The
   * composition root points it at the monitor when one runs in this process, else it is a no-op.
   */
  resetSupervision: (runnerUuid: string) => void;
  /** The monitor's live view, when one runs here: true while the runner's log shows a step running. */
  stepRunning?: (runnerUuid: string) => boolean;
  /** For a runner placed on a cluster: true while its pod's log shows a step running (the cluster watch). */
  placedStepRunning?: (runnerUuid: string) => Promise<boolean>;
  /**
   * Deletes the objects of a runner placed on a cluster (its workload and Secret) and clears its
   * placement; the composition root points it at the Kubernetes placements.
   */
  unplace?: (runnerUuid: string) => Promise<Unplaced>;
}

/** What removing a runner placed on a cluster deleted there. */
export interface Unplaced {
  /** The cluster, in words (`context "prod" (https://…)`). */
  cluster: string;
  namespace: string;
  /** "Deployment runner-…", "Secret runner-…-oauth". */
  deleted: string[];
}

export interface StopOptions {
  /** Stop (or remove) it even while it runs a step, which then fails. */
  force?: boolean;
}

/** What a stop or remove also cleaned up: the runner's step containers nobody else would remove. */
export interface StepCleanup {
  removedStepContainers: number;
}

/** A removal: what was cleaned up here, and on the cluster when the runner ran there. */
export interface Removal extends StepCleanup {
  runnerUuid: string;
  unplaced?: Unplaced;
}

/** The words every front end shows (the CLI adds how to force it). */
export const STEP_RUNNING_MESSAGE = 'a step is running: stopping fails it';

export interface AddAndStartOptions extends AddOptions {
  /** Start the runner once saved (the dashboard's default; `runner-tray add --start`). */
  start?: boolean;
}

export interface AddOutcome extends AddResult {
  /** Present when a start was asked for and succeeded. */
  started?: StartResult;
  /** Present when a start was asked for and failed: the runner is saved all the same. */
  startError?: unknown;
  /** The container that runs has other settings than saved (a replaced runner that was left running). */
  pendingRestart: boolean;
  notice?: string;
}

export class RunnerLifecycle {
  readonly runners: RunnerService;
  readonly #reset: (runnerUuid: string) => void;
  readonly #stepRunning: (runnerUuid: string) => boolean;
  readonly #unplace: RunnerLifecycleDeps['unplace'];
  readonly #placedStepRunning: (runnerUuid: string) => Promise<boolean>;

  constructor(deps: RunnerLifecycleDeps) {
    this.runners = deps.runners;
    this.#reset = deps.resetSupervision;
    this.#stepRunning = deps.stepRunning ?? (() => false);
    this.#unplace = deps.unplace;
    this.#placedStepRunning = deps.placedStepRunning ?? (async () => false);
  }

  /**
   * Saves the runner, then starts it when asked. A failed start does not undo the save: failing the
   * whole add would leave the user's form open, and saving again would be refused as a duplicate.
   */
  async add(parsed: ParseResult, options: AddAndStartOptions = {}): Promise<AddOutcome> {
    const { start, ...addOptions } = options;
    const added = await this.runners.add(parsed, addOptions);
    const uuid = added.record.spec.runnerUuid;
    if (start) {
      let started: StartResult;
      try {
        started = await this.start(uuid);
      } catch (startError) {
        return { ...added, startError, pendingRestart: false };
      }
      return { ...added, started, pendingRestart: started.pendingRestart, ...(started.notice ? { notice: started.notice } : {}) };
    }
    // Not started: a running container still has the replaced settings, which the service warned of.
    const pending = added.warnings.find((w) => w.code === 'PENDING_RESTART');
    return { ...added, pendingRestart: pending !== undefined, ...(pending ? { notice: pending.message } : {}) };
  }

  async start(runner: string, options: StartOptions = {}): Promise<StartResult> {
    const started = await this.runners.start(runner, options);
    this.#reset(started.runnerUuid);
    return started;
  }

  /**
   * Stops the runner; refused with STEP_RUNNING while it runs a step, unless `force`. Its step
   * containers are removed afterwards: the runner no longer can, and they would run on for minutes.
   */
  async stop(runner: string, options: StopOptions = {}): Promise<RunnerStatus & StepCleanup> {
    const uuid = this.runners.resolve(runner).spec.runnerUuid;
    if (!options.force) await this.#refuseDuringStep(uuid);
    const stopped = await this.runners.stop(uuid);
    this.#reset(stopped.runnerUuid);
    return { ...stopped, removedStepContainers: await this.runners.removeStepContainers(uuid) };
  }

  async remove(runner: string, options: StopOptions = {}): Promise<Removal> {
    const record = this.runners.resolve(runner);
    const uuid = record.spec.runnerUuid;
    if (!options.force) await this.#refuseDuringStep(uuid);
    if (record.placement) return this.#removePlaced(uuid, record.placement);
    const removed = await this.runners.remove(uuid);
    this.#reset(removed.runnerUuid);
    return { ...removed, removedStepContainers: await this.runners.removeStepContainers(uuid) };
  }

  /**
   * The cluster's objects go first: a runner forgotten here while its pod runs on would go on
   * taking steps with nobody to stop it, its secret left in the namespace. A cluster that cannot
   * be reached keeps everything, here and there, and says so.
   */
  async #removePlaced(uuid: string, p: { context: string; namespace: string }): Promise<Removal> {
    if (!this.#unplace) {
      throw new RunnerError(
        'PLACED_ON_CLUSTER',
        `Runner ${uuid} runs on Kubernetes (context "${p.context}", namespace ${p.namespace}); delete it there first: runner-tray k8s delete ${uuid}`,
        uuid,
      );
    }
    const unplaced = await this.#unplace(uuid);
    const removed = await this.runners.remove(uuid, { localContainers: false });
    this.#reset(removed.runnerUuid);
    return { ...removed, removedStepContainers: 0, unplaced };
  }

  /**
   * STEP_RUNNING while the runner runs a step: for a removal that deletes in Bitbucket first
   * (`removeRunnerEverywhere`), asked before anything is written there.
   */
  async refuseDuringStep(runner: string): Promise<void> {
    await this.#refuseDuringStep(this.runners.resolve(runner).spec.runnerUuid);
  }

  /** A step runs when the monitor's log says so, or when a step container of the runner runs (or its pod's log says so). */
  async #refuseDuringStep(runnerUuid: string): Promise<void> {
    let running = this.#stepRunning(runnerUuid);
    // A stopped engine runs no step; the stop itself then says what is wrong. A runner on a
    // cluster runs its steps there, in its pod's Docker: its log, read by the watch, tells.
    const placed = this.runners.resolve(runnerUuid).placement !== undefined;
    if (!running && placed) running = await this.#placedStepRunning(runnerUuid);
    else if (!running) running = (await this.runners.stepContainers(runnerUuid).catch(() => [])).some((c) => c.running);
    if (running) throw new RunnerError('STEP_RUNNING', `Runner ${runnerUuid}: ${STEP_RUNNING_MESSAGE}.`, runnerUuid);
  }
}
