/**
 * `runner-tray import`: a runner started by hand as the source article does it (`docker container
 * run … bitbucket-pipelines-runner:1`, no labels of ours) is found and taken over through the built
 * CLI: secret into the vault, the container recreated as ours, the old one removed once the new one
 * runs. Its own private dockerd (not the shared one), since `--all` takes every hand-made runner
 * on the engine and other files' containers are not ours to take.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, filesTextExceptVault, runCli, type CliRun } from '../support/cli.js';
import { startDockerd, type PrivateDockerd } from '../support/dockerd.js';
import { buildStandinImage, STANDIN_IMAGE } from '../support/standin-image.js';

// Made-up identifiers and secrets.
const ACCOUNT = '{3c2b1a09-8f7e-4d6c-9b5a-493827160504}';
const RUNNER = '{1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d}';
const OTHER_RUNNER = '{6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a}';
const CLIENT_ID = 'Imp0rtCl1entIdMadeUp000000000000';
const SECRET = 'importMadeUpSecret_0a9b8c7d6e5f4g3h2i1jKLMNOPQRSTUVWXYZ-_qwerty1';
const OTHER_SECRET = 'importOtherMadeUpSecret_Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp-_asdfg';
const NPM_TOKEN = 'npm_ImportMadeUpToken9Xk2Lm4Np6Qr8St0';
const SECRETS = [SECRET, OTHER_SECRET, NPM_TOKEN];

let daemon: PrivateDockerd;
let docker: Docker;
const scratch = mkdtempSync(join(tmpdir(), 'rt-import-'));
const mounts: string[] = [];
const runs: CliRun[] = [];

async function cli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const run = await runCli(args, { env });
  runs.push(run);
  return run;
}

/** What the article's `docker container run -d … bitbucket-pipelines-runner:1` creates (plus the stand-in's script). */
async function startByHand(runner: string, secret: string, extraEnv: string[] = []): Promise<Docker.Container> {
  const container = await docker.createContainer({
    name: `runner-${runner.slice(1, -1)}`,
    Image: STANDIN_IMAGE,
    Env: [
      `ACCOUNT_UUID=${ACCOUNT}`,
      `RUNNER_UUID=${runner}`,
      'RUNTIME_PREREQUISITES_ENABLED=true',
      `OAUTH_CLIENT_ID=${CLIENT_ID}`,
      `OAUTH_CLIENT_SECRET=${secret}`,
      'WORKING_DIRECTORY=/tmp',
      'STANDIN_SCRIPT=idle',
      ...extraEnv,
    ],
    HostConfig: { Binds: ['/tmp:/tmp', `${daemon.socketPath}:/var/run/docker.sock`, '/var/lib/docker/containers:/var/lib/docker/containers:ro'] },
  });
  await container.start();
  return container;
}

