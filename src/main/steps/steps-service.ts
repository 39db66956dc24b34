/**
 * Live runner state from the engine, without polling: one followed log stream per running runner
 * container, and the engine's `/events` stream for runner containers (our label) and their sibling
 * step containers (`<runnerUuid>_<uuid>_<role>`). Per runner it keeps a `RunnerLogReplay` (bounded:
 * steps, diagnoses and the unfinished line are capped; no line is retained).
 *
 * The event stream carries every container event and is filtered here: Docker ANDs different
 * filter keys, and has no name-pattern filter, so one server-side filter cannot select both our
 * labelled runners and their unlabelled siblings.
 *
 * On a broken event stream: `connection` event (once), reconnect with capped backoff, then
 * reconcile every runner from labels. Log streams resume with `since` just after the last line
 * seen (Docker's own nanosecond timestamps), so no line is folded twice or skipped.
 */
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';
import { diagnose, maskCredentialLike, type DiagnoseContext, type Diagnosis } from '../../shared/diagnostics/diagnose.js';
import { redactText, Secret } from '../../shared/secret.js';
import { bare, LABEL_MANAGED, LABEL_RUNNER } from '../../shared/runner-spec.js';
import { foldRunnerLog } from '../../shared/step-log/fold.js';
import { RunnerLogReplay, toStepsJson, type ReplayOptions, type RunnerStepsJson } from '../../shared/step-log/replay.js';
import { confirmedSiblingStep, parseSiblingName } from '../../shared/step-log/sibling-name.js';
import { resolveTimeZone, timeZoneFromEnv } from '../../shared/step-log/time-zone.js';
import type { ContainerAction, ContainerEvent, RunnerState, Step } from '../../shared/step-log/types.js';
import { demuxBuffer } from '../docker/container-logs.js';
import { jsonLines } from '../docker/json-lines.js';
import type { Engine } from '../docker/engine.js';
import { TypedEmitter } from '../runners/events.js';
import { comparableTimestamp, leadingDockerTimestamp, sinceAfter, sinceAt } from './docker-time.js';
import type { LogLineView, SiblingView, StepsEvent } from './events.js';
import { Supervisor, type CrashVerdict, type SupervisorOptions } from './supervisor.js';

export interface StepsServiceDeps {
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
   * Running sibling step containers whose logs are followed per runner, for diagnoses only
   * (`DIND_VERSION_MISMATCH`, `exceeded memory limit` appear there, not in the runner's log).
   * Default 8; 0 follows none.
   */
  maxSiblingLogs?: number;
}

export interface RunnerSnapshot {
  runnerUuid: string;
  containerId: string | null;
  containerName: string | null;
  runnerState: RunnerState;
  reason?: string;
  crash?: CrashVerdict;
  steps: Step[];
  diagnostics: readonly Diagnosis[];
  /** Lines numbered so far; the newest line's number (see `LogLineView.lineNumber`). */
  lineCount: number;
  /** Docker's timestamp of line `lineCount`, so a separate read of the log can be numbered alike. */
  lastLineTime: string | null;
  lastLogAt: string | null;
  siblings: SiblingView[];
  /**
   * How the runner's `[date]` times are read: the container's `TZ` (an IANA zone, offsets per
   * line) or `Z`. `timeZoneProblem` says why a `TZ` that was set is not used.
   */
  timeZone: string;
  timeZoneProblem?: string;
}

export interface SiblingStats {
  name: string;
  stepUuid?: string;
  role: string;
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
}

interface Tracked {
  runnerUuid: string;
  key: string;
  containerId: string | null;
  containerName: string | null;
  replay: RunnerLogReplay;
  published: { state: RunnerState; reason: string | undefined } | null;
  /** Comparable form of the newest Docker timestamp folded (dedupe) and its raw form (resume). */
  lastTsKey: string | null;
  lastTs: string | null;
  running: boolean;
  stream: Readable | null;
  followGen: number;
  emptyFollows: number;
  partial: string;
  lineNumber: number;
  pending: LogLineView[];
  flushTimer: NodeJS.Timeout | null;
  siblings: Map<string, SiblingView>;
  /** The step UUID each sibling's name claims, until the log confirms it (then it is on the view). */
  siblingClaims: Map<string, string>;
  /** Sibling log streams being followed (null while opening), by container id. */
  siblingLogs: Map<string, Readable | null>;
  /** The container whose env (TZ, secret) the replay was set up from. */
  envOf: string | null;
  timeZone: string;
  timeZoneProblem: string | undefined;
  /** The runner's OAuth client secret from its container's env: redacted from diagnosis lines. */
  secrets: Secret[];
  /** Steps as last announced, to tell what a fold changed. */
  lastSteps: Step[];
  quiet: boolean;
}

interface EngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

const FOLDED: ReadonlySet<string> = new Set(['create', 'start', 'restart', 'kill', 'oom', 'die', 'stop', 'destroy']);
const MAX_PARTIAL = 256 * 1024;
const MAX_PENDING = 500;
const MAX_SIBLING_LINE = 64 * 1024;

export class StepsService {
  readonly events = new TypedEmitter<StepsEvent>();
  readonly supervisor: Supervisor;
  readonly #docker: Docker;
  readonly #engine: Engine;
  readonly #runners = new Map<string, Tracked>();
  readonly #backlog: number;
  readonly #batchMs: number;
  readonly #reconnectInitial: number;
  readonly #reconnectMax: number;
  readonly #log: (m: string) => void;
  readonly #replayOptions: ReplayOptions;
  readonly #maxSiblings: number;
  readonly #maxSiblingLogs: number;
  #eventStream: Readable | null = null;
  #connected = false;
  #closed = false;
  #started = false;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #attempt = 0;
  #reconciling: Promise<void> = Promise.resolve();

