/**
 * The containers that are Runner Tray's runners, found by their labels (`runner-tray.managed=true`,
 * `runner-tray.runner=<uuid>`, set by shared/runner-spec.ts). The one place that asks the engine
 * "which containers are ours, and whose": the runner service and the runner monitor both use it,
 * so they cannot disagree on which container is a runner's.
 */
import type Docker from 'dockerode';
import { bare, LABEL_MANAGED, LABEL_RUNNER } from '../../shared/runner-spec.js';
import { statusCodeOf } from './engine-errors.js';

/** A container carrying our labels, as the engine lists it. */
export interface RunnerContainer {
  id: string;
  /** Without the leading `/`. */
  name: string;
  /** The runner label as written (braces as in the runner's spec); empty when the label is missing. */
  runnerUuid: string;
  /** Seconds since the epoch. */
  created: number;
  /** The engine's state word (`running`, `exited`, …). */
  state: string;
}

/**
 * The runner a container (or an engine event's actor) belongs to, from its labels: the runner
 * label when the managed label is set, else null (not ours: a sibling step container, a
 * container made by hand).
 */
export function runnerOfLabels(labels: Readonly<Record<string, string>> | null | undefined): string | null {
  const runner = labels?.[LABEL_RUNNER];
  return labels?.[LABEL_MANAGED] === 'true' && runner ? runner : null;
}

/** Whether these labels make the container ours and this runner's (braces and case do not matter). */
export function isRunnersContainer(labels: Readonly<Record<string, string>> | null | undefined, runnerUuid: string): boolean {
  const runner = runnerOfLabels(labels);
  return runner !== null && bare(runner) === bare(runnerUuid);
}

/**
 * Our containers, newest first (running or not): all of them, or one runner's. The runner is
 * matched by the label's exact value, i.e. the UUID as its spec spells it.
 */
export async function listRunnerContainers(docker: Docker, runnerUuid?: string): Promise<RunnerContainer[]> {
  const label = [`${LABEL_MANAGED}=true`, ...(runnerUuid === undefined ? [] : [`${LABEL_RUNNER}=${runnerUuid}`])];
  const containers = await docker.listContainers({ all: true, filters: { label } });
  return containers
    .sort((a, b) => b.Created - a.Created)
    .map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      runnerUuid: c.Labels[LABEL_RUNNER] ?? '',
      created: c.Created,
      state: c.State,
    }));
}

/**
 * Containers by runner (UUID without braces, lower case), each list in the order given (newest
 * first from listRunnerContainers). Containers without a runner label are left out.
 */
export function byRunner(containers: readonly RunnerContainer[]): Map<string, RunnerContainer[]> {
  const map = new Map<string, RunnerContainer[]>();
  for (const c of containers) {
    if (!c.runnerUuid) continue;
    const key = bare(c.runnerUuid);
    const list = map.get(key);
    if (list) list.push(c);
    else map.set(key, [c]);
  }
  return map;
}

/** The newest container of each runner, keyed as in byRunner. */
export function newestByRunner(containers: readonly RunnerContainer[]): Map<string, RunnerContainer> {
  const map = new Map<string, RunnerContainer>();
  for (const [key, list] of byRunner(containers)) map.set(key, list[0]!);
  return map;
}

/** `docker inspect` of a container by id or name; null when there is none (404). */
export async function inspectContainer(docker: Docker, idOrName: string): Promise<Docker.ContainerInspectInfo | null> {
  try {
    return await docker.getContainer(idOrName).inspect();
  } catch (e) {
    if (statusCodeOf(e) === 404) return null;
    throw e;
  }
}