function newDataDir(): string {
  const dir = join(mkdtempSync(join(scratch, 'home-')), 'data');
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

beforeAll(async () => {
  daemon = await startDockerd();
  buildStandinImage(daemon.dockerHost);
  docker = new Docker({ socketPath: daemon.socketPath });
  // Another image, without RUNNER_UUID: an ordinary container nobody should offer to import.
  await docker.getImage(STANDIN_IMAGE).tag({ repo: 'example.invalid/not-a-runner', tag: '2' });
  await docker.createContainer({ name: 'unrelated-service', Image: 'example.invalid/not-a-runner:2', Env: ['FOO=bar'] });
});

afterAll(async () => {
  for (const dir of mounts.reverse()) execFileSync('umount', [dir]);
  await daemon?.stop();
  rmSync(scratch, { recursive: true, force: true });
  for (const run of runs) {
    for (const s of SECRETS) {
      expect(run.stdout).not.toContain(s);
      expect(run.stderr).not.toContain(s);
    }
  }
});

describe('runner-tray import on a private dockerd', () => {
  it('leaves everything as it was when the vault cannot be written (a full disk)', async () => {
    const handmade = await startByHand(OTHER_RUNNER, OTHER_SECRET);
    const dir = mkdtempSync(join(scratch, 'tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', dir]);
    mounts.push(dir);
    const env = cliEnv(join(dir, 'data'), daemon.socketPath);
    expect((await cli(['list', '--json'], env)).code).toBe(0);
    // Fill what is left: the vault's write (its lock, its temp file) meets ENOSPC.
    const filler = join(dir, 'filler');
    const fd = openSync(filler, 'w');
    try {
      for (;;) writeSync(fd, Buffer.alloc(16 * 1024));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    } finally {
      closeSync(fd);
    }

    const failed = await cli(['import', `runner-${OTHER_RUNNER.slice(1, -1)}`], env);
    expect(failed.code).not.toBe(0);
    // The vault's own write is what fails (its lock), and the message says so and how to fix it.
    expect(failed.stderr).toMatch(/secrets\.json.*full \(ENOSPC/);
    // The hand-made container runs on as it was, and nothing of ours exists.
    const after = await handmade.inspect();
    expect(after.State.Running).toBe(true);
    expect(after.Config.Labels['runner-tray.managed']).toBeUndefined();
    expect(await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } })).toEqual([]);

    unlinkSync(filler);
    const list = await cli(['list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([]);
    let vaultText = '';
    try {
      vaultText = readFileSync(join(dir, 'data', 'secrets.json'), 'utf8');
    } catch {
      /* never written: fine */
    }
    expect(vaultText).not.toContain(OTHER_SECRET);
    await handmade.remove({ force: true });
  });

  it('forgets what it saved when the container cannot be swapped: the old one keeps running, nothing is saved', async () => {
    const home = newDataDir();
    const env = cliEnv(home, daemon.socketPath);
    const handmade = await startByHand(OTHER_RUNNER, OTHER_SECRET);
    const name = `runner-${OTHER_RUNNER.slice(1, -1)}`;
    // Something else holds the name the swap creates its new container under (as another start would).
    const squatter = await docker.createContainer({ name: `${name}-next`, Image: 'example.invalid/not-a-runner:2' });

    const failed = await cli(['import', name], env);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toMatch(new RegExp(`${name} was not imported \\(nothing was saved, the container is as it was\\)`));
    const after = await handmade.inspect();
    expect(after.State.Running).toBe(true);
    expect(after.Name).toBe(`/${name}`);
    expect(await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } })).toEqual([]);
    expect(JSON.parse((await cli(['list', '--json'], env)).stdout)).toEqual([]);
    expect(readFileSync(join(home, 'secrets.json'), 'utf8')).not.toContain(OTHER_SECRET);
    // Still offered for import.
    expect(JSON.parse((await cli(['import', '--json'], env)).stdout)).toEqual([expect.objectContaining({ name, runnerUuid: OTHER_RUNNER })]);
    await squatter.remove({ force: true });
    await handmade.remove({ force: true });
  });

  it('lists the hand-made runner (not the other image), imports it with --all, and it is ours, running, its secret in the vault only', async () => {
    const home = newDataDir();
    const env = cliEnv(home, daemon.socketPath);
    const handmade = await startByHand(RUNNER, SECRET, [`NPM_TOKEN=${NPM_TOKEN}`]);
    const oldId = (await handmade.inspect()).Id;
    const name = `runner-${RUNNER.slice(1, -1)}`;

    const listed = await cli(['import'], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(name);
    expect(listed.stdout).toContain(RUNNER);
    expect(listed.stdout).toContain(`runner-tray import ${name}`);
    expect(listed.stdout).not.toContain('unrelated-service');
    const json = await cli(['import', '--json'], env);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ name, runnerUuid: RUNNER, state: 'running', containerId: oldId, image: STANDIN_IMAGE }),
    ]);
    expect(JSON.parse(json.stdout)[0]).not.toHaveProperty('problem');

    const imported = await cli(['import', '--all', '--json'], env);
    expect(imported.code, imported.stderr).toBe(0);
    const result = JSON.parse(imported.stdout);
    expect(result).toMatchObject({ imported: [{ runnerUuid: RUNNER, name, previousContainerId: oldId }], failed: [], skipped: [] });

    // The old container is gone; one container holds the name, ours, running, with our policy and limits.
    await expect(docker.getContainer(oldId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const byName = await docker.listContainers({ all: true, filters: { name: [name] } });
    expect(byName).toHaveLength(1);
    const info = await docker.getContainer(byName[0]!.Id).inspect();
    expect(info.Id).toBe(result.imported[0].containerId);
    expect(info.State.Running).toBe(true);
    expect(info.Config.Labels).toMatchObject({ 'runner-tray.managed': 'true', 'runner-tray.runner': RUNNER, 'runner-tray.account': ACCOUNT });
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
    // Same runner as before: its variables (secrets from the vault) and binds carried over.
    expect(info.Config.Env).toEqual(
      expect.arrayContaining([`OAUTH_CLIENT_SECRET=${SECRET}`, `NPM_TOKEN=${NPM_TOKEN}`, 'STANDIN_SCRIPT=idle', `RUNNER_UUID=${RUNNER}`]),
    );
    expect(info.HostConfig.Binds).toContain('/tmp:/tmp');

    // The secrets are in the vault, and nowhere else in the data directory.
    const vault = readFileSync(join(home, 'secrets.json'), 'utf8');
    expect(vault).toContain(SECRET);
    expect(vault).toContain(NPM_TOKEN);
    const elsewhere = filesTextExceptVault(home);
    expect(elsewhere).toContain(RUNNER);
    for (const s of SECRETS) expect(elsewhere).not.toContain(s);

    const list = await cli(['list', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ runnerUuid: RUNNER, containerState: 'running' })]);
    // Nothing left to import; a second --all is a no-op.
    expect(JSON.parse((await cli(['import', '--json'], env)).stdout)).toEqual([]);
    const again = await cli(['import', '--all'], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Nothing to import/);

    expect((await cli(['remove', RUNNER], env)).code).toBe(0);
  });

  it('says what is wrong with a runner container that cannot be imported, and which are found', async () => {
    const env = cliEnv(newDataDir(), daemon.socketPath);
    // The runner image, started without the runner's variables.
    const bare = await docker.createContainer({ name: 'half-configured-runner', Image: STANDIN_IMAGE, Env: [`RUNNER_UUID=${RUNNER}`] });
    const listed = await cli(['import', '--json'], env);
    const [candidate] = JSON.parse(listed.stdout);
    expect(candidate).toMatchObject({ name: 'half-configured-runner', runnerUuid: RUNNER, problem: expect.stringMatching(/ACCOUNT_UUID/) });
    const one = await cli(['import', 'half-configured-runner'], env);
    expect(one.code).not.toBe(0);
    expect(one.stderr).toMatch(/cannot be imported.*ACCOUNT_UUID/);
    const all = await cli(['import', '--all'], env);
    expect(all.code).toBe(0);
    expect(all.stderr).toMatch(/half-configured-runner skipped/);
    const missing = await cli(['import', 'no-such-container'], env);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/No runner container started by hand matches "no-such-container".*half-configured-runner/);
    expect((await bare.inspect()).Config.Labels['runner-tray.managed']).toBeUndefined();
    await bare.remove({ force: true });
  });
});
