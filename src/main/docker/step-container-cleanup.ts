/**
 * A runner's step containers (`<runnerUuid>_<uuid>_<role>`): the runner starts them itself, so
 * they carry none of our labels and are found by name. When the runner stops, is removed or
 * crashes mid-step, nobody is left to remove them; these are ours to clean up, and only that
 * runner's (matched by its UUID in the name, never by a prefix of someone else's).
 */
import type Docker from 'dockerode';
import { isSiblingOf } from '../../shared/step-log/sibling-name.js';
import { removeContainer } from './container-ops.js';

export interface RunnerStepContainer {
  id: string;
  name: string;
  running: boolean;
  /** Unix seconds, as the engine lists it. */
  created: number;
}

/** The step containers of one runner, running or not. */
export async function stepContainersOf(docker: Docker, runnerUuid: string): Promise<RunnerStepContainer[]> {
  const all = await docker.listContainers({ all: true });
  const out: RunnerStepContainer[] = [];
  for (const c of all) {
    const name = (c.Names[0] ?? '').replace(/^\//, '');
    if (isSiblingOf(name, runnerUuid)) out.push({ id: c.Id, name, running: c.State === 'running', created: c.Created });
  }
  return out;
}

/**
 * Force-removes the runner's step containers (only those created before `createdBefore`, Unix
 * seconds, when given: a restarted runner's new step must be left alone). Returns how many.
 */
export async function removeStepContainersOf(docker: Docker, runnerUuid: string, createdBefore?: number): Promise<number> {
  let removed = 0;
  for (const c of await stepContainersOf(docker, runnerUuid)) {
    if (createdBefore !== undefined && c.created >= createdBefore) continue;
    await removeContainer(docker, c.id);
    removed++;
  }
  return removed;
}
