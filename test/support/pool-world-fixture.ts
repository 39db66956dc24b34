/**
 * Per test: a data directory, a Bitbucket stand-in serving acme/web-app (bitbucket-home.ts) and
 * a pool world (pool-world.ts) on the private dockerd; afterwards the world is closed and every
 * stand-in runner container it saw, and their step siblings, are removed. Call once at the top
 * of a test file, inside the integration project (it needs `inject('dockerSocket')`).
 */
import Docker from 'dockerode';
import { afterEach, beforeEach, inject } from 'vitest';
import { useBitbucketHome, type BitbucketHome } from './bitbucket-home.js';
import { PoolWorld, type PoolWorldOptions } from './pool-world.js';

export interface PoolWorldHome extends BitbucketHome {
  readonly world: PoolWorld;
  readonly docker: Docker;
}

export interface PoolWorldHomeOptions {
  tmpPrefix: string;
  email: string;
  token: string;
  /** The world's options for every test of the file (a test can still call its switches). */
  world?: Omit<PoolWorldOptions, 'standin' | 'docker'>;
}

async function removeQuietly(docker: Docker, id: string): Promise<void> {
  await docker
    .getContainer(id)
    .remove({ force: true })
    .catch(() => undefined);
}

export function usePoolWorld(options: PoolWorldHomeOptions): PoolWorldHome {
  const home = useBitbucketHome(options);
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  let world: PoolWorld | undefined;

  beforeEach(async () => {
    world = await PoolWorld.start({ ...options.world, standin: home.server, docker });
  });

  // Registered after the home's: runs before it (hooks stack), while the stand-in still answers.
  afterEach(async () => {
    const seen = world?.containersSeen() ?? [];
    await world?.close();
    world = undefined;
    for (const id of seen) await removeQuietly(docker, id);
    for (const c of await docker.listContainers({ all: true, filters: { label: ['runner-tray.standin-sibling'] } })) await removeQuietly(docker, c.Id);
  });

  return {
    get dir() {
      return home.dir;
    },
    get server() {
      return home.server;
    },
    get world() {
      if (world === undefined) throw new Error('the pool world runs only during a test');
      return world;
    },
    docker,
  };
}
