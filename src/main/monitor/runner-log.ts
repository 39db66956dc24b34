/**
 * A runner container's own log: the start-up backlog read quietly, then one followed stream per
 * running container, resumed with `since` just after the last line seen (Docker's nanosecond
 * timestamps) so no line is folded twice or skipped. Each line is folded into the runner's
 * replay, numbered, masked and pushed in batches; what it changed is the monitor's to announce.
 */
import type Docker from 'dockerode';
import type { Diagnosis } from '../../shared/diagnostics/diagnose.js';
import { maskLogText } from '../../shared/mask-text.js';
import { foldRunnerLog } from '../../shared/step-log/fold.js';
import { RunnerLogReplay } from '../../shared/step-log/replay.js';
import type { Step } from '../../shared/step-log/types.js';
import { demuxBuffer, followContainerLog, type LogFollower } from '../docker/container-logs.js';
import { comparableTimestamp, sinceAfter, sinceAt, splitDockerLine } from './docker-time.js';
import type { MonitorEvent } from './events.js';
import type { Tracked } from './tracked.js';

export interface RunnerLogOptions {
  docker: Docker;
  /** Lines of a runner's existing log read on start-up (since its last start). */
  backlogLines: number;
  /** Log lines are pushed in batches at most this often per runner. */
  batchMs: number;
  closed(): boolean;
  /** The engine's event stream is up (a log that ends while it is down is the reconnect's business). */
  connected(): boolean;
  emit(event: MonitorEvent): void;
  /** Reads the container's env (TZ, secret) before its first line is folded. */
  inspected(t: Tracked, containerId: string, env: readonly string[] | null | undefined): void;
  /** A line changed the replay's state (not called while `t.quiet`). */
  changed(t: Tracked, time: string): void;
}

const MAX_PENDING = 500;

export class RunnerLog {
  readonly #o: RunnerLogOptions;

  constructor(options: RunnerLogOptions) {
    this.#o = options;
  }