  constructor(deps: StepsServiceDeps) {
    this.#engine = deps.engine;
    this.#docker = deps.engine.docker;
    this.supervisor = deps.supervisor instanceof Supervisor ? deps.supervisor : new Supervisor(deps.supervisor);
    this.#backlog = deps.backlogLines ?? 5000;
    this.#batchMs = deps.logBatchMs ?? 25;
    this.#reconnectInitial = deps.reconnectInitialMs ?? 250;
    this.#reconnectMax = deps.reconnectMaxMs ?? 5000;
    this.#log = deps.log ?? (() => undefined);
    this.#maxSiblings = deps.maxSiblings ?? 32;
    this.#maxSiblingLogs = deps.maxSiblingLogs ?? 8;
    this.#replayOptions = {
      ...(deps.replay ?? {}),
      hostDockerVersion: deps.replay?.hostDockerVersion ?? this.#engine.facts.serverVersion,
    };
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Subscribe to the engine, then rebuild every runner from its existing log. */
  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    // Events first: anything that happens while we read backlogs is then queued, not lost.
    await this.#openEvents();
    this.#connected = true;
    await this.reconcile();
  }

  /** Re-read every runner container (by label) and its siblings; resume what was missed. */
  reconcile(): Promise<void> {
    const run = this.#reconciling.then(() => this.#reconcile());
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

  /** The `steps --json` object of one runner, or null when no container of it was seen. */
  /**
   * A runner's log line as it may leave the service: its known secret (the container's
   * OAUTH_CLIENT_SECRET) redacted, and anything else credential-like masked (a runner prints
   * what it likes, and a secret-looking extra variable is not ours to know).
   */
  maskLogLine(runnerUuid: string, text: string): string {
    const t = this.#runners.get(bare(runnerUuid));
    return maskCredentialLike(t && t.secrets.length > 0 ? redactText(text, t.secrets) : text);
  }

  stepsJson(runnerUuid: string): RunnerStepsJson | null {
    const t = this.#runners.get(bare(runnerUuid));
    if (!t) return null;
    return { ...toStepsJson(t.replay.state, t.replay.diagnostics), runnerState: this.#effective(t).state };
  }

  /** One-shot CPU/memory of a runner's running sibling step containers (read only, never touched). */
  async siblingStats(runnerUuid: string): Promise<SiblingStats[]> {
    const t = this.#runners.get(bare(runnerUuid));
    if (!t) return [];
    const out: SiblingStats[] = [];
    for (const s of t.siblings.values()) {
      if (!s.running) continue;
      try {
        const st = (await this.#docker.getContainer(s.containerId).stats({ stream: false })) as unknown as Docker.ContainerStats;
        const cpuDelta = st.cpu_stats.cpu_usage.total_usage - st.precpu_stats.cpu_usage.total_usage;
        const sysDelta = (st.cpu_stats.system_cpu_usage ?? 0) - (st.precpu_stats.system_cpu_usage ?? 0);
        const cpus = st.cpu_stats.online_cpus ?? st.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
        out.push({
          name: s.name,
          role: s.role,
          ...(s.stepUuid ? { stepUuid: s.stepUuid } : {}),
          cpuPercent: sysDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : null,
          memoryBytes: st.memory_stats?.usage ?? null,
          memoryLimitBytes: st.memory_stats?.limit ?? null,
        });
      } catch {
        // Gone between the event and the call: the step ended.
      }
    }
    return out;
  }

  /** Stops every stream and timer; the process can exit afterwards. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#eventStream?.destroy();
    this.#eventStream = null;
    await this.#reconciling;
    for (const t of this.#runners.values()) {
      t.followGen++;
      t.stream?.destroy();
      t.stream = null;
      this.#stopSiblingLogs(t);
      this.#flush(t);
    }
  }

  // ---- engine events -------------------------------------------------------------------

  async #openEvents(): Promise<void> {
    const stream = (await this.#docker.getEvents({ filters: { type: ['container'] } })) as unknown as Readable;
    if (this.#closed) {
      stream.destroy();
      return;
    }
    this.#eventStream = stream;
    stream.setEncoding('utf8');
    stream.on('data', jsonLines<EngineEvent>((ev) => this.#onEngineEvent(ev), MAX_PARTIAL));
    let gone = false;
    const broken = (why: string) => {
      if (gone) return;
      gone = true;
      if (this.#eventStream === stream) this.#eventStream = null;
      this.#disconnected(why);
    };
    stream.once('error', (e: Error) => broken(e.message));
    stream.once('end', () => broken('the engine closed its event stream'));
    stream.once('close', () => broken('the engine closed its event stream'));
  }

  #onEngineEvent(ev: EngineEvent): void {
    const action = (ev.Action ?? ev.status ?? '').split(':')[0]!;
    if (!FOLDED.has(action)) return;
    const id = ev.Actor?.ID ?? ev.id ?? '';
    const attrs = ev.Actor?.Attributes ?? {};
    const time = ev.timeNano ? new Date(Math.floor(ev.timeNano / 1e6)).toISOString() : new Date((ev.time ?? Date.now() / 1000) * 1000).toISOString();
    const runnerLabel = attrs[LABEL_RUNNER];
    if (attrs[LABEL_MANAGED] === 'true' && runnerLabel) {
      this.#onRunnerEvent(runnerLabel, id, attrs.name ?? null, action as ContainerAction, attrs.exitCode, time);
      return;
    }
    const sibling = attrs.name ? parseSiblingName(attrs.name) : null;
    if (!sibling) return;
    const t = this.#runners.get(bare(sibling.runnerUuid));
    if (!t) return;
    const view: SiblingView = { containerId: id, name: attrs.name!, role: sibling.role, running: action === 'start' };
    if (sibling.stepUuid) t.siblingClaims.set(id, sibling.stepUuid);
    if (action === 'destroy') this.#forgetSibling(t, id);
    else if (action === 'start' || action === 'die' || action === 'create') {
      const known = t.siblings.get(id);
      if (known) known.running = action === 'start' ? true : action === 'die' ? false : known.running;
      else t.siblings.set(id, view);
      while (t.siblings.size > this.#maxSiblings) this.#forgetSibling(t, t.siblings.keys().next().value!);
    }
    const current = t.siblings.get(id);
    if (current) this.#confirmSibling(t, current);
    if (action === 'start') void this.#followSibling(t, id, sibling.role, true);
    if (action === 'die' || action === 'kill' || action === 'stop') this.#stopSiblingLog(t, id);
    this.events.emit({ type: 'sibling', runnerUuid: t.runnerUuid, action: action as ContainerAction, sibling: current ? { ...current } : { ...view, running: false }, time });
  }

  /**
   * The second UUID in a sibling's name is only believed to be the step's: it is shown once a
   * step with that UUID is running in the log. True when this call confirmed it.
   */
  #confirmSibling(t: Tracked, view: SiblingView): boolean {
    if (view.stepUuid !== undefined) return false;
    const step = confirmedSiblingStep(t.siblingClaims.get(view.containerId), t.replay.state.steps);
    if (step === undefined) return false;
    view.stepUuid = step;
    return true;
  }

  #forgetSibling(t: Tracked, id: string): void {
    this.#stopSiblingLog(t, id);
    t.siblings.delete(id);
    t.siblingClaims.delete(id);
  }

  #onRunnerEvent(runnerUuid: string, id: string, name: string | null, action: ContainerAction, exitCode: string | undefined, time: string): void {
    const t = this.#track(runnerUuid);
    if (t.containerId !== id) {
      if (action === 'destroy' || action === 'die' || action === 'kill' || action === 'stop') {
        // An older container of this runner (being replaced): not the one we show.
        if (t.containerId !== null) return;
      }
      // A new container for this runner (recreated by `start`): its log starts afresh.
      this.#switchContainer(t, id);
      t.partial = '';
    }
    if (name) t.containerName = name.replace(/^\//, '');
    const input: ContainerEvent = { kind: 'container', action, time };
    if (action === 'die' && exitCode !== undefined && exitCode !== '') input.exitCode = Number(exitCode);
    if (action === 'die') this.#flushPartial(t);
    t.replay.state = foldRunnerLog(t.replay.state, input);
    this.#emitStepChanges(t, time);

    if (action === 'kill' || action === 'stop' || action === 'restart' || action === 'destroy') this.supervisor.reset(runnerUuid);
    if (action === 'die' && t.replay.state.lastExit) this.supervisor.recordExit(runnerUuid, t.replay.state.lastExit, t.replay.state.lastDiagnosis);
    if (action === 'start' || action === 'restart') {
      t.running = true;
      t.emptyFollows = 0;
      void this.#follow(t);
    }
    if (action === 'die' || action === 'stop' || action === 'destroy') t.running = false;
    if (action === 'destroy') {
      t.containerId = null;
      this.#stopSiblingLogs(t);
      t.siblings.clear();
      t.siblingClaims.clear();
    }
    this.#publish(t, time);
  }

  /** Stops following the runner's previous container; the new one's log is read from its start. */
  #switchContainer(t: Tracked, id: string): void {
    t.followGen++;
    t.stream?.destroy();
    t.stream = null;
    t.containerId = id;
    t.lastTs = null;
    t.lastTsKey = null;
  }

