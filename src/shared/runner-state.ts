/**
 * The one rule for a runner's state, shared by `list`/`status` (one-shot: the container plus a
 * replay of its log tail), the dashboard (the container plus the monitor's snapshot) and the
 * monitor itself (the container as its events and inspections left it, plus its live replay), so
 * the CLI and the UI cannot disagree for the same container.
 *
 * Runner containers run with Docker's `unless-stopped` policy: Docker restarts every exit that
 * was not a stop (the container is then `restarting` until it runs again). But Docker also leaves
 * a runner `exited` when the engine itself was killed or the host went down (it stops the
 * survivors on its next start as if asked to), so an exit code says nothing of who stopped it (a
 * JVM stopped by SIGTERM exits 143). We record the user's stops ourselves (`stoppedAt`): a runner
 * that is down with one is STOPPED, one that is down without one is CRASHED. Callers that do not
 * know (no settings at hand) fall back to Docker's word: `exited` is STOPPED unless a reading of
 * that same container saw it crash.
 */

export type RunnerState = 'STARTING' | 'ONLINE' | 'BUSY' | 'UNHEALTHY' | 'STOPPED' | 'CRASHED';
export const RUNNER_STATES: readonly RunnerState[] = ['STARTING', 'ONLINE', 'BUSY', 'UNHEALTHY', 'STOPPED', 'CRASHED'];

/** Docker's own container states, plus `missing` when no container carries the runner's label. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead' | 'missing';

/** What the engine says of the runner's container. */
export interface RunnerContainerFacts {
  containerId: string | null;
  containerState: ContainerState;
  /** The last exit's code; null while it runs or when it never ran. */
  exitCode: number | null;
  /**
   * ISO time of the user's last stop as settings record it, null when none is recorded (a down
   * runner then crashed); absent when the caller does not know.
   */
  stoppedAt?: string | null;
}

/** Why a runner that is down without a recorded stop is CRASHED: what `list`/`status` and the API show. */
export interface UnrequestedExit {
  /** `EXIT_<code>`, as a single crash is named by the log's state machine and the supervisor. */
  reason: string;
  exitCode: number | null;
  message: string;
}

/** What reading a container's log found (the monitor's replay, or a one-shot replay of its tail). */
export interface RunnerLogReading {
  containerId: string | null;
  runnerState: RunnerState;
}

export function runnerState(container: RunnerContainerFacts, reading?: RunnerLogReading): RunnerState {
  // A reading of another (older or newer) container says nothing about this one.
  const own = reading !== undefined && container.containerId !== null && reading.containerId === container.containerId ? reading.runnerState : undefined;
  switch (container.containerState) {
    case 'running':
      // Until its log says more (ONLINE, a step, a diagnosis), a running runner is starting.
      return own ?? 'STARTING';
    case 'restarting': {
      // Docker restarts it after an exit nobody asked for: a failing exit is a crash.
      const failed = container.exitCode !== null && container.exitCode !== 0;
      return own === 'CRASHED' || failed ? 'CRASHED' : 'STARTING';
    }
    case 'exited':
    case 'dead':
      if (typeof container.stoppedAt === 'string') return 'STOPPED';
      if (container.stoppedAt === null) return 'CRASHED';
      return own === 'CRASHED' ? 'CRASHED' : 'STOPPED';
    case 'created':
    case 'paused':
    case 'removing':
    case 'missing':
      return 'STOPPED';
  }
}

/** The crash of a runner that is down without a recorded stop; null when it runs, never ran or was stopped. */
export function unrequestedExit(container: RunnerContainerFacts): UnrequestedExit | null {
  if (container.stoppedAt !== null || (container.containerState !== 'exited' && container.containerState !== 'dead')) return null;
  const code = container.exitCode;
  return {
    reason: `EXIT_${code ?? 'UNKNOWN'}`,
    exitCode: code,
    message:
      `its container exited (code ${code ?? 'unknown'}) without a stop from Runner Tray: the runner crashed, or the Docker engine or the host went down under it. ` +
      '`runner-tray serve` and the desktop app start it again; or start it yourself.',
  };
}
