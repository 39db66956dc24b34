/**
 * What a long-running host (`serve`, the desktop app) does about runners that are down without a
 * stop from the user (settings' `stoppedAt`): Docker's `unless-stopped` policy restarts a runner
 * that exits, but not one the engine itself stopped when it was killed or the host went down;
 * those come back `exited`, and are started again here. Docker still owns crash loops (it keeps
 * restarting a runner that exits on its own; the supervisor only judges them).
 *
 * With it go the runner's step containers left from before the crash: nobody else removes them.
 * Only those of that runner (by its UUID in their name), and only those created before its
 * current run, so a step it has taken since is left alone.
 */
import { unrequestedExit } from '../../shared/runner-state.js';
import { bare } from '../../shared/runner-spec.js';
import type { RunnerService, RunnerStatus } from '../runners/runner-service.js';

export interface CrashRestartDeps {
  runners: RunnerService;
  /** One line per restart, per failed restart and per cleanup (with how many); never a payload. */
  log: (line: string) => void;
  /** After a failed restart the next try waits this long, doubling up to `maxRetryMs`. Default 5 s, 5 min. */
  retryMs?: number;
  maxRetryMs?: number;
}

export interface CrashRestartReport {
  runnerUuid: string;
  /** `EXIT_<code>` of the exit that left it down. */
  reason: string;
  exitCode: number | null;
  restarted: boolean;
  removedStepContainers: number;
  error?: string;
}

export class CrashRestarts {
  readonly #runners: RunnerService;
  readonly #log: (line: string) => void;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  /** Per runner: failed restarts in a row, and when the next may be tried. */
  readonly #failures = new Map<string, { count: number; notBefore: number; timer: NodeJS.Timeout | null }>();
  #running: Promise<CrashRestartReport[]> = Promise.resolve([]);
  #closed = false;

  constructor(deps: CrashRestartDeps) {
    this.#runners = deps.runners;
    this.#log = deps.log;
    this.#retryMs = deps.retryMs ?? 5000;
    this.#maxRetryMs = deps.maxRetryMs ?? 300_000;
  }

  /**
   * Every stored runner (or one): start those down without a recorded stop, and remove step
   * containers left from before their current run. Checks run one at a time.
   */
  check(runnerUuid?: string): Promise<CrashRestartReport[]> {
    const run = this.#running.then(() => this.#check(runnerUuid));
    this.#running = run.catch(() => []);
    return run;
  }

  close(): void {
    this.#closed = true;
    for (const f of this.#failures.values()) if (f.timer) clearTimeout(f.timer);
  }

  async #check(runnerUuid: string | undefined): Promise<CrashRestartReport[]> {
    if (this.#closed) return [];
    if (runnerUuid !== undefined && !this.#runners.has(runnerUuid)) return [];
    const statuses = runnerUuid === undefined ? await this.#runners.list() : [await this.#runners.status(runnerUuid)];
    const reports: CrashRestartReport[] = [];
    for (const status of statuses) {
      if (this.#closed) break;
      try {
        const report = await this.#checkOne(status);
        if (report) reports.push(report);
      } catch (e) {
        // Removed meanwhile, or the engine went away: the next check (a reconnect's) looks again.
        this.#log(`Runner ${status.runnerUuid}: could not check it after a crash: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return reports;
  }

  async #checkOne(status: RunnerStatus): Promise<CrashRestartReport | null> {
    // A runner on a cluster has no business on this engine, nor do its step containers.
    if (this.#runners.resolve(status.runnerUuid).placement) return null;
    const crash = unrequestedExit(status);
    if (!crash) {
      await this.#removeLeftovers(status);
      return null;
    }
    // The user may have stopped it from another process since the status was read.
    if (this.#runners.resolve(status.runnerUuid).stoppedAt) return null;
    return this.#restart(status, crash);
  }

  async #restart(status: RunnerStatus, crash: { reason: string; exitCode: number | null }): Promise<CrashRestartReport | null> {
    const uuid = status.runnerUuid;
    const failures = this.#failures.get(bare(uuid));
    if (failures && Date.now() < failures.notBefore) return null;
    // Down: every step container of it is a leftover, and must go before a new run takes steps.
    let removed = 0;
    try {
      removed = await this.#runners.removeStepContainers(uuid);
      await this.#runners.start(uuid);
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      const delay = this.#scheduleRetry(uuid);
      this.#log(`Runner ${uuid} is down without a stop (${crash.reason}); starting it again failed: ${error} Next try in ${Math.round(delay / 1000)} s.`);
      return { runnerUuid: uuid, reason: crash.reason, exitCode: crash.exitCode, restarted: false, removedStepContainers: removed, error };
    }
    this.#clearRetry(uuid);
    this.#log(
      `Runner ${uuid} was down without a stop (exit code ${crash.exitCode ?? 'unknown'}: the runner crashed, or Docker or the host went down); started it again` +
        (removed > 0 ? `, and removed ${stepContainers(removed)} left from before.` : '.'),
    );
    return { runnerUuid: uuid, reason: crash.reason, exitCode: crash.exitCode, restarted: true, removedStepContainers: removed };
  }

  /** A runner that runs keeps only step containers of its current run; one the user stopped keeps none. */
  async #removeLeftovers(status: RunnerStatus): Promise<void> {
    if (status.containerState === 'missing' || status.containerState === 'restarting' || status.containerState === 'created') return;
    let before: number | undefined;
    if (status.containerState === 'running') {
      if (status.startedAt === null) return;
      before = Math.floor(Date.parse(status.startedAt) / 1000);
    }
    const removed = await this.#runners.removeStepContainers(status.runnerUuid, before).catch(() => 0);
    if (removed > 0) this.#log(`Runner ${status.runnerUuid}: removed ${stepContainers(removed)} left from before its last start (a crash or a restart).`);
  }

  #scheduleRetry(uuid: string): number {
    const key = bare(uuid);
    const prev = this.#failures.get(key);
    const count = (prev?.count ?? 0) + 1;
    const delay = Math.min(this.#retryMs * 2 ** (count - 1), this.#maxRetryMs);
    if (prev?.timer) clearTimeout(prev.timer);
    const timer = setTimeout(() => {
      const f = this.#failures.get(key);
      if (f) f.timer = null;
      this.check(uuid).catch((e: unknown) => this.#log(`Runner ${uuid}: checking it after a failed restart: ${e instanceof Error ? e.message : String(e)}`));
    }, delay);
    timer.unref();
    this.#failures.set(key, { count, notBefore: Date.now() + delay, timer });
    return delay;
  }

  #clearRetry(uuid: string): void {
    const f = this.#failures.get(bare(uuid));
    if (f?.timer) clearTimeout(f.timer);
    this.#failures.delete(bare(uuid));
  }
}

function stepContainers(n: number): string {
  return n === 1 ? '1 step container' : `${n} step containers`;
}
