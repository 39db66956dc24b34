/**
 * The runner monitor: live runner state from the engine, without polling. It keeps the engine's
 * `/events` stream open (`engine-events`), follows one log per running runner container
 * (`runner-log`) and the step containers the runner starts (`step-containers`), reconciles
 * everything by label after start-up and every reconnect (`reconcile`), and judges crash loops
 * (`supervisor`). Per runner it keeps a `RunnerLogReplay` (bounded: steps, diagnoses and the
 * unfinished line are capped; no line is retained). The state it reports follows the one rule
 * in `shared/runner-state`, as `list` and the dashboard do.
 */
import type Docker from 'dockerode';
import { maskLogText } from '../../shared/mask-text.js';
import { secretsInContainerEnv } from '../../shared/runner-command/runner-env.js';
import { runnerState, unrequestedExit, type ContainerState, type RunnerState } from '../../shared/runner-state.js';
import { bare } from '../../shared/runner-spec.js';
import { Secret } from '../../shared/secret.js';
import { foldRunnerLog } from '../../shared/step-log/fold.js';
import { toStepsJson, type ReplayOptions, type RunnerStepsJson } from '../../shared/step-log/replay.js';
import { parseSiblingName } from '../../shared/step-log/sibling-name.js';
import type { ContainerAction, ContainerEvent } from '../../shared/step-log/types.js';
import type { Engine } from '../docker/engine.js';
import { inspectContainer, runnerOfLabels } from '../docker/runner-containers.js';
import { TypedEmitter } from '../runners/events.js';
import { containerEnvSettings } from './container-env.js';
import { EngineEvents, type ContainerEngineEvent } from './engine-events.js';
import type { MonitorEvent } from './events.js';
import { reconcileAll, type ReconcileHost } from './reconcile.js';
import { RunnerLog } from './runner-log.js';
import { StepContainers } from './step-containers.js';
import { stepChanges } from './step-diff.js';
import { Supervisor, type CrashVerdict, type SupervisorOptions } from './supervisor.js';
import { newTracked, type RunnerSnapshot, type Tracked } from './tracked.js';

export type { RunnerSnapshot } from './tracked.js';

export interface RunnerMonitorDeps {
  engine: Engine;
  supervisor?: Supervisor | SupervisorOptions;
  /** Lines of a runner's existing log read on start-up (since its last start). Default 5000. */
  backlogLines?: number;
  /** Log lines are pushed in batches at most this often per runner. Default 25 ms. */
  logBatchMs?: number;
  /** Reconnect backoff after the engine's stream breaks: first delay and cap. Default 250 ms, 5 s. */
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** One line per outage and per recovery, never per retry. Default: nothing. */
  log?: (message: string) => void;
  /** `utcOffset` / `timeZone` apply to runners whose container sets no `TZ`. */
  replay?: Pick<ReplayOptions, 'maxFinishedSteps' | 'maxDiagnostics' | 'unhealthyAfterErrors' | 'utcOffset' | 'timeZone' | 'hostDockerVersion'>;
  /** Siblings remembered per runner (the runner removes them; this caps leftovers). Default 32. */
  maxSiblings?: number;
  /**
   * Running sibling step containers whose logs are followed per runner, for diagnoses only.
   * Default 8; 0 follows none.
   */
  maxSiblingLogs?: number;
  /** How long a runner's exit waits for the rest of its log before it is judged. Default 5 s. */
  exitDrainMs?: number;
  /**
   * The user's last stop of a runner as settings record it (null: none; undefined: not ours to
   * know), so the monitor tells a crash from a stop as `list` does. Default: never known.
   */
  stoppedAt?: (runnerUuid: string) => string | null | undefined;
}

interface Effective {
  state: RunnerState;
  reason: string | undefined;
  crash: CrashVerdict | undefined;
}

const STOPS: ReadonlySet<ContainerAction> = new Set(['die', 'kill', 'stop', 'destroy']);
/** Docker marks a container it restarts before it reports the exit; this covers a slow engine. */
const SETTLE_EXIT_MS = 1000;

