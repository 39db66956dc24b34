/**
 * The label adapter (src/main/docker/runner-containers.ts) on the real private dockerd: which
 * containers are Runner Tray's, whose they are, newest first — from the list, from inspect and
 * from the engine's event stream, the three places the service and the monitor read labels.
 */
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  byRunner,
  inspectContainer,
  isRunnersContainer,
  listRunnerContainers,
  newestByRunner,
  runnerOfLabels,
} from '../../src/main/docker/runner-containers.js';
import { LABEL_MANAGED, LABEL_RUNNER } from '../../src/shared/runner-spec.js';

// Made-up runner UUIDs.
const RUNNER_A = '{5e1f0c2a-7b3d-4e8f-9a10-b2c3d4e5f601}';
const RUNNER_B = '{9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b02}';
const PREFIX = 'rt-labels-';

let docker: Docker;
const made: string[] = [];

async function container(name: string, labels: Record<string, string>): Promise<string> {
  const c = await docker.createContainer({
    Image: inject('standinImage'),
    name: PREFIX + name,
    Entrypoint: ['/bin/sh', '-c', 'sleep 3600'],
    Labels: labels,
    HostConfig: { NetworkMode: 'none' },
  });
  made.push(c.id);
  return c.id;
}

const ours = (runner: string) => ({ [LABEL_MANAGED]: 'true', [LABEL_RUNNER]: runner });

let a1: string;
let a2: string;
let b1: string;
let handMade: string;
let sibling: string;

beforeAll(async () => {
  docker = new Docker({ socketPath: inject('dockerSocket') });
  a1 = await container('a1', ours(RUNNER_A));
  b1 = await container('b1', ours(RUNNER_B));
  // Created is in whole seconds: a second apart so "newest first" is decided by the engine's clock.
  await new Promise((r) => setTimeout(r, 1_100));
  a2 = await container('a2', ours(RUNNER_A));
  // The runner label without the managed one (a hand-made copy) and a step container: not runners.
  handMade = await container('hand', { [LABEL_RUNNER]: RUNNER_A });
  sibling = await container('sibling', {});
  await docker.getContainer(a2).start();
});

afterAll(async () => {
  for (const id of made)
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('listing by label', () => {
  it('lists only containers with the managed label, newest first, with name, runner and state', async () => {
    const all = (await listRunnerContainers(docker)).filter((c) => c.name.startsWith(PREFIX));
    expect(all.map((c) => c.id)).toEqual([a2, expect.any(String), expect.any(String)]);
    expect(new Set(all.map((c) => c.id))).toEqual(new Set([a1, a2, b1]));
    expect(all.map((c) => c.id)).not.toContain(handMade);
    expect(all.map((c) => c.id)).not.toContain(sibling);
    const newest = all[0]!;
    expect(newest).toEqual({ id: a2, name: `${PREFIX}a2`, runnerUuid: RUNNER_A, created: expect.any(Number), state: 'running' });
    expect(all.find((c) => c.id === a1)?.state).toBe('created');
  });

  it("lists one runner's containers, newest first", async () => {
    expect((await listRunnerContainers(docker, RUNNER_A)).map((c) => c.id)).toEqual([a2, a1]);
    expect((await listRunnerContainers(docker, RUNNER_B)).map((c) => c.id)).toEqual([b1]);
    expect(await listRunnerContainers(docker, '{00000000-0000-4000-8000-000000000000}')).toEqual([]);
  });

  it('groups by runner UUID without braces, newest first, and picks the newest of each', async () => {
    const all = await listRunnerContainers(docker);
    const key = (u: string) => u.slice(1, -1);
    expect(
      byRunner(all)
        .get(key(RUNNER_A))
        ?.map((c) => c.id),
    ).toEqual([a2, a1]);
    expect(newestByRunner(all).get(key(RUNNER_A))?.id).toBe(a2);
    expect(newestByRunner(all).get(key(RUNNER_B))?.id).toBe(b1);
  });
});

describe('labels from inspect and from events', () => {
  it("tells a runner's container from a hand-made copy and a step container, braces and case aside", async () => {
    const labelsOf = async (id: string) => (await inspectContainer(docker, id))?.Config.Labels;
    expect(runnerOfLabels(await labelsOf(a1))).toBe(RUNNER_A);
    expect(isRunnersContainer(await labelsOf(a1), RUNNER_A.slice(1, -1).toUpperCase())).toBe(true);
    expect(isRunnersContainer(await labelsOf(a1), RUNNER_B)).toBe(false);
    expect(runnerOfLabels(await labelsOf(handMade))).toBeNull();
    expect(isRunnersContainer(await labelsOf(handMade), RUNNER_A)).toBe(false);
    expect(runnerOfLabels(await labelsOf(sibling))).toBeNull();
  });

  it('inspects by id or name, and answers null for a container that does not exist', async () => {
    expect((await inspectContainer(docker, `${PREFIX}b1`))?.Id).toBe(b1);
    expect(await inspectContainer(docker, `${PREFIX}never-created`)).toBeNull();
  });

  it("reads the runner from an engine event's actor attributes", async () => {
    const stream = (await docker.getEvents({ filters: { type: ['container'], label: [`${LABEL_MANAGED}=true`] } })) as unknown as Readable;
    const seen = new Promise<Record<string, string>>((resolve) => {
      stream.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
          const ev = JSON.parse(line) as { Action?: string; Actor?: { ID?: string; Attributes?: Record<string, string> } };
          if (ev.Action === 'start' && ev.Actor?.ID === b1) resolve(ev.Actor.Attributes ?? {});
        }
      });
    });
    await docker.getContainer(b1).start();
    const attrs = await seen;
    stream.destroy();
    expect(runnerOfLabels(attrs)).toBe(RUNNER_B);
  });

  it('fails with the engine error (not null) for anything but a missing container', async () => {
    const gone = new Docker({ socketPath: `${inject('dockerSocket')}.nonexistent` });
    await expect(inspectContainer(gone, a1)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