  #disconnected(why: string): void {
    if (this.#closed) return;
    if (this.#connected) {
      this.#connected = false;
      const message = `Lost the Docker engine's event stream (${why}); reconnecting.`;
      this.#log(message);
      this.events.emit({ type: 'connection', connected: false, message, time: new Date().toISOString() });
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer) return;
    const delay = Math.min(this.#reconnectMax, this.#reconnectInitial * 2 ** this.#attempt);
    this.#attempt++;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      void this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#docker.ping();
      await this.#openEvents();
    } catch {
      this.#scheduleReconnect();
      return;
    }
    if (this.#closed) return;
    this.#attempt = 0;
    this.#connected = true;
    try {
      await this.reconcile();
    } catch {
      // The engine went away again mid-reconcile; the event stream's end brings us back here.
      return;
    }
    const message = "Reconnected to the Docker engine's event stream; runners reconciled.";
    this.#log(message);
    this.events.emit({ type: 'connection', connected: true, message, time: new Date().toISOString() });
  }

  // ---- reconcile -----------------------------------------------------------------------

  async #reconcile(): Promise<void> {
    if (this.#closed) return;
    const containers = await this.#docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } });
    const newest = new Map<string, Docker.ContainerInfo>();
    for (const c of containers.sort((a, b) => b.Created - a.Created)) {
      const label = c.Labels[LABEL_RUNNER];
      if (label && !newest.has(bare(label))) newest.set(bare(label), c);
    }
    for (const c of newest.values()) await this.#reconcileRunner(c.Labels[LABEL_RUNNER]!, c.Id).catch(() => undefined);
    for (const t of this.#runners.values()) {
      if (newest.has(t.key) || t.containerId === null) continue;
      // Removed while we were not listening.
      this.#onRunnerEvent(t.runnerUuid, t.containerId, null, 'destroy', undefined, new Date().toISOString());
    }
    await this.#reconcileSiblings();
  }

  async #reconcileRunner(runnerUuid: string, id: string): Promise<void> {
    const info = await this.#docker.getContainer(id).inspect();
    const existing = this.#runners.get(bare(runnerUuid));
    const t = this.#track(runnerUuid);
    t.containerName = info.Name.replace(/^\//, '');
    const startedAt = info.State.StartedAt && !info.State.StartedAt.startsWith('0001-') ? info.State.StartedAt : null;
    const now = new Date().toISOString();
    if (!existing || existing.containerId !== id) {
      // First sight: rebuild quietly from the log since the container's last start.
      this.#switchContainer(t, id);
      this.#applyContainerEnv(t, id, info.Config?.Env);
      t.quiet = true;
      try {
        const raw = (await this.#docker.getContainer(id).logs({
          stdout: true,
          stderr: true,
          follow: false,
          timestamps: true,
          tail: this.#backlog,
          ...(startedAt ? { since: sinceAt(startedAt) as unknown as number } : {}),
        })) as unknown as Buffer;
        this.#onText(t, demuxBuffer(raw).toString('utf8'));
        this.#flushPartial(t);
      } finally {
        t.quiet = false;
        t.pending = [];
        t.lastSteps = t.replay.state.steps;
      }
      if (!info.State.Running) {
        if (info.State.Restarting) {
          if (info.State.OOMKilled) t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'oom' });
        } else if (info.State.ExitCode !== 0) {
          // unless-stopped would have restarted it: it was stopped on purpose.
          t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'kill' });
        }
        t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'die', exitCode: info.State.ExitCode, time: info.State.FinishedAt });
      }
    } else if (info.State.Running && (!t.running || t.replay.state.runnerState === 'STOPPED' || t.replay.state.runnerState === 'CRASHED')) {
      // It (re)started while we were not listening.
      t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'start', time: startedAt ?? now });
      this.#emitStepChanges(t, now);
    } else if (!info.State.Running && t.running) {
      t.replay.state = foldRunnerLog(t.replay.state, { kind: 'container', action: 'die', exitCode: info.State.ExitCode, time: info.State.FinishedAt });
      this.#emitStepChanges(t, now);
    }
    t.running = info.State.Running;
    if (t.running) {
      t.emptyFollows = 0;
      await this.#follow(t);
    }
    this.#publish(t, now);
  }

  async #reconcileSiblings(): Promise<void> {
    if (this.#runners.size === 0) return;
    const all = await this.#docker.listContainers({ all: true });
    const seen = new Set<string>();
    for (const c of all) {
      const name = (c.Names[0] ?? '').replace(/^\//, '');
      const sibling = parseSiblingName(name);
      if (!sibling) continue;
      const t = this.#runners.get(bare(sibling.runnerUuid));
      if (!t) continue;
      seen.add(c.Id);
      const known = t.siblings.get(c.Id);
      const view: SiblingView = { containerId: c.Id, name, role: sibling.role, running: c.State === 'running', ...(known?.stepUuid ? { stepUuid: known.stepUuid } : {}) };
      t.siblings.set(c.Id, view);
      if (sibling.stepUuid) t.siblingClaims.set(c.Id, sibling.stepUuid);
      this.#confirmSibling(t, view);
      // Already running: only what it prints from now on (its earlier lines were ours to see then).
      if (view.running) void this.#followSibling(t, c.Id, sibling.role, false);
      else this.#stopSiblingLog(t, c.Id);
    }
    for (const t of this.#runners.values()) for (const id of [...t.siblings.keys()]) if (!seen.has(id)) this.#forgetSibling(t, id);
  }

  // ---- container env: time zone and secret ---------------------------------------------

  /**
   * The runner's log times are in its container's zone, and its secret is in its env: both are
   * read once per container, before any of its lines are folded.
   */
  #applyContainerEnv(t: Tracked, id: string, env: readonly string[] | null | undefined): void {
    if (t.envOf === id) return;
    t.envOf = id;
    const tz = timeZoneFromEnv(env);
    t.timeZoneProblem = undefined;
    if (tz === undefined) {
      const base = this.#replayOptions;
      t.replay.setTimeZone({ ...(base.timeZone !== undefined ? { timeZone: base.timeZone } : {}), ...(base.utcOffset !== undefined ? { utcOffset: base.utcOffset } : {}) });
      t.timeZone = base.timeZone ?? base.utcOffset ?? 'Z';
    } else {
      const zone = resolveTimeZone(tz);
      if (zone?.kind === 'zone') {
        t.replay.setTimeZone({ timeZone: zone.timeZone });
        t.timeZone = zone.timeZone;
      } else if (zone?.kind === 'offset') {
        t.replay.setTimeZone({ utcOffset: zone.utcOffset });
        t.timeZone = zone.utcOffset;
      } else {
        t.replay.setTimeZone({ utcOffset: 'Z' });
        t.timeZone = 'Z';
        t.timeZoneProblem = `The runner container sets TZ=${JSON.stringify(tz)}, which is not a time zone name this app knows (use an IANA name such as Europe/Warsaw); its log times are read as UTC.`;
        this.#log(`Runner ${t.runnerUuid}: ${t.timeZoneProblem}`);
      }
    }
    const secret = (env ?? []).filter((e) => e.startsWith('OAUTH_CLIENT_SECRET=')).map((e) => e.slice('OAUTH_CLIENT_SECRET='.length)).at(-1);
    t.secrets = secret ? [new Secret(secret)] : [];
    t.replay.setSecrets(t.secrets);
  }

  // ---- sibling step containers' logs: diagnoses only --------------------------------------

  async #followSibling(t: Tracked, id: string, role: string, fromStart: boolean): Promise<void> {
    if (this.#closed || t.siblingLogs.has(id) || t.siblingLogs.size >= this.#maxSiblingLogs) return;
    t.siblingLogs.set(id, null);
    const since = Math.floor(Date.now() / 1000);
    let stream: Readable;
    let tty = false;
    try {
      const c = this.#docker.getContainer(id);
      const info = await c.inspect();
      tty = info.Config?.Tty === true;
      if (!info.State.Running) throw new Error('not running');
      stream = (await c.logs({ stdout: true, stderr: true, follow: true, ...(fromStart ? {} : { since }) })) as unknown as Readable;
    } catch {
      if (t.siblingLogs.get(id) === null) t.siblingLogs.delete(id);
      return;
    }
    if (this.#closed || !t.siblingLogs.has(id) || !t.siblings.has(id)) {
      stream.destroy();
      if (t.siblingLogs.get(id) === null) t.siblingLogs.delete(id);
      return;
    }
    t.siblingLogs.set(id, stream);
    const out = new PassThrough();
    out.setEncoding('utf8');
    let partial = '';
    out.on('data', (chunk: string) => {
      let text = partial + chunk;
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        this.#siblingLine(t, role, text.slice(from, nl));
        from = nl + 1;
      }
      text = from === 0 ? text : text.slice(from);
      if (text.length > MAX_SIBLING_LINE) text = text.slice(-MAX_SIBLING_LINE);
      partial = text;
    });
    let done = false;
    const ended = () => {
      if (done) return;
      done = true;
      out.end();
      if (partial !== '') this.#siblingLine(t, role, partial);
      partial = '';
      if (t.siblingLogs.get(id) === stream) t.siblingLogs.delete(id);
    };
    stream.once('end', ended);
    stream.once('close', ended);
    stream.once('error', ended);
    if (tty) stream.pipe(out);
    else this.#docker.modem.demuxStream(stream, out, out);
  }

  #siblingLine(t: Tracked, role: string, raw: string): void {
    if (this.#closed) return;
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    const context: DiagnoseContext = {};
    if (this.#replayOptions.hostDockerVersion !== undefined) context.hostDockerVersion = this.#replayOptions.hostDockerVersion;
    if (t.secrets.length > 0) context.secrets = t.secrets;
    else context.maskCredentialLike = true;
    const d = diagnose(line, context);
    if (!d) return;
    d.container = role;
    // Listed with the runner's diagnoses, but a step's failure says nothing about the runner's health.
    t.replay.note(d);
    this.events.emit({ type: 'diagnosis', runnerUuid: t.runnerUuid, diagnosis: d, time: new Date().toISOString() });
  }

  #stopSiblingLog(t: Tracked, id: string): void {
    const s = t.siblingLogs.get(id);
    t.siblingLogs.delete(id);
    s?.destroy();
  }

  #stopSiblingLogs(t: Tracked): void {
    for (const id of [...t.siblingLogs.keys()]) this.#stopSiblingLog(t, id);
  }

  // ---- log streams ---------------------------------------------------------------------

  async #follow(t: Tracked): Promise<void> {
    if (this.#closed || t.stream || t.containerId === null) return;
    const gen = ++t.followGen;
    const id = t.containerId;
    let stream: Readable;
    try {
      if (t.envOf !== id) {
        const info = await this.#docker.getContainer(id).inspect();
        if (this.#closed || gen !== t.followGen) return;
        this.#applyContainerEnv(t, id, info.Config?.Env);
      }
      stream = (await this.#docker.getContainer(id).logs({
        stdout: true,
        stderr: true,
        follow: true,
        timestamps: true,
        ...(t.lastTs ? { since: sinceAfter(t.lastTs) as unknown as number } : {}),
      })) as unknown as Readable;
    } catch {
      // Container gone or engine away: its events (or the reconnect) bring us back.
      return;
    }
    if (this.#closed || gen !== t.followGen) {
      stream.destroy();
      return;
    }
    t.stream = stream;
    const out = new PassThrough();
    out.setEncoding('utf8');
    let gotData = false;
    out.on('data', (chunk: string) => {
      gotData = true;
      this.#onText(t, chunk);
    });
    let done = false;
    const ended = () => {
      if (done) return;
      done = true;
      out.end();
      if (t.stream === stream) t.stream = null;
      if (gen !== t.followGen || this.#closed) return;
      this.#flushPartial(t);
      this.#flush(t);
      t.emptyFollows = gotData ? 0 : t.emptyFollows + 1;
      // Ended while we still believe it runs: a `start` raced the old stream's end, or the
      // engine is going away. Ask once; a dead engine is the event stream's business.
      if (t.running && this.#connected && t.emptyFollows < 3) void this.#refollowIfRunning(t, gen);
    };
    stream.once('end', ended);
    stream.once('close', ended);
    stream.once('error', ended);
    this.#docker.modem.demuxStream(stream, out, out);
  }

  async #refollowIfRunning(t: Tracked, gen: number): Promise<void> {
    const id = t.containerId;
    if (id === null) return;
    try {
      const info = await this.#docker.getContainer(id).inspect();
      if (gen !== t.followGen || this.#closed) return;
      if (info.State.Running) await this.#follow(t);
      else t.running = false;
    } catch {
      /* gone or engine away */
    }
  }

  #onText(t: Tracked, chunk: string): void {
    let text = t.partial + chunk;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      this.#line(t, text.slice(from, nl));
      from = nl + 1;
    }
    text = from === 0 ? text : text.slice(from);
    // The replay's reader cuts runaway lines itself; here only cap what waits for a newline.
    if (text.length > MAX_PARTIAL) {
      this.#line(t, text);
      text = '';
    }
    t.partial = text;
  }

  #flushPartial(t: Tracked): void {
    if (t.partial !== '') {
      const p = t.partial;
      t.partial = '';
      this.#line(t, p);
    }
  }

  #line(t: Tracked, raw: string): void {
    const ts = leadingDockerTimestamp(raw);
    if (ts !== null) {
      const key = comparableTimestamp(ts);
      // Older than what was folded: an overlap after a resume. Equal is kept: Docker may stamp
      // several lines of one read alike, and resumes start 1 ns after the last line anyway.
      if (t.lastTsKey !== null && key < t.lastTsKey) return;
      t.lastTsKey = key;
      t.lastTs = ts;
    }
    const before = t.replay.state;
    const found = t.replay.push(raw + '\n');
    t.lineNumber++;
    // The replay's reader counts a runaway line's pieces apart; the service's count is the one the log view shows.
    for (const d of found) d.lineNumber = t.lineNumber;
    if (t.quiet) return;
    const text = ts === null ? raw : raw.slice(ts.length + 1);
    const time = ts ?? new Date().toISOString();
    const shown = maskCredentialLike(redactText(text.endsWith('\r') ? text.slice(0, -1) : text, t.secrets));
    t.pending.push({ lineNumber: t.lineNumber, text: shown, ...(ts ? { time: ts } : {}) });
    if (t.pending.length >= MAX_PENDING) this.#flush(t);
    else if (!t.flushTimer) t.flushTimer = setTimeout(() => this.#flush(t), this.#batchMs);
    if (before !== t.replay.state) {
      const s = t.replay.state.runnerState;
      if ((s === 'ONLINE' || s === 'BUSY') && this.supervisor.verdict(t.runnerUuid)) this.supervisor.healthy(t.runnerUuid);
      this.#emitStepChanges(t, time);
      this.#publish(t, time);
    }
    for (const d of found) this.events.emit({ type: 'diagnosis', runnerUuid: t.runnerUuid, diagnosis: d, time });
  }

  #flush(t: Tracked): void {
    if (t.flushTimer) clearTimeout(t.flushTimer);
    t.flushTimer = null;
    if (t.pending.length === 0) return;
    const lines = t.pending;
    t.pending = [];
    this.events.emit({ type: 'log', runnerUuid: t.runnerUuid, lines });
  }

  // ---- state ---------------------------------------------------------------------------

  #track(runnerUuid: string): Tracked {
    const key = bare(runnerUuid);
    let t = this.#runners.get(key);
    if (!t) {
      t = {
        runnerUuid,
        key,
        containerId: null,
        containerName: null,
        replay: new RunnerLogReplay(this.#replayOptions),
        published: null,
        lastTsKey: null,
        lastTs: null,
        running: false,
        stream: null,
        followGen: 0,
        emptyFollows: 0,
        partial: '',
        lineNumber: 0,
        pending: [],
        flushTimer: null,
        siblings: new Map(),
        siblingClaims: new Map(),
        siblingLogs: new Map(),
        envOf: null,
        timeZone: this.#replayOptions.timeZone ?? this.#replayOptions.utcOffset ?? 'Z',
        timeZoneProblem: undefined,
        secrets: [],
        lastSteps: [],
        quiet: false,
      };
      this.#runners.set(key, t);
    }
    return t;
  }

  #effective(t: Tracked): { state: RunnerState; reason: string | undefined; crash: CrashVerdict | undefined } {
    const crash = this.supervisor.verdict(t.runnerUuid);
    if (crash) return { state: 'CRASHED', reason: crash.reason, crash };
    return { state: t.replay.state.runnerState, reason: t.replay.state.reason, crash: undefined };
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
    // A step UUID can come back (a rerun, a replayed run), so a step is its UUID plus its start.
    const id = (s: Step) => `${s.stepUuid}|${s.startedAt ?? ''}`;
    const prev = new Map(t.lastSteps.map((s) => [id(s), s]));
    for (const s of [...t.replay.state.steps].reverse()) {
      const p = prev.get(id(s));
      if (p === s) continue;
      let change: 'started' | 'phase' | 'finished' | null = null;
      if (!p) change = s.state === 'RUNNING' ? 'started' : 'finished';
      else if (p.state === 'RUNNING' && s.state !== 'RUNNING') change = 'finished';
      else if (s.state === 'RUNNING' && p.phase !== s.phase) change = 'phase';
      if (!p && s.state !== 'RUNNING') this.events.emit({ type: 'step', runnerUuid: t.runnerUuid, change: 'started', step: { ...s, state: 'RUNNING' }, time });
      if (change) this.events.emit({ type: 'step', runnerUuid: t.runnerUuid, change, step: s, time });
    }
    t.lastSteps = t.replay.state.steps;
    // A sibling seen before its step's log line is confirmed now (the two streams race).
    for (const view of t.siblings.values()) {
      if (this.#confirmSibling(t, view) && view.running) this.events.emit({ type: 'sibling', runnerUuid: t.runnerUuid, action: 'start', sibling: { ...view }, time });
    }
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