export class RunnerMonitor {
  readonly events = new TypedEmitter<MonitorEvent>();
  readonly supervisor: Supervisor;
  readonly #docker: Docker;
  readonly #runners = new Map<string, Tracked>();
  readonly #log: (m: string) => void;
  readonly #replayOptions: ReplayOptions;
  readonly #engineEvents: EngineEvents;
  readonly #runnerLog: RunnerLog;
  readonly #steps: StepContainers;
  readonly #reconcileHost: ReconcileHost;
  readonly #drainMs: number;
  readonly #stoppedAt: (runnerUuid: string) => string | null | undefined;
  #closed = false;
  #started = false;
  #reconciling: Promise<void> = Promise.resolve();

  constructor(deps: RunnerMonitorDeps) {
    this.#docker = deps.engine.docker;
    this.supervisor = deps.supervisor instanceof Supervisor ? deps.supervisor : new Supervisor(deps.supervisor);
    this.#log = deps.log ?? (() => undefined);
    this.#drainMs = deps.exitDrainMs ?? 5000;
    this.#stoppedAt = deps.stoppedAt ?? (() => undefined);
    this.#replayOptions = { ...(deps.replay ?? {}), hostDockerVersion: deps.replay?.hostDockerVersion ?? deps.engine.facts.serverVersion };
    const closed = () => this.#closed;
    const emit = (e: MonitorEvent) => this.events.emit(e);
    this.#engineEvents = new EngineEvents({
      docker: this.#docker,
      onEvent: (e) => this.#onEngineEvent(e),
      onLost: (why) => this.#announceConnection(false, `Lost the Docker engine's event stream (${why}); reconnecting.`),
      onBack: async () => {
        // The engine went away again mid-reconcile: the event stream's end brings us back.
        await this.reconcile();
        this.#announceConnection(true, "Reconnected to the Docker engine's event stream; runners reconciled.");
      },
      reconnectInitialMs: deps.reconnectInitialMs ?? 250,
      reconnectMaxMs: deps.reconnectMaxMs ?? 5000,
    });
    this.#runnerLog = new RunnerLog({
      docker: this.#docker,
      backlogLines: deps.backlogLines ?? 5000,
      batchMs: deps.logBatchMs ?? 25,
      closed,
      connected: () => this.#engineEvents.connected,
      emit,
      inspected: (t, id, env) => this.#applyContainerEnv(t, id, env),
      changed: (t, time) => this.#logChangedState(t, time),
    });
    this.#steps = new StepContainers({
      docker: this.#docker,
      maxSiblings: deps.maxSiblings ?? 32,
      maxSiblingLogs: deps.maxSiblingLogs ?? 8,
      hostDockerVersion: this.#replayOptions.hostDockerVersion,
      closed,
      emit,
    });
    this.#reconcileHost = this.#reconcileHostOf(closed);
  }

  get connected(): boolean {
    return this.#engineEvents.connected;
  }

  /**
   * Subscribe to the engine, then rebuild every runner from its existing log. With
   * `waitForEngine` (the long-running hosts), an engine that is not there yet is not an error:
   * the monitor announces it as a lost connection and follows once Docker answers.
   */
  async start(options: { waitForEngine?: boolean } = {}): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // Events first: anything that happens while we read backlogs is then queued, not lost.
    if (!options.waitForEngine) await this.#engineEvents.open();
    else {
      const notYet = await this.#engineEvents.openOrRetry();
      if (notYet !== null) {
        this.#announceConnection(false, `No Docker engine answered (${notYet}); waiting for it.`);
        return;
      }
    }
    await this.reconcile();
  }

  /** Re-read every runner container (by label) and its siblings; resume what was missed. */
  reconcile(): Promise<void> {
    const run = this.#reconciling.then(() => reconcileAll(this.#reconcileHost));
    this.#reconciling = run.catch(() => undefined);
    return run;
  }

  snapshot(): RunnerSnapshot[];
  snapshot(runnerUuid: string): RunnerSnapshot | undefined;
  snapshot(runnerUuid?: string): RunnerSnapshot[] | RunnerSnapshot | undefined {
    if (runnerUuid !== undefined) {
      const t = this.#runners.get(bare(runnerUuid));
      return t ? this.#snapshotOf(t) : undefined;
    }
    return [...this.#runners.values()].map((t) => this.#snapshotOf(t));
  }

  /**
   * A runner's log line as it may leave the monitor: its known secret (the container's
   * OAUTH_CLIENT_SECRET) redacted, and anything else credential-like masked (a runner prints
   * what it likes, and a secret-looking extra variable is not ours to know).
   */
  maskLogLine(runnerUuid: string, text: string): string {
    const t = this.#runners.get(bare(runnerUuid));
    return maskLogText(text, t?.secrets ?? []);
  }

  /** The `steps --json` object of one runner, or null when no container of it was seen. */
  stepsJson(runnerUuid: string): RunnerStepsJson | null {
    const t = this.#runners.get(bare(runnerUuid));
    if (!t) return null;
    return { ...toStepsJson(t.replay.state, t.replay.diagnostics), runnerState: this.#effective(t).state };
  }

  /** Stops every stream and timer; the process can exit afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#engineEvents.close();
    await this.#reconciling;
    for (const t of this.#runners.values()) {
      this.#runnerLog.stop(t);
      this.#steps.stopLogs(t);
      this.#runnerLog.flush(t);
    }
  }

  #reconcileHostOf(closed: () => boolean): ReconcileHost {
    return {
      docker: this.#docker,
      runners: this.#runners,
      log: this.#runnerLog,
      steps: this.#steps,
      closed,
      track: (uuid) => this.#track(uuid),
      runnerEvent: (uuid, id, action, time) => this.#onRunnerEvent(uuid, id, null, action, undefined, time),
      switchContainer: (t, id) => this.#switchContainer(t, id),
      inspected: (t, id, env) => this.#applyContainerEnv(t, id, env),
      emitStepChanges: (t, time) => this.#emitStepChanges(t, time),
      publish: (t, time) => this.#publish(t, time),
    };
  }

  #announceConnection(connected: boolean, message: string): void {
    this.#log(message);
    this.events.emit({ type: 'connection', connected, message, time: new Date().toISOString() });
  }

  #onEngineEvent(ev: ContainerEngineEvent): void {
    if (this.#closed) return;
    const attrs = ev.attributes;
    const runnerLabel = runnerOfLabels(attrs);
    if (runnerLabel !== null) {
      this.#onRunnerEvent(runnerLabel, ev.containerId, attrs.name ?? null, ev.action, attrs.exitCode, ev.time);
      return;
    }
    const sibling = attrs.name ? parseSiblingName(attrs.name) : null;
    const t = sibling ? this.#runners.get(bare(sibling.runnerUuid)) : undefined;
    if (sibling && t) this.#steps.onEvent(t, ev.containerId, attrs.name!, sibling, ev.action, ev.time);
  }

  /**
   * A runner container's event. A `die` waits until the run's log has been read to its end (the
   * engine may send the exit before the last lines, which hold the diagnosis a crash verdict
   * names); events after it wait their turn, so the order stays the engine's.
   */
  #onRunnerEvent(runnerUuid: string, id: string, name: string | null, action: ContainerAction, exitCode: string | undefined, time: string): void {
    const t = this.#track(runnerUuid);
    const apply = (inLine = false) => {
      if (!this.#closed) this.#applyRunnerEvent(t, id, name, action, exitCode, time, inLine);
    };
    const drain = action === 'die' && t.containerId === id && t.logDone !== null;
    if (!drain && t.order.idle) return apply();
    t.order.push({
      timeMs: Date.parse(time),
      starts: action === 'start' || action === 'restart',
      apply,
      ...(action === 'die' ? { drain: () => (t.containerId === id ? this.#runnerLog.drained(t, this.#drainMs) : Promise.resolve()) } : {}),
    });
  }

  #applyRunnerEvent(t: Tracked, id: string, name: string | null, action: ContainerAction, exitCode: string | undefined, time: string, inLine: boolean): void {
    if (t.containerId !== id) {
      // An older container of this runner (being replaced): not the one we show.
      if (STOPS.has(action) && t.containerId !== null) return;
      // A new container for this runner (recreated by `start`): its log starts afresh.
      this.#switchContainer(t, id);
    }
    if (name) t.containerName = name.replace(/^\//, '');
    const input: ContainerEvent = { kind: 'container', action, time };
    if (action === 'die' && exitCode !== undefined && exitCode !== '') input.exitCode = Number(exitCode);
    // The run's unfinished last line; not while a later line is being split (that is the next run's).
    if (action === 'die' && !inLine) t.lines.end();
    t.replay.state = foldRunnerLog(t.replay.state, input);
    this.#emitStepChanges(t, time);
    this.#superviseEvent(t, action);
    this.#noteContainer(t, action, input.exitCode);
    if (action === 'start' || action === 'restart') {
      t.running = true;
      t.emptyFollows = 0;
      void this.#runnerLog.follow(t);
    }
    if (action === 'die' || action === 'stop' || action === 'destroy') t.running = false;
    if (action === 'destroy') {
      t.containerId = null;
      this.#steps.forgetAll(t);
    }
    this.#publish(t, time);
  }

  #superviseEvent(t: Tracked, action: ContainerAction): void {
    if (action === 'kill' || action === 'stop' || action === 'restart' || action === 'destroy') this.supervisor.reset(t.runnerUuid);
    if (action === 'die' && t.replay.state.lastExit) this.supervisor.recordExit(t.runnerUuid, t.replay.state.lastExit, t.replay.state.lastDiagnosis);
  }

  /** The container's state as this event leaves it (a `die` is an exit until Docker's restart starts it again). */
  #noteContainer(t: Tracked, action: ContainerAction, exitCode: number | undefined): void {
    if (action === 'create') t.container = null;
    else if (action === 'start' || action === 'restart') t.container = { state: 'running', exitCode: null };
    else if (action === 'die') {
      t.container = { state: 'exited', exitCode: exitCode ?? null, provisional: true };
      void this.#settleExit(t, t.containerId);
    } else if (action === 'destroy') t.container = { state: 'missing', exitCode: null };
  }

  /**
   * Whether an exit heard as an event left the runner down (`exited`) or Docker brings it back (a
   * `docker restart`, an exit the restart policy follows): only a runner that stays down without
   * a recorded stop is CRASHED, not one passing through.
   */
  async #settleExit(t: Tracked, id: string | null): Promise<void> {
    if (id === null) return;
    await new Promise((r) => setTimeout(r, SETTLE_EXIT_MS).unref());
    const info = await inspectContainer(this.#docker, id).catch(() => null);
    if (this.#closed || info === null || t.containerId !== id || !t.container?.provisional) return;
    t.container = { state: info.State.Status as ContainerState, exitCode: info.State.Running ? null : info.State.ExitCode };
    this.#publish(t, new Date().toISOString());
  }

  /** Stops following the runner's previous container; the new one's log is read from its start. */
  #switchContainer(t: Tracked, id: string): void {
    this.#runnerLog.stop(t);
    t.lines.reset();
    t.containerId = id;
    t.lastTs = null;
    t.lastTsKey = null;
  }

  /**
   * The runner's log times are in its container's zone, and its secret is in its env: both are
   * read once per container, before any of its lines are folded.
   */
  #applyContainerEnv(t: Tracked, id: string, env: readonly string[] | null | undefined): void {
    if (t.envOf === id) return;
    t.envOf = id;
    const settings = containerEnvSettings(env, this.#replayOptions);
    t.replay.setTimeZone(settings.zone);
    t.zone = settings.zone;
    t.timeZone = settings.shown;
    t.timeZoneProblem = settings.problem;
    if (settings.problem) this.#log(`Runner ${t.runnerUuid}: ${settings.problem}`);
    // Every vaulted value the container got (OAUTH_CLIENT_SECRET and extras such as NPM_TOKEN), as `runner-tray logs` masks them.
    t.secrets = secretsInContainerEnv(env).map((s) => new Secret(s));
    t.replay.setSecrets(t.secrets);
  }

  #logChangedState(t: Tracked, time: string): void {
    const s = t.replay.state.runnerState;
    if ((s === 'ONLINE' || s === 'BUSY') && this.supervisor.verdict(t.runnerUuid)) this.supervisor.healthy(t.runnerUuid);
    this.#emitStepChanges(t, time);
    this.#publish(t, time);
  }

  #track(runnerUuid: string): Tracked {
    const key = bare(runnerUuid);
    let t = this.#runners.get(key);
    if (!t) {
      t = newTracked(runnerUuid, this.#replayOptions, (tracked, line) => this.#runnerLog.line(tracked, line));
      this.#runners.set(key, t);
    }
    return t;
  }

  /** A crash-loop verdict first; else the shared rule over the container and the replay of its log. */
  #effective(t: Tracked): Effective {
    const crash = this.supervisor.verdict(t.runnerUuid);
    if (crash) return { state: 'CRASHED', reason: crash.reason, crash };
    const read = t.replay.state;
    if (t.container === null) return { state: read.runnerState, reason: read.reason, crash: undefined };
    const stoppedAt = t.container.provisional ? undefined : this.#stoppedAt(t.runnerUuid);
    const facts = {
      containerId: t.containerId,
      containerState: t.container.state,
      exitCode: t.container.exitCode,
      ...(stoppedAt !== undefined ? { stoppedAt } : {}),
    };
    const state = runnerState(facts, { containerId: t.containerId, runnerState: read.runnerState });
    if (state === read.runnerState) return { state, reason: read.reason, crash: undefined };
    // Down without a recorded stop: named as a single crash is.
    return { state, reason: state === 'CRASHED' ? unrequestedExit(facts)?.reason : undefined, crash: undefined };
  }

  #publish(t: Tracked, time: string): void {
    const eff = this.#effective(t);
    if (t.quiet) return;
    const prev = t.published;
    if (prev && prev.state === eff.state && prev.reason === eff.reason) return;
    t.published = { state: eff.state, reason: eff.reason };
    this.events.emit({
      type: 'runner-state',
      runnerUuid: t.runnerUuid,
      runnerState: eff.state,
      previous: prev?.state ?? null,
      ...(eff.reason ? { reason: eff.reason } : {}),
      ...(eff.crash ? { crash: eff.crash } : {}),
      time,
    });
  }

  /** Announce what changed in the steps since they were last announced. */
  #emitStepChanges(t: Tracked, time: string): void {
    if (t.quiet || t.lastSteps === t.replay.state.steps) return;
    for (const { change, step } of stepChanges(t.lastSteps, t.replay.state.steps)) {
      this.events.emit({ type: 'step', runnerUuid: t.runnerUuid, change, step, time });
    }
    t.lastSteps = t.replay.state.steps;
    this.#steps.confirmAll(t, time);
  }

  #snapshotOf(t: Tracked): RunnerSnapshot {
    const eff = this.#effective(t);
    const s = t.replay.state;
    return {
      runnerUuid: t.runnerUuid,
      containerId: t.containerId,
      containerName: t.containerName,
      runnerState: eff.state,
      ...(eff.reason ? { reason: eff.reason } : {}),
      ...(eff.crash ? { crash: eff.crash } : {}),
      steps: s.steps,
      diagnostics: t.replay.diagnostics,
      lineCount: t.lineNumber,
      lastLineTime: t.lastTs,
      lastLogAt: s.lastLogAt,
      siblings: [...t.siblings.values()].map((v) => ({ ...v })),
      timeZone: t.timeZone,
      ...(t.timeZoneProblem ? { timeZoneProblem: t.timeZoneProblem } : {}),
    };
  }
}
