/**
 * The one rule for a runner's state, shared by `list`/`status` (one-shot: the container plus a
 * replay of its log tail), the dashboard (the container plus the monitor's snapshot) and the
 * monitor itself (the container as its events and inspections left it, plus its live replay), so
 * the CLI and the UI cannot disagree for the same container.
 *
 * Runner containers run with Docker's `unless-stopped` policy: Docker restarts every exit that
 * was not a stop (the container is then `restarting` until it runs again). So an `exited` runner
 * was stopped on purpose, whatever its exit code (a JVM stopped by SIGTERM exits 143), and only
 * a reading of that same container that saw it crash says otherwise.
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
      return own === 'CRASHED' ? 'CRASHED' : 'STOPPED';
    case 'created':
    case 'paused':
    case 'removing':
    case 'missing':
      return 'STOPPED';
  }
}
