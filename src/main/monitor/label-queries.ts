/**
 * The monitor's queries of the engine by Runner Tray labels (and, for step containers, by name):
 * the only place it lists containers, so the reconcile reads the engine through one door.
 */
import type Docker from 'dockerode';
import { bare, LABEL_MANAGED, LABEL_RUNNER } from '../../shared/runner-spec.js';
import { parseSiblingName, type SiblingName } from '../../shared/step-log/sibling-name.js';

export interface LabelledRunnerContainer {
  /** As the label carries it (braces). */
  runnerUuid: string;
  containerId: string;
}

/** The newest container of each runner that carries our labels, keyed by the bare runner UUID. */
export async function newestRunnerContainers(docker: Docker): Promise<Map<string, LabelledRunnerContainer>> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`] } });
  const newest = new Map<string, LabelledRunnerContainer>();
  for (const c of containers.sort((a, b) => b.Created - a.Created)) {
    const label = c.Labels[LABEL_RUNNER];
    if (label && !newest.has(bare(label))) newest.set(bare(label), { runnerUuid: label, containerId: c.Id });
  }
  return newest;
}

export interface StepContainerListing {
  containerId: string;
  name: string;
  running: boolean;
  sibling: SiblingName;
}

/**
 * Every container named like a runner's step container (`<runnerUuid>_<uuid>_<role>`): the runner
 * starts them itself, so they carry none of our labels.
 */
export async function stepContainers(docker: Docker): Promise<StepContainerListing[]> {
  const all = await docker.listContainers({ all: true });
  const out: StepContainerListing[] = [];
  for (const c of all) {
    const name = (c.Names[0] ?? '').replace(/^\//, '');
    const sibling = parseSiblingName(name);
    if (sibling) out.push({ containerId: c.Id, name, running: c.State === 'running', sibling });
  }
  return out;
}
