/**
 * A runner's state right now, for one-shot commands (`list`, `status`) that have no live
 * follower: `shared/runner-state`'s rule (the one the dashboard and the monitor use) over the
 * container and, for a running one, a replay of its current log.
 */
import type Docker from 'dockerode';
import { runnerState, type RunnerContainerFacts, type RunnerLogReading, type RunnerState } from '../../shared/runner-state.js';
import { RunnerLogReplay } from '../../shared/step-log/index.js';
import { readContainerLog } from '../docker/container-logs.js';

/** Enough lines to see the last state change of an idle runner (it logs a line every 30 s at most). */
const TAIL_LINES = 2000;

/** What replaying a log (from a container's start) says of the runner. */
export function readingOfLog(containerId: string, log: string): RunnerLogReading {
  const replay = new RunnerLogReplay();
  replay.push(log);
  replay.end();
  return { containerId, runnerState: replay.state.runnerState };
}

/** `readLog` returns the container's log tail; it is asked only for a running container. */
export async function oneShotRunnerState(container: RunnerContainerFacts, readLog: (containerId: string) => Promise<string>): Promise<RunnerState> {
  if (container.containerState !== 'running' || container.containerId === null) return runnerState(container);
  let log: string;
  try {
    log = await readLog(container.containerId);
  } catch {
    // The container went away between the two calls: say what we knew.
    return 'STOPPED';
  }
  return runnerState(container, readingOfLog(container.containerId, log));
}

export function runnerStateOf(docker: Docker, status: RunnerContainerFacts): Promise<RunnerState> {
  return oneShotRunnerState(status, (id) => readContainerLog(docker, id, { tail: TAIL_LINES }));
}
