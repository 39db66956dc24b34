/**
 * The built `runner-tray` CLI where the review of issue 2 found it fragile: a start that must not
 * wait on a registry, two processes starting one runner, Docker down, a running runner whose
 * settings changed, secret-looking extra variables, one-line errors. Real private dockerd, real
 * file vault, real data directory.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { cliEnv, filesTextExceptVault, runCli, type CliRun } from '../support/cli.js';

// Made-up identifiers and secrets.
const ACCOUNT = '{4c3b2a19-0f8e-4d7c-9b6a-5f4e3d2c1b0a}';
const RUNNER = '{8f7e6d5c-4b3a-4291-8f0e-1d2c3b4a5f6e}';
const SECRET = 'robustMadeUpSecret_Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8Ii9Jj0Kk1Ll2Mm3Nn4Oo';
const ROTATED = 'robustRotatedSecret_Pp5Qq6Rr7Ss8Tt9Uu0Vv1Ww2Xx3Yy4Zz5Aa6Bb7Cc8D';
const NPM_TOKEN = 'npm_madeUpRobustToken_7Gh2Jk9Lm4Np6Qr1St8Vw3Xy5Z';
const bareUuid = RUNNER.slice(1, -1);

function paste(secret: string, extra: { image?: string; env?: string } = {}): string {
  return (
    `docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/docker/containers:/var/lib/docker/containers:ro ` +
    `-e ACCOUNT_UUID=${ACCOUNT} -e RUNNER_UUID=${RUNNER} -e RUNTIME_PREREQUISITES_ENABLED=true ` +
    `-e OAUTH_CLIENT_ID=Cl1entIdMadeUp111111111111111111 -e OAUTH_CLIENT_SECRET=${secret} -e WORKING_DIRECTORY=/tmp ${extra.env ?? ''} ` +
    `--name runner-${bareUuid} ${extra.image ?? inject('standinImage')}\n`
  );
}

let home: string;
let env: NodeJS.ProcessEnv;
let docker: Docker;
const runs: CliRun[] = [];

async function cli(args: string[], stdin?: string, more: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  const run = await runCli(args, { env: { ...env, ...more }, ...(stdin === undefined ? {} : { stdin }), timeoutMs: 90_000 });
  runs.push(run);
  return run;
}

async function runnerContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${RUNNER}`] } });
}

beforeAll(() => {
  docker = new Docker({ socketPath: inject('dockerSocket') });
});

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'runner-tray-robust-'));
  env = cliEnv(home, inject('dockerSocket'));
});

afterEach(async () => {
  for (const c of await runnerContainers())
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
});

afterAll(() => {
  for (const run of runs) {
    for (const s of [SECRET, ROTATED, NPM_TOKEN]) {
      expect(run.argv.join(' ')).not.toContain(s);
      expect(run.stdout).not.toContain(s);
      expect(run.stderr).not.toContain(s);
    }
  }
});

describe('start does not wait for the registry', () => {
  let registry: Server;
  const connections: Socket[] = [];
  let image: string;

  beforeAll(async () => {
    // A registry that accepts connections and never answers: a slow or broken network.
    registry = createServer((socket) => void connections.push(socket));
    await new Promise<void>((r) => registry.listen(0, '127.0.0.1', r));
    const port = (registry.address() as { port: number }).port;
    image = `127.0.0.1:${port}/sox/atlassian/bitbucket-pipelines-runner:1`;
    const [repo, tag] = [image.slice(0, image.lastIndexOf(':')), '1'];
    await docker.getImage(inject('standinImage')).tag({ repo, tag });
  });

  afterAll(async () => {
    for (const s of connections) s.destroy();
    await new Promise<void>((r) => registry.close(() => r()));
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
  });

  it('a one-shot `start` with the image present exits without contacting the registry at all', async () => {
    expect((await cli(['add'], paste(SECRET, { image }))).code).toBe(0);
    const start = await cli(['start', RUNNER]);
    expect(start.code, `start did not finish (killed: ${start.code === null}); stderr: ${start.stderr}`).toBe(0);
    expect(start.stdout).toBe(`runner-${bareUuid} running\n`);
    expect(connections).toHaveLength(0);
    const [c] = await runnerContainers();
    expect(c?.State).toBe('running');
  });
});

describe('two processes start the same runner', () => {
  it('make exactly one container, and both exit 0 (several rounds: races vary)', async () => {
    expect((await cli(['add'], paste(SECRET))).code).toBe(0);
    for (let round = 0; round < 4; round++) {
      const [a, b] = await Promise.all([cli(['start', RUNNER]), cli(['start', RUNNER])]);
      expect([a.code, b.code], `${a.stderr}\n${b.stderr}`).toEqual([0, 0]);
      const containers = await runnerContainers();
      expect(containers).toHaveLength(1);
      expect(containers[0]?.State).toBe('running');
      for (const c of containers) await docker.getContainer(c.Id).remove({ force: true });
    }
  });
});

describe('with Docker down', () => {
  const down = () => ({ DOCKER_HOST: `unix://${home}/docker-is-down.sock` });

  it('add works (vault and settings only); list says where it looked on one line; remove keeps everything', async () => {
    const add = await cli(['add'], paste(SECRET), down());
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toBe(`${RUNNER}\n`);

    const list = await cli(['list'], undefined, down());
    expect(list.code).not.toBe(0);
    expect(list.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(list.stderr).toContain(`${home}/docker-is-down.sock (DOCKER_HOST): no such socket`);
    expect(list.stderr).toMatch(/; Start that engine/);

    const remove = await cli(['remove', RUNNER], undefined, down());
    expect(remove.code).not.toBe(0);
    expect(remove.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(remove.stderr).toMatch(/was not removed \(its container, secret and settings are all kept\)/);
    expect(readFileSync(join(home, 'secrets.json'), 'utf8')).toContain(SECRET);

    // Docker back: the runner is there and starts.
    expect((await cli(['start', RUNNER])).code).toBe(0);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toEqual([expect.objectContaining({ runnerUuid: RUNNER, containerState: 'running' })]);
  });
});

describe('a running runner whose settings changed', () => {
  it('is not restarted by start; add --replace and start both say how to apply the change', async () => {
    expect((await cli(['add'], paste(SECRET))).code).toBe(0);
    expect((await cli(['start', RUNNER])).code).toBe(0);
    const [before] = await runnerContainers();

    const replace = await cli(['add', '--replace'], paste(ROTATED));
    expect(replace.code, replace.stderr).toBe(0);
    expect(replace.stderr).toMatch(
      /warning \[PENDING_RESTART\]: .*stop and start the runner to apply them .*not restarted automatically so a running step is not killed/,
    );

    const start = await cli(['start', RUNNER]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toBe(`runner-${bareUuid} running\n`);
    expect(start.stderr).toMatch(/warning \[PENDING_RESTART\]: .*secret changed.*runner-tray stop/);
    expect((await runnerContainers()).map((c) => c.Id)).toEqual([before!.Id]);

    expect((await cli(['stop', RUNNER])).code).toBe(0);
    const again = await cli(['start', RUNNER]);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toMatch(/PENDING_RESTART/);
    const [after] = await runnerContainers();
    expect(after!.Id).not.toBe(before!.Id);
    expect((await docker.getContainer(after!.Id).inspect()).Config.Env).toContain(`OAUTH_CLIENT_SECRET=${ROTATED}`);
  });
});

describe('a paste with a secret-looking extra variable', () => {
  it('adds and starts with it in the container env, and its value is in no file of ours but the vault', async () => {
    const add = await cli(['add', '--json'], paste(SECRET, { env: `-e NPM_TOKEN=${NPM_TOKEN}` }));
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ ok: true, added: true });

    const start = await cli(['start', RUNNER]);
    expect(start.code, start.stderr).toBe(0);
    const [c] = await runnerContainers();
    expect((await docker.getContainer(c!.Id).inspect()).Config.Env).toContain(`NPM_TOKEN=${NPM_TOKEN}`);

    expect(readFileSync(join(home, 'secrets.json'), 'utf8')).toContain(NPM_TOKEN);
    expect(filesTextExceptVault(home)).not.toContain(NPM_TOKEN);
    expect(filesTextExceptVault(home)).toContain('NPM_TOKEN'); // the name is kept in settings, the value is not

    expect((await cli(['remove', RUNNER])).code).toBe(0);
    expect(readFileSync(join(home, 'secrets.json'), 'utf8')).not.toContain(NPM_TOKEN);
  });
});
