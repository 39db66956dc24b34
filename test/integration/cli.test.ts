/**
 * The `runner-tray` CLI end to end, as a user runs it: the built binary, a real data directory,
 * the real 0600 file vault, and the private dockerd with the stand-in runner image.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { cliEnv, filesTextExceptVault, runCli, type CliRun } from '../support/cli.js';

// Made-up identifiers and secrets.
const ACCOUNT = '{7d1e0c2b-5a4f-4e3d-8c2b-1a0f9e8d7c6b}';
const RUNNER = '{5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9}';
const HANDMADE = '{9a8b7c6d-5e4f-4a3b-9c2d-1e0f2a3b4c5d}';
const SECRET = 'cliMadeUpSecret_9f8e7d6c5b4a3210ZYXWVUTSRQPONMLKJIHGFEDCBA-_abcd';
const ROTATED = 'cliRotatedSecret_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH-_xy';

function paste(runner: string, secret: string): string {
  const bare = runner.replace(/[{}]/g, '');
  return (
    '# Copy this command with the token to run on the command line\n' +
    `docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/docker/containers:/var/lib/docker/containers:ro ` +
    `-e ACCOUNT_UUID=${ACCOUNT}  -e RUNNER_UUID=${runner} -e RUNTIME_PREREQUISITES_ENABLED=true ` +
    `-e OAUTH_CLIENT_ID=Cl1entIdMadeUp000000000000000000 -e OAUTH_CLIENT_SECRET=${secret} -e WORKING_DIRECTORY=/tmp ` +
    `--name runner-${bare} docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1\n`
  );
}

let home: string;
let env: NodeJS.ProcessEnv;
let docker: Docker;
const runs: CliRun[] = [];

async function cli(args: string[], stdin?: string): Promise<CliRun> {
  const run = await runCli(args, { env, ...(stdin === undefined ? {} : { stdin }) });
  runs.push(run);
  return run;
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'runner-tray-cli-'));
  env = cliEnv(home, inject('dockerSocket'));
  docker = new Docker({ socketPath: inject('dockerSocket') });
});

describe('runner-tray CLI on the private dockerd', () => {
  it('adds, lists, starts, reports, stops, restarts and removes a runner, never printing its secret', async () => {
    const add = await cli(['add', '--json'], paste(RUNNER, SECRET));
    expect(add.code, add.stderr).toBe(0);
    const added = JSON.parse(add.stdout);
    expect(added).toMatchObject({ ok: true, added: true, runner: { runnerUuid: RUNNER, kind: 'workspace', name: `runner-${RUNNER.slice(1, -1)}` } });
    expect(added.runner.env.OAUTH_CLIENT_SECRET).toBe('<redacted>');
    expect(statSync(join(home, 'secrets.json')).mode & 0o777).toBe(0o600);

    const list = await cli(['list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ runnerUuid: RUNNER, kind: 'workspace', containerState: 'missing', runnerState: 'STOPPED' }),
    ]);

    const start = await cli(['start', RUNNER.slice(1, -1)]);
    expect(start.code, start.stderr).toBe(0);
    const [container] = await docker.listContainers({ filters: { label: [`runner-tray.runner=${RUNNER}`] } });
    expect(container?.State).toBe('running');
    const info = await docker.getContainer(container!.Id).inspect();
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.HostConfig.LogConfig).toMatchObject({ Type: 'json-file', Config: { 'max-size': expect.any(String), 'max-file': expect.any(String) } });
    expect(info.Config.Env).toContain(`OAUTH_CLIENT_SECRET=${SECRET}`);

    // A second start is a no-op: same container, still running.
    expect((await cli(['start', `runner-${RUNNER.slice(1, -1)}`])).code).toBe(0);
    const again = await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${RUNNER}`] } });
    expect(again.map((c) => c.Id)).toEqual([container!.Id]);

    const status = await cli(['status', RUNNER, '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      runnerUuid: RUNNER,
      containerState: 'running',
      image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
      uptimeSeconds: expect.any(Number),
    });

    // The stand-in replays a runner's start-up; the log command shows it.
    await expect.poll(async () => (await cli(['logs', RUNNER])).stdout, { timeout: 30_000 }).toContain('Runner starting.');

    const stop = await cli(['stop', RUNNER]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)[0]).toMatchObject({ containerState: 'exited', runnerState: 'STOPPED' });

    expect((await cli(['start', RUNNER])).code).toBe(0);
    expect(JSON.parse((await cli(['status', RUNNER, '--json'])).stdout).containerState).toBe('running');

    const remove = await cli(['remove', RUNNER]);
    expect(remove.code, remove.stderr).toBe(0);
    expect(await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${RUNNER}`] } })).toEqual([]);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toEqual([]);
    expect(JSON.parse(readFileSync(join(home, 'secrets.json'), 'utf8'))).not.toHaveProperty(['entries', RUNNER]);
    expect(readFileSync(join(home, 'secrets.json'), 'utf8')).not.toContain(SECRET);
  });

  it('rotates a secret only with --replace', async () => {
    expect((await cli(['add'], paste(RUNNER, SECRET))).code).toBe(0);
    const refused = await cli(['add', '--json'], paste(RUNNER, ROTATED));
    expect(refused.code).not.toBe(0);
    expect(JSON.parse(refused.stdout)).toMatchObject({ ok: false, error: { code: 'RUNNER_EXISTS', message: expect.stringContaining('--replace') } });

    expect((await cli(['add', '--replace'], paste(RUNNER, ROTATED))).code).toBe(0);
    expect((await cli(['start', RUNNER])).code).toBe(0);
    const [c] = await docker.listContainers({ filters: { label: [`runner-tray.runner=${RUNNER}`] } });
    const envs = (await docker.getContainer(c!.Id).inspect()).Config.Env;
    expect(envs).toContain(`OAUTH_CLIENT_SECRET=${ROTATED}`);
    expect(envs).not.toContain(`OAUTH_CLIENT_SECRET=${SECRET}`);
    expect((await cli(['remove', RUNNER])).code).toBe(0);
  });

  it('asks before adopting a container the user started by hand, then adopts it with --adopt', async () => {
    const bare = HANDMADE.slice(1, -1);
    const image = inject('standinImage');
    const handmade = await docker.createContainer({
      name: `runner-${bare}`,
      Image: image,
      Env: [`RUNNER_UUID=${HANDMADE}`, `ACCOUNT_UUID=${ACCOUNT}`, 'STANDIN_SCRIPT=idle'],
    });
    await handmade.start();
    expect((await cli(['add'], paste(HANDMADE, SECRET))).code).toBe(0);

    const refused = await cli(['start', HANDMADE]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--adopt/);
    expect(refused.stderr).toMatch(/--replace/);
    expect((await handmade.inspect()).State.Running).toBe(true);

    const adopt = await cli(['start', HANDMADE, '--adopt']);
    expect(adopt.code, adopt.stderr).toBe(0);
    const all = await docker.listContainers({ all: true, filters: { name: [`runner-${bare}`] } });
    expect(all).toHaveLength(1);
    expect(all[0]!.Labels['runner-tray.runner']).toBe(HANDMADE);
    expect((await cli(['remove', HANDMADE])).code).toBe(0);
  });

  it('gives clear errors: bad paste (JSON shape, exit 2), unknown runner, unreachable engine', async () => {
    const bad = await cli(['parse-command', '--json'], 'ls -la /tmp');
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({ ok: false, error: { code: 'NOT_A_RUNNER_COMMAND' } });

    const missing = await cli(['parse-command', '--json'], paste(RUNNER, SECRET).replace(/-e OAUTH_CLIENT_ID=\S+/, ''));
    expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: 'MISSING_ENV', variable: 'OAUTH_CLIENT_ID' } });

    const unknown = await cli(['stop', '{00000000-0000-4000-8000-000000000000}']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/No runner matches/);
    expect(unknown.stderr).toMatch(/runner-tray (add|list)/);

    const dead = await runCli(['list'], { env: { ...env, DOCKER_HOST: `unix://${home}/no-such.sock` } });
    runs.push(dead);
    expect(dead.code).not.toBe(0);
    expect(dead.stderr).toContain(`${home}/no-such.sock`);
    expect(dead.stderr).toMatch(/DOCKER_HOST/);
    expect(dead.stderr.trimEnd().split('\n')).toHaveLength(1); // every place looked at, on one line

    const usage = await cli(['start']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/needs a runner/);
  });

  it('never lets a secret reach argv, output, or any file of ours but the vault', () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      for (const s of [SECRET, ROTATED]) {
        expect(run.argv.join(' ')).not.toContain(s);
        expect(run.stdout).not.toContain(s);
        expect(run.stderr).not.toContain(s);
      }
    }
    const files = filesTextExceptVault(home);
    expect(files).not.toContain(SECRET);
    expect(files).not.toContain(ROTATED);
  });
});
