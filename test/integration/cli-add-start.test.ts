/**
 * `runner-tray add --start`: the dashboard's "add, then start" from the CLI (RunnerLifecycle).
 * The built binary, a real data dir and file vault, the private dockerd with the stand-in image.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli.js';

// Made-up identifiers and secrets.
const ACCOUNT = '{3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a}';
const STARTS = '{6b5a4f3e-2d1c-4b0a-9f8e-7d6c5b4a3f2e}';
const FAILS = '{1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b}';
const SECRET = 'addStartMadeUpSecret_0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c';

function paste(runner: string): string {
  return (
    `docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/docker/containers:/var/lib/docker/containers:ro ` +
    `-e ACCOUNT_UUID=${ACCOUNT} -e RUNNER_UUID=${runner} -e RUNTIME_PREREQUISITES_ENABLED=true ` +
    `-e OAUTH_CLIENT_ID=Cl1entIdMadeUp000000000000000000 -e OAUTH_CLIENT_SECRET=${SECRET} -e WORKING_DIRECTORY=/tmp ` +
    `--name runner-${runner.slice(1, -1)} docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1\n`
  );
}

let env: NodeJS.ProcessEnv;
let docker: Docker;

beforeAll(() => {
  env = cliEnv(mkdtempSync(join(tmpdir(), 'runner-tray-add-start-')), inject('dockerSocket'));
  docker = new Docker({ socketPath: inject('dockerSocket') });
});

afterAll(async () => {
  const ours = await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } });
  for (const c of ours)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('runner-tray add --start', () => {
  it('saves the runner and starts its container', async () => {
    const add = await runCli(['add', '--start', '--json'], { env, stdin: paste(STARTS) });
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ ok: true, added: true, started: true, runner: { runnerUuid: STARTS } });
    const list = await runCli(['list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ runnerUuid: STARTS, containerState: 'running' })]));
    expect(add.stdout + add.stderr).not.toContain(SECRET);
  });

  it('keeps the runner saved when the start fails, says why, and exits 1', async () => {
    // No engine at this socket: saving needs none, starting does.
    const noEngine = { ...env, DOCKER_HOST: `unix://${join(tmpdir(), 'no-such-dockerd.sock')}` };
    const add = await runCli(['add', '--start'], { env: noEngine, stdin: paste(FAILS) });
    expect(add.code).toBe(1);
    expect(add.stdout.trim()).toBe(FAILS);
    expect(add.stderr).toContain(`saved ${FAILS}, but it did not start`);
    expect(add.stderr).toContain(`runner-tray start ${FAILS}`);
    expect(add.stdout + add.stderr).not.toContain(SECRET);
    // Saved: a second add is refused as a duplicate, and the runner starts once Docker is there.
    const again = await runCli(['add'], { env, stdin: paste(FAILS) });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already added');
    const start = await runCli(['start', FAILS], { env });
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain('running');
  });
});
