/**
 * vitest globalSetup of the integration project: one private dockerd for the whole run, with the
 * stand-in runner image already imported. Test files get its socket through `inject('dockerSocket')`
 * and DOCKER_HOST (so code that discovers the engine like the docker CLI finds this daemon).
 */
import type { TestProject } from 'vitest/node';
import { startDockerd, type PrivateDockerd } from './dockerd.js';
import { buildStandinImage, STANDIN_IMAGE } from './standin-image.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Unix socket path of the private test dockerd. */
    dockerSocket: string;
    /** Temp dir of the private dockerd (data root under `data/`, log in `dockerd.log`). */
    dockerDir: string;
    /** Image name the stand-in runner image is tagged with (the real runner image name). */
    standinImage: string;
  }
}

let daemon: PrivateDockerd | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  daemon = await startDockerd();
  buildStandinImage(daemon.dockerHost);
  process.env.DOCKER_HOST = daemon.dockerHost;
  project.provide('dockerSocket', daemon.socketPath);
  project.provide('dockerDir', daemon.dir);
  project.provide('standinImage', STANDIN_IMAGE);
  return async () => {
    await daemon?.stop();
    daemon = undefined;
  };
}
