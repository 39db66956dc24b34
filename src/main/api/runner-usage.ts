/**
 * CPU/memory of running runner containers for the UI. A stats stream per running runner is
 * open only while some UI listens (ApiEvents' watched hook): Docker computes stats per
 * subscriber, and the CLI has no one to show them to. Figures are pushed as `runner.changed`
 * at most once per `throttleMs` per runner, so a busy list does not re-render every second.
 */
import type Docker from 'dockerode';
import type { ContainerUsage } from '../../shared/container-stats.js';
import { bare } from '../../shared/runner-spec.js';
import { followContainerStats, type StatsStream } from '../docker/stats-stream.js';

export interface RunnerUsageDeps {
  docker: Docker;
  /** The runners whose container runs now (asked once when the first listener arrives). */
  listRunning: () => Promise<Array<{ runnerUuid: string; containerId: string }>>;
  /** Announce the runner's view again (ApiEvents.runnerChanged). */
  changed: (runnerUuid: string) => void;
  /** Default 2000 ms. */
  throttleMs?: number;
  log?: (line: string) => void;
  /** Test seam: the stream opener (defaults to the engine's stats endpoint). */
  follow?: typeof followContainerStats;
}

interface Followed {
  runnerUuid: string;
  containerId: string;
  stream: StatsStream;
  usage: ContainerUsage | null;
  lastPushed: number;
  timer: NodeJS.Timeout | null;
}

const REOPEN_AFTER_MS = 5_000;

export class RunnerUsage {
  readonly #deps: RunnerUsageDeps;
  readonly #followed = new Map<string, Followed>();
  /** Container id → when its stream ended: a stream that keeps failing is not reopened in a loop. */
  readonly #ended = new Map<string, number>();
  #watched = false;
  #generation = 0;

  constructor(deps: RunnerUsageDeps) {
    this.#deps = deps;
  }

  get watched(): boolean {
    return this.#watched;
  }

  /** Runners with an open stats stream (for tests and diagnostics). */
  get following(): number {
    return this.#followed.size;
  }

  setWatched(watched: boolean): void {
    if (watched === this.#watched) return;
    this.#watched = watched;
    const gen = ++this.#generation;
    if (!watched) {
      for (const key of [...this.#followed.keys()]) this.#stop(key);
      return;
    }
    this.#deps
      .listRunning()
      .then((running) => {
        if (gen !== this.#generation) return;
        for (const r of running) this.sync(r.runnerUuid, r.containerId, true);
      })
      .catch((e: unknown) => this.#deps.log?.(`debug: runner stats not started (${(e as Error).message})`));
  }

  /**
   * Called with every freshly read runner status: follows the running container while
   * watched, stops following one that stopped or was replaced.
   */
  sync(runnerUuid: string, containerId: string | null, running: boolean): void {
    const key = bare(runnerUuid);
    const current = this.#followed.get(key);
    if (!this.#watched || !running || containerId === null) {
      if (current) this.#stop(key);
      return;
    }
    if (current?.containerId === containerId) return;
    if (current) this.#stop(key);
    const endedAt = this.#ended.get(containerId);
    if (endedAt !== undefined && Date.now() - endedAt < REOPEN_AFTER_MS) return;
    const f: Followed = { runnerUuid, containerId, stream: { close: () => undefined }, usage: null, lastPushed: 0, timer: null };
    this.#followed.set(key, f);
    f.stream = (this.#deps.follow ?? followContainerStats)(this.#deps.docker, containerId, {
      onUsage: (usage) => this.#onUsage(key, f, usage),
      onEnd: (reason) => {
        if (this.#followed.get(key) !== f) return;
        this.#stop(key);
        for (const [id, at] of this.#ended) if (Date.now() - at >= REOPEN_AFTER_MS) this.#ended.delete(id);
        this.#ended.set(containerId, Date.now());
        this.#deps.log?.(`debug: stats of runner ${runnerUuid} stopped (${reason})`);
        this.#deps.changed(runnerUuid);
      },
    });
  }

  /** The latest figures of a runner's running container, while followed. */
  usage(runnerUuid: string): { cpuPercent?: number; memoryBytes?: number } {
    const u = this.#followed.get(bare(runnerUuid))?.usage;
    if (!u) return {};
    return {
      ...(u.cpuPercent !== null ? { cpuPercent: Math.round(u.cpuPercent * 10) / 10 } : {}),
      ...(u.memoryBytes !== null ? { memoryBytes: u.memoryBytes } : {}),
    };
  }

  close(): void {
    this.#watched = false;
    this.#generation++;
    for (const key of [...this.#followed.keys()]) this.#stop(key);
  }

  #onUsage(key: string, f: Followed, usage: ContainerUsage): void {
    if (this.#followed.get(key) !== f) return;
    if (usage.memoryBytes === null) {
      // Docker keeps streaming empty samples for a stopped container; its events tell the rest.
      this.#stop(key);
      this.#deps.changed(f.runnerUuid);
      return;
    }
    const before = this.usage(f.runnerUuid);
    f.usage = usage;
    const after = this.usage(f.runnerUuid);
    if (before.cpuPercent === after.cpuPercent && before.memoryBytes === after.memoryBytes) return;
    if (f.timer) return;
    const wait = f.lastPushed + (this.#deps.throttleMs ?? 2000) - Date.now();
    const push = () => {
      f.timer = null;
      if (this.#followed.get(key) !== f) return;
      f.lastPushed = Date.now();
      this.#deps.changed(f.runnerUuid);
    };
    if (wait <= 0) push();
    else f.timer = setTimeout(push, wait);
  }

  #stop(key: string): void {
    const f = this.#followed.get(key);
    if (!f) return;
    this.#followed.delete(key);
    if (f.timer) clearTimeout(f.timer);
    f.stream.close();
  }
}