  /**
   * Rebuilds `t` quietly (nothing is announced) from container `id`'s log since its last start,
   * as a first sight after start-up or a reconnect.
   */
  async readBacklog(t: Tracked, id: string, startedAt: string | null): Promise<void> {
    t.quiet = true;
    try {
      // Steps of the container's earlier runs (before a crash restart), as a live follower would
      // have kept them; the runner's state comes from the current run alone.
      if (startedAt) t.replay.state = { ...t.replay.state, steps: await this.#stepsBefore(t, id, startedAt) };
      const raw = (await this.#o.docker.getContainer(id).logs({
        stdout: true,
        stderr: true,
        follow: false,
        timestamps: true,
        tail: this.#o.backlogLines,
        ...(startedAt ? { since: sinceAt(startedAt) as unknown as number } : {}),
      })) as unknown as Buffer;
      t.lines.push(demuxBuffer(raw).toString('utf8'));
      t.lines.end();
    } finally {
      t.quiet = false;
      t.pending = [];
      t.lastSteps = t.replay.state.steps;
    }
  }

  /**
   * The steps in container `id`'s log before its last start (newest `backlogLines` lines), in a
   * replay of their own: only finished steps come out, a step that was running when the run
   * ended being lost with it (ERROR, inferred), as the fold says of an exit nobody asked for.
   */
  async #stepsBefore(t: Tracked, id: string, startedAt: string): Promise<Step[]> {
    const raw = (await this.#o.docker.getContainer(id).logs({
      stdout: true,
      stderr: true,
      follow: false,
      tail: this.#o.backlogLines,
      until: sinceAt(startedAt) as unknown as number,
    })) as unknown as Buffer;
    if (raw.length === 0) return [];
    const earlier = new RunnerLogReplay({ ...t.zone, maxFinishedSteps: t.replay.state.options.maxFinishedSteps });
    earlier.push(demuxBuffer(raw).toString('utf8'));
    earlier.end();
    return foldRunnerLog(earlier.state, { kind: 'container', action: 'die' }).steps;
  }

  /** Follows `t`'s current container from just after the last line seen (from its start when none was). */
  async follow(t: Tracked): Promise<void> {
    if (this.#o.closed() || t.follower || t.containerId === null) return;
    const gen = ++t.followGen;
    const id = t.containerId;
    let gotData = false;
    let follower: LogFollower;
    let done!: () => void;
    // Set before the first await, so an exit event handled right after a start finds it.
    const logDone = new Promise<void>((resolve) => (done = resolve));
    t.logDone = logDone;
    const settle = () => {
      if (t.logDone === logDone) t.logDone = null;
      done();
    };
    try {
      if (t.envOf !== id) {
        const info = await this.#o.docker.getContainer(id).inspect();
        if (this.#o.closed() || gen !== t.followGen) return settle();
        this.#o.inspected(t, id, info.Config?.Env);
      }
      const onText = (text: string) => {
        gotData = true;
        t.lines.push(text);
      };
      follower = await followContainerLog(this.#o.docker, id, onText, { timestamps: true, ...(t.lastTs ? { since: sinceAfter(t.lastTs) } : {}) });
    } catch {
      // Container gone or engine away: its events (or the reconnect) bring us back.
      settle();
      return;
    }
    if (this.#o.closed() || gen !== t.followGen) {
      follower.stop();
      settle();
      return;
    }
    t.follower = follower;
    void follower.ended.then(() => {
      if (t.follower === follower) t.follower = null;
      if (gen !== t.followGen || this.#o.closed()) return settle();
      t.lines.end();
      this.flush(t);
      settle();
      t.emptyFollows = gotData ? 0 : t.emptyFollows + 1;
      // Ended while we still believe it runs: a `start` raced the old stream's end, or the
      // engine is going away. Ask once; a dead engine is the event stream's business.
      if (t.running && this.#o.connected() && t.emptyFollows < 3) void this.#refollowIfRunning(t, gen);
    });
  }

  /**
   * Resolves once `t`'s followed log has ended (a runner's log stream ends after its container
   * exits, having delivered its last lines), or after `maxMs`: an exit is judged on the whole run.
   */
  async drained(t: Tracked, maxMs: number): Promise<void> {
    if (!t.logDone) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    await Promise.race([t.logDone, late]);
    clearTimeout(timer);
  }

  /** Stops following `t`'s container (it was replaced, or the monitor closes). */
  stop(t: Tracked): void {
    t.followGen++;
    t.follower?.stop();
    t.follower = null;
  }

  /** One line of `t`'s log, as the splitter hands it out. */
  line(t: Tracked, raw: string): void {
    const { time: ts, text } = splitDockerLine(raw);
    if (ts !== null) {
      // Engine events that happened before this line are folded first (see event-order).
      if (!t.order.idle) t.order.before(Date.parse(ts));
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
    // The replay's reader counts a runaway line's pieces apart; the monitor's count is the one the log view shows.
    for (const d of found) d.lineNumber = t.lineNumber;
    if (t.quiet) return;
    const time = ts ?? new Date().toISOString();
    this.#queue(t, { lineNumber: t.lineNumber, text: maskLogText(text, t.secrets), ...(ts ? { time: ts } : {}) });
    // The diagnosis before the state it may cause: a CRASHED notice carries the diagnosis that named it.
    this.#diagnosed(t, found, time);
    if (before !== t.replay.state) this.#o.changed(t, time);
  }

  /** Pushes the lines waiting for their batch now. */
  flush(t: Tracked): void {
    if (t.flushTimer) clearTimeout(t.flushTimer);
    t.flushTimer = null;
    if (t.pending.length === 0) return;
    const lines = t.pending;
    t.pending = [];
    this.#o.emit({ type: 'log', runnerUuid: t.runnerUuid, lines });
  }

  #queue(t: Tracked, line: Tracked['pending'][number]): void {
    t.pending.push(line);
    if (t.pending.length >= MAX_PENDING) this.flush(t);
    else if (!t.flushTimer) t.flushTimer = setTimeout(() => this.flush(t), this.#o.batchMs);
  }

  #diagnosed(t: Tracked, found: readonly Diagnosis[], time: string): void {
    for (const d of found) this.#o.emit({ type: 'diagnosis', runnerUuid: t.runnerUuid, diagnosis: d, time });
  }

  async #refollowIfRunning(t: Tracked, gen: number): Promise<void> {
    const id = t.containerId;
    if (id === null) return;
    try {
      const info = await this.#o.docker.getContainer(id).inspect();
      if (gen !== t.followGen || this.#o.closed()) return;
      if (info.State.Running) await this.follow(t);
      else t.running = false;
    } catch {
      /* gone or engine away */
    }
  }
}
