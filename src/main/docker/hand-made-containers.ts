/**
 * Runners started by hand (`docker container run … bitbucket-pipelines-runner:1` from Bitbucket's
 * wizard or the source article): containers of the runner image, or with RUNNER_UUID in their
 * environment, that carry none of our labels and are not a runner's step containers. Read back
 * as the words of the command that made them, for the parser.
 */
import type Docker from 'dockerode';
import type { HandMadeContainer } from '../../shared/runner-command/from-container.js';
import { parseImageRef, RUNNER_REPOSITORY } from '../../shared/runner-command/index.js';
import { LABEL_MANAGED } from '../../shared/runner-spec.js';
import { parseSiblingName } from '../../shared/step-log/sibling-name.js';
import { inspectContainer } from './runner-containers.js';

/** A container that may be a runner started by hand, with what inspect says of it. */
export interface HandMadeRunner {
  id: string;
  /** Without the leading `/`. */
  name: string;
  /** As given to `docker run`. */
  image: string;
  /** The engine's state word (`running`, `exited`, …). */
  state: string;
  running: boolean;
  /** RUNNER_UUID as its environment has it (null when it has none). */
  runnerUuid: string | null;
  /** What the parser reads. Holds the secret: never shown, never sent. */
  container: HandMadeContainer;
}

function isRunnerImage(image: string): boolean {
  return parseImageRef(image)?.repository === RUNNER_REPOSITORY;
}

function sameList(a: readonly string[] | null | undefined, b: readonly string[] | null | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

interface ImageDefaults {
  env: string[];
  cmd: string[] | null;
}

async function imageDefaults(docker: Docker, imageId: string, cache: Map<string, Promise<ImageDefaults>>): Promise<ImageDefaults> {
  let found = cache.get(imageId);
  if (!found) {
    found = docker
      .getImage(imageId)
      .inspect()
      .then(
        (i) => ({ env: i.Config?.Env ?? [], cmd: i.Config?.Cmd ?? null }),
        // The image may be gone (removed under a running container): nothing to subtract then.
        () => ({ env: [], cmd: null }),
      );
    cache.set(imageId, found);
  }
  return found;
}

/** The container as the command that made it: the image's own variables and default command left out. */
export function asHandMade(info: Docker.ContainerInspectInfo, defaults: ImageDefaults): HandMadeContainer {
  const fromImage = new Set(defaults.env);
  const cmd = info.Config.Cmd ?? [];
  return {
    name: info.Name.replace(/^\//, ''),
    image: info.Config.Image,
    env: (info.Config.Env ?? []).filter((e) => !fromImage.has(e)),
    binds: info.HostConfig.Binds ?? [],
    args: sameList(cmd, defaults.cmd) ? [] : [...cmd],
  };
}

/** Every runner container on this engine that is not ours, oldest first (as the user started them). */
export async function listHandMadeRunners(docker: Docker): Promise<HandMadeRunner[]> {
  const all = await docker.listContainers({ all: true });
  const maybe = all.filter((c) => c.Labels?.[LABEL_MANAGED] !== 'true' && !parseSiblingName((c.Names[0] ?? '').replace(/^\//, '')));
  const cache = new Map<string, Promise<ImageDefaults>>();
  const found = await Promise.all(
    maybe.map(async (c): Promise<HandMadeRunner | null> => {
      const info = await inspectContainer(docker, c.Id);
      if (!info) return null; // removed meanwhile
      const runnerUuid = (info.Config.Env ?? []).find((e) => e.startsWith('RUNNER_UUID='))?.slice('RUNNER_UUID='.length) ?? null;
      if (runnerUuid === null && !isRunnerImage(info.Config.Image) && !isRunnerImage(c.Image)) return null;
      const container = asHandMade(info, await imageDefaults(docker, info.Image, cache));
      return { id: info.Id, name: container.name, image: info.Config.Image, state: info.State.Status, running: info.State.Running, runnerUuid, container };
    }),
  );
  return found.filter((r): r is HandMadeRunner => r !== null).sort((a, b) => all.findIndex((c) => c.Id === b.id) - all.findIndex((c) => c.Id === a.id));
}
