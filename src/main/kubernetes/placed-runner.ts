/**
 * One runner on a cluster, read like a local runner: its pod's runner container stands for the
 * container, its log (through the API server) goes line by line through the same replay (step-log
 * parser, diagnoses, state machine) the monitor uses, and its exits through the same supervisor.
 * What changed is pushed as the monitor's own events, so the API and the CLI treat both alike.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { PlacementView } from '../../shared/contract/views.js';
import { LineSplitter } from '../../shared/line-splitter.js';
import { maskLogText } from '../../shared/mask-text.js';
import { runnerState, type RunnerState } from '../../shared/runner-state.js';
import { bare } from '../../shared/runner-spec.js';
import { Secret } from '../../shared/secret.js';
import { foldRunnerLog } from '../../shared/step-log/fold.js';
import { RunnerLogReplay, toStepsJson, type ReplayOptions, type RunnerStepsJson } from '../../shared/step-log/replay.js';
import type { ContainerAction, Step } from '../../shared/step-log/types.js';
import { containerEnvSettings } from '../monitor/container-env.js';
import { comparableTimestamp, splitDockerLine } from '../monitor/docker-time.js';
import type { LogLineView, MonitorEvent } from '../monitor/events.js';
import { stepChanges } from '../monitor/step-diff.js';
import type { CrashVerdict, Supervisor } from '../monitor/supervisor.js';
import type { RunnerSnapshot } from '../monitor/tracked.js';
import type { RunnerStatus } from '../runners/runner-types.js';
import type { RunnerPlacement, RunnerRecord } from '../settings/types.js';
import { placementView, runnerPodEnv, runnerPodFacts, type RunnerPodFacts } from './pod-facts.js';
import { runnerPodStatus, type RunnerPodStatus } from './pod-status.js';

export interface PlacedRunnerHost {
  emit(event: MonitorEvent): void;
  supervisor: Supervisor;
  /** Log lines are pushed in batches at most this often. */
  batchMs: number;
  replay: ReplayOptions;
  log(message: string): void;
}

const MAX_PENDING = 500;
const MAX_PARTIAL = 256 * 1024;

export class PlacedRunner {
  readonly runnerUuid: string;
  readonly key: string;
  record: RunnerRecord;
  readonly replay: RunnerLogReplay;
  readonly lines: LineSplitter;
  readonly #host: PlacedRunnerHost;
  lineNumber = 0;
  /** Lines read from the current run (since `switchContainer`). */
  runLines = 0;
  lastTs: string | null = null;
  #lastTsKey: string | null = null;
  #resumeKey: string | null = null;
  /** The runner container whose log was read last (the kubelet's `docker://…` id). */
  containerId: string | null = null;
  /** That container's run was seen to start and not yet to end. */
  running = false;
  pod: V1Pod | null = null;
  podStatus: RunnerPodStatus | null = null;
  facts: RunnerPodFacts = runnerPodFacts(null);
  /** The cluster's answer in plain words when it could not be read; null when it could. */
  problem: string | null = null;
  secrets: Secret[] = [];
  timeZone = 'Z';
  /** While a backlog is read: nothing is announced. */
  quiet = false;
  #published: { state: RunnerState; reason: string | undefined } | null = null;
  #lastSteps: Step[] = [];
  #pending: LogLineView[] = [];
  #flushTimer: NodeJS.Timeout | null = null;
  #envOf: string | null = null;

  constructor(record: RunnerRecord, host: PlacedRunnerHost) {
    this.record = record;
    this.runnerUuid = record.spec.runnerUuid;
    this.key = bare(this.runnerUuid);
    this.#host = host;
    this.replay = new RunnerLogReplay(host.replay);
    this.lines = new LineSplitter((line) => this.line(line), MAX_PARTIAL);
  }

  get placement(): RunnerPlacement {
    return this.record.placement!;
  }

