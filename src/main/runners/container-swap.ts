/**
 * A runner's container across processes (the app, `runner-tray serve`, one-shot CLI commands may
 * start the same runner at once). Docker's container names are the only lock they share:
 * - a fresh container is created under the runner's name; whoever gets 409 joins the winner's;
 * - a replacement is created as `<name>-next` (the name is the swap's lock), the old container is
 *   set aside as `<name>-previous`, and only once the new one runs is the old one removed, so a
 *   runner is never left without a working container;
 * - transitional containers older than a process could take are leftovers of one that died, and go.
 */
import type Docker from 'dockerode';
import type { RunnerSpec } from '../../shared/runner-command/types.js';
import type { ContainerCreateOptions } from '../../shared/runner-spec.js';
import { removeContainer, startContainer } from '../docker/container-ops.js';
import { statusCodeOf } from '../docker/engine-errors.js';
import { inspectContainer, isRunnersContainer, listRunnerContainers, type RunnerContainer } from '../docker/runner-containers.js';
import { RunnerError } from './errors.js';

/** Names a replacement container passes through: created as `<name>-next`, the old one set aside as `<name>-previous`. */
const NEXT_SUFFIX = '-next';
const PREVIOUS_SUFFIX = '-previous';
/** A transitional container older than this is a leftover of a process that died mid-replace. */
const LEFTOVER_AFTER_SECONDS = 120;
/** How long a start waits for another process's swap (its `-next` container) to finish. */
const OTHER_SWAP_WAIT_MS = 30_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Inspect a container another process may be creating right now: Docker lists it and holds its
 * name a moment before it can be inspected (404 until the create returns; measured up to ~0.5 s
 * on a loaded machine), so look again briefly. Bounded (2 s, far above what a create takes): null
 * past that means it is not becoming a container (removed, or the create failed).
 */
async function inspectOnceCreated(docker: Docker, idOrName: string): Promise<Docker.ContainerInspectInfo | null> {
  let info = await inspectContainer(docker, idOrName);
  for (let i = 0; !info && i < 40; i++) {
    await sleep(50);
    info = await inspectContainer(docker, idOrName);
  }
  return info;
}

/** The runner's one container as this start finds it, after duplicates and leftovers are gone. */
export interface CurrentContainer {
  /** Ours and this runner's (by label, or by name when another process has just created it). */
  current: Docker.ContainerInspectInfo | null;
  /** Whatever holds the runner's name, ours or not (null: the name is free). */
  byName: Docker.ContainerInspectInfo | null;
}

/**
 * Look up the runner's containers by label and by name, remove leftovers of dead swaps and
 * settled duplicates (never two containers per runner), and leave another process's swap alone.
 */
export async function settleContainers(docker: Docker, spec: RunnerSpec, nowSeconds: number, attempt = 1): Promise<CurrentContainer> {
  const uuid = spec.runnerUuid;
  // Both lookups at once: a start is a handful of engine round trips, each counts.
  const [mine, byName] = await Promise.all([listRunnerContainers(docker, uuid), inspectContainer(docker, spec.name)]);
  const transitional = (c: RunnerContainer) => c.name === spec.name + NEXT_SUFFIX || c.name === spec.name + PREVIOUS_SUFFIX;
  for (const c of mine.filter((c) => transitional(c) && nowSeconds - c.created > LEFTOVER_AFTER_SECONDS)) {
    await removeContainer(docker, c.id);
  }
  // Another process's replacement in progress is left alone; only settled duplicates go.
  const settled = mine.filter((c) => !transitional(c));
  // Found by name but not yet by label: another process created it between our two lookups.
  const currentId =
    settled.find((c) => c.name === spec.name)?.id ?? settled[0]?.id ?? (byName && isRunnersContainer(byName.Config.Labels, uuid) ? byName.Id : undefined);
  for (const c of settled) if (c.id !== currentId) await removeContainer(docker, c.id);
  if (currentId === undefined) return { current: null, byName };
  const current = currentId === byName?.Id ? byName : await inspectOnceCreated(docker, currentId);
  if (current) return { current, byName };
  // Listed, then gone: removed meanwhile. Look again; past a few tries, the create path's own race handling takes over.
  return attempt < 3 ? settleContainers(docker, spec, nowSeconds, attempt + 1) : { current: null, byName };
}

/** A fresh container under the runner's name; when another process won the race, its container if it is ours. */
export async function createOrJoin(docker: Docker, expected: ContainerCreateOptions, uuid: string): Promise<string> {
  try {
    return (await docker.createContainer(expected)).id;
  } catch (e) {
    if (statusCodeOf(e) !== 409) throw e;
  }
  // Another process created it between our look and our create: use it only if it is ours.
  const name = expected.name;
  const raced = await inspectOnceCreated(docker, name);
  if (!raced || !isRunnersContainer(raced.Config.Labels, uuid)) {
    throw new RunnerError('CONTAINER_CONFLICT', `Another container named "${name}" appeared while starting; run start again with --adopt or --replace.`, uuid);
  }
  return raced.Id;
}

/**
 * Swap `old` for a new container without ever leaving the runner without one: create the new
 * one as `<name>-next`, set the old aside as `<name>-previous`, give the new one the name, stop
 * the old, start the new, and only then remove the old. Any failure undoes the steps taken, so the
 * old container is back under its name (running again if it was) and no new one is left.
 * Returns 'other-replaced' when another process was doing the same swap (its `-next` existed).
 */
export async function swapContainer(
  docker: Docker,
  old: { id: string; running: boolean },
  expected: ContainerCreateOptions,
  uuid: string,
): Promise<string | 'other-replaced'> {
  const nextName = expected.name + NEXT_SUFFIX;
  let id: string;
  try {
    id = (await docker.createContainer({ ...expected, name: nextName })).id;
  } catch (e) {
    if (statusCodeOf(e) !== 409) throw e;
    await waitForOtherSwap(docker, nextName, uuid);
    return 'other-replaced';
  }
  const oldContainer = docker.getContainer(old.id);
  const undo: Array<() => Promise<unknown>> = [() => removeContainer(docker, id)];
  try {
    await oldContainer.rename({ name: expected.name + PREVIOUS_SUFFIX });
    undo.push(() => oldContainer.rename({ name: expected.name }));
    await docker.getContainer(id).rename({ name: expected.name });
    if (old.running) {
      // One runner UUID must not be online twice; t=0 as the old force-remove did.
      await oldContainer.stop({ t: 0 }).catch((e: unknown) => {
        if (statusCodeOf(e) !== 304) throw e;
      });
      undo.push(() => oldContainer.start());
    }
    await startContainer(docker, id);
  } catch (e) {
    // First the new container (it may hold the name), then the old one back under it.
    for (const step of undo) await step().catch(() => undefined);
    throw e;
  }
  await removeContainer(docker, old.id).catch(() => undefined); // a leftover is cleaned by the next start
  return id;
}

/** The `-next` name works as a lock between processes: wait for the other swap to finish. */
async function waitForOtherSwap(docker: Docker, nextName: string, uuid: string): Promise<void> {
  const deadline = Date.now() + OTHER_SWAP_WAIT_MS;
  while (Date.now() < deadline && (await inspectContainer(docker, nextName))) await sleep(100);
  if (await inspectContainer(docker, nextName)) {
    throw new RunnerError(
      'CONTAINER_CONFLICT',
      `Another start is replacing runner ${uuid}'s container (a container "${nextName}" exists). Try again in a minute; ` +
        `if no other Runner Tray is running, remove the leftover with: docker rm -f ${nextName}`,
      uuid,
    );
  }
}
