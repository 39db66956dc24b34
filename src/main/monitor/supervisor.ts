/**
 * Crash-loop supervision on top of Docker's `unless-stopped` restart policy.
 *
 * Decision: we never stop or start a runner ourselves. Docker already restarts a crashed runner
 * with its own backoff (100 ms, doubling per failed start, capped at 1 minute, reset once a
 * start lasts 10 s), and it keeps doing so while this app is closed, after an engine restart and
 * after a reboot. Stopping a looping runner ourselves would have to be remembered across our own
 * restarts to be told apart from a user's stop, and a user's stop must never be undone. So the
 * supervisor only judges: after `maxExits` unrequested non-zero exits within `windowMs`, the
 * runner is CRASHED with the reason (exit code, OOM kill, last diagnosis), until it proves healthy
 * again (reports ONLINE or takes a step) or the user stops or starts it.
 *
 * What Docker does not restart (a runner the engine stopped when it was killed, or the host
 * went down) is down without a stop the user asked for, which settings now record: the
 * long-running hosts start those again (see crash-restart.ts); a user's stop stays a stop.
 */
import type { RunnerExit } from '../../shared/step-log/types.js';

export interface SupervisorOptions {
  /** Unrequested failing exits within the window that make a runner CRASHED. Default 3. */
  maxExits?: number;
  /** Default 120 s: Docker's backoff reaches ~1 min after a handful of failed starts. */
  windowMs?: number;
  now?: () => number;
  /** Who restarts the runner, for the verdict's sentence. Default: Docker, with its back-off. */
  restarter?: string;
}

export interface CrashVerdict {
  /** `OOM_KILLED` or `EXIT_<code>`, as the runner state machine names a single crash. */
  reason: string;
  exits: number;
  windowMs: number;
  exitCode: number | null;
  oomKilled: boolean;
  lastDiagnosis?: string;
  /** One sentence for people: what happened and what Docker does about it. */
  message: string;
}

export class Supervisor {
  readonly #maxExits: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #restarter: string;
  readonly #exits = new Map<string, number[]>();
  readonly #verdicts = new Map<string, CrashVerdict>();

  constructor(options: SupervisorOptions = {}) {
    this.#maxExits = options.maxExits ?? 3;
    this.#windowMs = options.windowMs ?? 120_000;
    this.#now = options.now ?? Date.now;
    this.#restarter = options.restarter ?? 'Docker keeps restarting it with growing delays (up to 1 minute)';
    if (!Number.isInteger(this.#maxExits) || this.#maxExits < 1) throw new RangeError(`maxExits must be a whole number ≥ 1; got ${this.#maxExits}.`);
    if (!(this.#windowMs > 0)) throw new RangeError(`windowMs must be above 0; got ${this.#windowMs}.`);
  }

  /** A container exit. Returns the verdict when the runner is (still) crash-looping, else null. */
  recordExit(runnerUuid: string, exit: RunnerExit, lastDiagnosis?: string): CrashVerdict | null {
    if (exit.requested || (exit.exitCode === 0 && !exit.oomKilled)) return null;
    const now = this.#now();
    const recent = (this.#exits.get(runnerUuid) ?? []).filter((t) => now - t < this.#windowMs);
    recent.push(now);
    this.#exits.set(runnerUuid, recent.slice(-this.#maxExits));
    if (recent.length < this.#maxExits) return null;
    const reason = exit.oomKilled ? 'OOM_KILLED' : `EXIT_${exit.exitCode ?? 'UNKNOWN'}`;
    const why = exit.oomKilled ? 'it was killed for running out of memory' : `its last exit code was ${exit.exitCode ?? 'unknown'}`;
    const verdict: CrashVerdict = {
      reason,
      exits: recent.length,
      windowMs: this.#windowMs,
      exitCode: exit.exitCode,
      oomKilled: exit.oomKilled,
      ...(lastDiagnosis ? { lastDiagnosis } : {}),
      message:
        `The runner exited ${recent.length} times within ${Math.round(this.#windowMs / 1000)} s; ${why}` +
        (lastDiagnosis ? `, and its log last showed ${lastDiagnosis}` : '') +
        `. ${this.#restarter}; fix the cause, or stop it.`,
    };
    this.#verdicts.set(runnerUuid, verdict);
    return verdict;
  }

  verdict(runnerUuid: string): CrashVerdict | undefined {
    return this.#verdicts.get(runnerUuid);
  }

  /** The runner reported ONLINE or took a step. True when that ended a CRASHED verdict. */
  healthy(runnerUuid: string): boolean {
    return this.#verdicts.delete(runnerUuid);
  }

  /** The user (or the app on the user's behalf) stopped, started or removed it: start afresh. */
  reset(runnerUuid: string): boolean {
    this.#exits.delete(runnerUuid);
    return this.#verdicts.delete(runnerUuid);
  }
}
