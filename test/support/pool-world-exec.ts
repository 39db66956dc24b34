/**
 * How the pool world (pool-world.ts) talks to stand-in runner containers, which have no network:
 * `docker exec` through the Docker API. The marker volume tells runner.sh it is in a world.
 */
import type Docker from 'dockerode';
import type { WaitingStandinStep } from './bitbucket-standin.js';

/** runner.sh looks for a volume of this name on its engine (see its header). */
export const WORLD_VOLUME = 'runner-tray-standin-world';

export interface StepRun {
  step: WaitingStandinStep;
}

/** Runs `cmd` in the container and resolves with its exit code once it ends (null if Docker did not say). */
export async function execIn(docker: Docker, containerId: string, cmd: string[], env: string[] = []): Promise<number | null> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    stream.on('end', () => resolve());
    stream.on('close', () => resolve());
    stream.on('error', () => resolve());
    stream.resume();
  });
  return (await exec.inspect()).ExitCode;
}
