/**
 * A runner's state right now, for one-shot commands (`list`, `status`) that have no live
 * follower: the container's state, and for a running one the replay of its current log.
 */
import type Docker from 'dockerode';
import type { RunnerState } from '../../shared/contract/views.js';
import { RunnerLogReplay } from '../../shared/step-log/index.js';
import { readContainerLog } from '../docker/container-logs.js';
import type { RunnerStatus } from './runner-service.js';

/** Enough lines to see the last state change of an idle runner (it logs a line every 30 s at most). */
const TAIL_LINES = 2000;

export async function runnerStateOf(docker: Docker, status: RunnerStatus): Promise<RunnerState> {
  switch (status.containerState) {
    case 'running':
      break;
    case 'restarting':
      return 'STARTING';
    case 'exited':
    case 'dead':
      return status.exitCode !== null && status.exitCode !== 0 ? 'CRASHED' : 'STOPPED';
    default:
      return 'STOPPED';
  }
  if (!status.containerId) return 'STOPPED';
  const replay = new RunnerLogReplay();
  try {
    replay.push(await readContainerLog(docker, status.containerId, { tail: TAIL_LINES }));
    replay.end();
  } catch {
    // The container went away between the two calls: say what we knew.
    return 'STOPPED';
  }
  return replay.state.runnerState;
}