  /** The pods as the API server reports them now (one: the current one, or none). */
  setPod(pod: V1Pod | null): void {
    this.pod = pod;
    this.podStatus = pod ? runnerPodStatus(pod) : null;
    this.facts = runnerPodFacts(pod);
    if (pod && this.#envOf !== pod.metadata?.uid) {
      this.#envOf = pod.metadata?.uid ?? null;
      const settings = containerEnvSettings(runnerPodEnv(pod), this.#host.replay);
      this.replay.setTimeZone(settings.zone);
      this.timeZone = settings.shown;
      if (settings.problem) this.#host.log(`Runner ${this.runnerUuid}: ${settings.problem}`);
    }
  }

  /** The values the runner's env reads from its Secret: redacted from its lines and diagnoses. */
  setSecrets(values: readonly string[]): void {
    this.secrets = values.filter((v) => v.length > 0).map((v) => new Secret(v));
    this.replay.setSecrets(this.secrets);
  }

  /** A new run of the runner container: its log is read from its start. */
  switchContainer(id: string): void {
    this.lines.reset();
    this.containerId = id;
    this.runLines = 0;
    this.lastTs = null;
    this.#lastTsKey = null;
    this.#resumeKey = null;
  }

  /** The log is read again from the second of the last line: what was folded is skipped. */
  resuming(): void {
    this.#resumeKey = this.#lastTsKey;
  }

  /** One line of the runner container's log, with the kubelet's timestamp in front. */
  line(raw: string): void {
    const { time: ts, text } = splitDockerLine(raw);
    if (ts !== null) {
      const key = comparableTimestamp(ts);
      // Older than what was folded: an overlap. Equal is kept (one read may stamp lines alike),
      // except right after a resume, which starts at the whole second before the last line.
      if (this.#lastTsKey !== null && key < this.#lastTsKey) return;
      if (this.#resumeKey !== null) {
        if (key <= this.#resumeKey) return;
        this.#resumeKey = null;
      }
      this.#lastTsKey = key;
      this.lastTs = ts;
    }
    const before = this.replay.state;
    const found = this.replay.push(raw + '\n');
    this.lineNumber++;
    this.runLines++;
    for (const d of found) d.lineNumber = this.lineNumber;
    if (this.quiet) return;
    const time = ts ?? new Date().toISOString();
    this.#queue({ lineNumber: this.lineNumber, text: maskLogText(text, this.secrets), ...(ts ? { time: ts } : {}) });
    // The diagnosis before the state it may cause: a CRASHED notice carries the diagnosis that named it.
    for (const d of found) this.#host.emit({ type: 'diagnosis', runnerUuid: this.runnerUuid, diagnosis: d, time });
    if (before !== this.replay.state) {
      const s = this.replay.state.runnerState;
      if ((s === 'ONLINE' || s === 'BUSY') && this.#host.supervisor.verdict(this.runnerUuid)) this.#host.supervisor.healthy(this.runnerUuid);
      this.emitStepChanges(time);
      this.publish(time);
    }
  }

  /** The runner container started or ended, as the kubelet reported it. */
  containerEvent(action: ContainerAction, time: string, exit?: { exitCode: number; oomKilled: boolean }): void {
    if (action === 'die') {
      this.lines.end();
      this.flush();
      if (exit?.oomKilled) this.replay.state = foldRunnerLog(this.replay.state, { kind: 'container', action: 'oom', time });
    }
    this.replay.state = foldRunnerLog(this.replay.state, {
      kind: 'container',
      action,
      time,
      ...(exit ? { exitCode: exit.exitCode } : {}),
    });
    if (action === 'die' && this.replay.state.lastExit) {
      this.#host.supervisor.recordExit(this.runnerUuid, this.replay.state.lastExit, this.replay.state.lastDiagnosis);
    }
    this.running = action === 'start';
    this.emitStepChanges(time);
    // An exit is announced even while held: the run's lines are in by now, and a start right after
    // must not hide the crash. A start while held waits: the pod may already say how that run ended
    // (one that crashed between two looks), and its log, read next, names why.
    if (action === 'die') this.#announce(time);
    else this.publish(time);
  }

  /** A crash-loop verdict first, then the shared rule over the pod's runner container and the log's reading. */
  effective(): { state: RunnerState; reason: string | undefined; crash: CrashVerdict | undefined } {
    const crash = this.#host.supervisor.verdict(this.runnerUuid);
    if (crash) return { state: 'CRASHED', reason: crash.reason, crash };
    if (this.facts.problemReason) return { state: 'UNHEALTHY', reason: this.facts.problemReason, crash: undefined };
    const read = this.replay.state;
    if (this.facts.containerState === 'created') return { state: 'STARTING', reason: undefined, crash: undefined };
    const state = runnerState(this.facts, { containerId: this.containerId, runnerState: read.runnerState });
    return { state, reason: state === read.runnerState ? read.reason : undefined, crash: undefined };
  }

  /**
   * While a pod change is being worked through, the state is not announced: the pod already says
   * the run ended, and its last lines (which hold the diagnosis a crash names) are still being read.
   */
  holding = false;

  publish(time: string): void {
    if (this.holding) return;
    this.#announce(time);
  }

  #announce(time: string): void {
    if (this.quiet) return;
    const eff = this.effective();
    const prev = this.#published;
    if (prev && prev.state === eff.state && prev.reason === eff.reason) return;
    this.#published = { state: eff.state, reason: eff.reason };
    this.#host.emit({
      type: 'runner-state',
      runnerUuid: this.runnerUuid,
      runnerState: eff.state,
      previous: prev?.state ?? null,
      ...(eff.reason ? { reason: eff.reason } : {}),
      ...(eff.crash ? { crash: eff.crash } : {}),
      time,
    });
  }

  emitStepChanges(time: string): void {
    if (this.quiet || this.#lastSteps === this.replay.state.steps) return;
    for (const { change, step } of stepChanges(this.#lastSteps, this.replay.state.steps)) {
      this.#host.emit({ type: 'step', runnerUuid: this.runnerUuid, change, step, time });
    }
    this.#lastSteps = this.replay.state.steps;
  }

  /** After a quiet backlog: its steps are the starting point, not news. */
  settleQuiet(): void {
    this.quiet = false;
    this.#pending = [];
    this.#lastSteps = this.replay.state.steps;
  }

  flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = null;
    if (this.#pending.length === 0) return;
    const lines = this.#pending;
    this.#pending = [];
    this.#host.emit({ type: 'log', runnerUuid: this.runnerUuid, lines });
  }

  #queue(line: LogLineView): void {
    this.#pending.push(line);
    if (this.#pending.length >= MAX_PENDING) this.flush();
    else if (!this.#flushTimer) this.#flushTimer = setTimeout(() => this.flush(), this.#host.batchMs);
  }

  snapshot(): RunnerSnapshot {
    const eff = this.effective();
    const s = this.replay.state;
    return {
      runnerUuid: this.runnerUuid,
      containerId: this.facts.containerId,
      containerName: this.pod?.metadata?.name ?? null,
      runnerState: eff.state,
      ...(eff.reason ? { reason: eff.reason } : {}),
      ...(eff.crash ? { crash: eff.crash } : {}),
      steps: s.steps,
      diagnostics: this.replay.diagnostics,
      lineCount: this.lineNumber,
      lastLineTime: this.lastTs,
      lastLogAt: s.lastLogAt,
      siblings: [],
      timeZone: this.timeZone,
    };
  }

  stepsJson(): RunnerStepsJson {
    return { ...toStepsJson(this.replay.state, this.replay.diagnostics), runnerState: this.effective().state };
  }

  placementView(): PlacementView {
    return placementView(this.placement, this.podStatus, this.problem);
  }

  /** The runner as `list` / `status` / the dashboard show it: the pod's runner container as its container. */
  status(now: Date = new Date()): RunnerStatus {
    const f = this.facts;
    const startedAt = f.containerState === 'running' ? f.startedAt : null;
    return {
      runnerUuid: this.runnerUuid,
      name: this.pod?.metadata?.name ?? this.record.spec.name,
      displayName: this.record.displayName,
      kind: this.record.spec.kind,
      containerId: f.containerId,
      containerState: f.containerState,
      image: f.image ?? this.record.spec.image,
      startedAt,
      uptimeSeconds: startedAt ? Math.max(0, Math.round((now.getTime() - Date.parse(startedAt)) / 1000)) : null,
      exitCode: f.exitCode,
      restartCount: this.podStatus?.restarts ?? 0,
      workingDirectory: this.record.spec.workingDirectory,
    };
  }

  close(): void {
    this.flush();
  }
}
