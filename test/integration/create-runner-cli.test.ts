/**
 * `runner-tray create` and `remove --in-bitbucket` against the Bitbucket stand-in (runner
 * endpoints shaped as Bitbucket documents them) and the private dockerd with the stand-in runner
 * image: the runner lands in settings and the vault as a paste would put it, its container gets
 * the right environment, and a failure after the create leaves no runner in Bitbucket.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { CliCapture } from '../support/cli-capture.js';
import { cliEnv } from '../support/cli.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpCreateToken_Pq9Ow7Ie5Ur3Yt1Rw8Qe6Lk4Jh2Gf0Ds8';
const bb = useBitbucketHome({ tmpPrefix: 'rt-create-', email: EMAIL, token: TOKEN });
const docker = new Docker({ socketPath: inject('dockerSocket') });
let cap: CliCapture;
/** Containers this file made or caused, removed after each test. */
let containers: string[];

function io(stdin = ''): CliIo {
  return cap.io({ ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl }, stdin);
}

async function run(...argv: string[]): Promise<number> {
  cap.out = '';
  cap.err = '';
  return main(argv, io());
}

async function connect(): Promise<void> {
  expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
}

const bare = (uuid: string) => uuid.replace(/[{}]/g, '');
const settingsText = () => readFileSync(join(bb.dir, 'settings.json'), 'utf8');
const vaultText = () => (existsSync(join(bb.dir, 'secrets.json')) ? readFileSync(join(bb.dir, 'secrets.json'), 'utf8') : '');
const storedRunners = () => (JSON.parse(settingsText()) as { runners?: Array<{ spec: { runnerUuid: string } }> }).runners ?? [];

/** The wizard's command for these values, written out here independently of the app's builder. */
function pasteFor(v: { account: string; repository?: string; runner: string; clientId: string; secret: string }): string {
  return [
    'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
    '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
    `-e ACCOUNT_UUID=${v.account}`,
    ...(v.repository ? [`-e REPOSITORY_UUID=${v.repository}`] : []),
    `-e RUNNER_UUID=${v.runner} -e RUNTIME_PREREQUISITES_ENABLED=true`,
    `-e OAUTH_CLIENT_ID=${v.clientId} -e OAUTH_CLIENT_SECRET=${v.secret} -e WORKING_DIRECTORY=/tmp`,
    `--name runner-${bare(v.runner)} ${inject('standinImage')}`,
  ].join(' ');
}

beforeEach(() => {
  cap = new CliCapture();
  containers = [];
});

afterEach(async () => {
  for (const name of containers)
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('runner-tray create against the Bitbucket stand-in and the private dockerd', () => {
  it('creates a workspace runner as a paste would store it, starts it with the right environment, and removes it everywhere', async () => {
    await connect();
    expect(await run('create', '--name', 'ci-1', '--label', 'docker.large', '--start', '--json')).toBe(0);
    const out = JSON.parse(cap.out) as { runner: { runnerUuid: string; kind: string }; started: string; bitbucket: { labels: string[] } };
    const uuid = out.runner.runnerUuid;
    containers.push(`runner-${bare(uuid)}`);
    const inBitbucket = bb.server.runnersOf('acme').find((r) => r.uuid === uuid)!;
    expect(inBitbucket).toMatchObject({ name: 'ci-1', labels: ['self.hosted', 'linux', 'docker.large'] });
    const secret = inBitbucket.oauthClientSecret;
    expect(out.started).toBe('running');

    // Same record as pasting Bitbucket's command for this runner would give.
    const pasted = parseRunnerCommand(pasteFor({ account: bb.server.workspaceUuid('acme'), runner: uuid, clientId: inBitbucket.oauthClientId, secret }));
    if (!pasted.ok) throw new Error(pasted.error.message);
    const record = (JSON.parse(settingsText()) as { runners: Array<{ spec: unknown; displayName: string }> }).runners[0]!;
    expect(record.spec).toEqual(pasted.spec);
    expect(record.displayName).toBe('ci-1');
    expect(vaultText()).toContain(secret);
    expect(settingsText()).not.toContain(secret);
    expect(cap.out + cap.err).not.toContain(secret);
    expect(cap.out + cap.err).not.toContain(TOKEN);

    const info = await docker.getContainer(`runner-${bare(uuid)}`).inspect();
    expect(info.State.Running).toBe(true);
    expect(info.Config.Env).toEqual(
      expect.arrayContaining([
        `ACCOUNT_UUID=${bb.server.workspaceUuid('acme')}`,
        `RUNNER_UUID=${uuid}`,
        'RUNTIME_PREREQUISITES_ENABLED=true',
        `OAUTH_CLIENT_ID=${inBitbucket.oauthClientId}`,
        `OAUTH_CLIENT_SECRET=${secret}`,
        'WORKING_DIRECTORY=/tmp',
      ]),
    );
    expect(info.Config.Env.some((e) => e.startsWith('REPOSITORY_UUID='))).toBe(false);
    expect(info.HostConfig.Binds).toEqual(expect.arrayContaining(['/tmp:/tmp', `${inject('dockerSocket')}:/var/run/docker.sock`]));

    expect(await run('remove', uuid, '--in-bitbucket')).toBe(0);
    expect(cap.out).toContain('deleted in Bitbucket');
    expect(bb.server.runnersOf('acme')).toHaveLength(0);
    expect(storedRunners()).toHaveLength(0);
    expect(vaultText()).not.toContain(secret);
    await expect(docker.getContainer(`runner-${bare(uuid)}`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    // Already gone in Bitbucket: nothing to remove here either, said plainly.
    expect(await run('remove', uuid, '--in-bitbucket')).not.toBe(0);
  });

  it('creates a repository runner with the repository UUID from the API', async () => {
    await connect();
    expect(await run('create', '--repository', 'web-app', '--name', 'repo-ci', '--work-dir', 'auto')).toBe(0);
    const uuid = cap.out.trim();
    expect(cap.err).toContain('Created repository runner "repo-ci"');
    expect(bb.server.runnersOf('acme', 'web-app').map((r) => r.uuid)).toEqual([uuid]);
    const auth = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}` };
    const repoUuid = ((await (await fetch(`${bb.server.baseUrl}/repositories/acme/web-app`, { headers: auth })).json()) as { uuid: string }).uuid;
    const spec = (JSON.parse(settingsText()) as { runners: Array<{ spec: { kind: string; repositoryUuid: string; workingDirectory: string } }> }).runners[0]!
      .spec;
    expect(spec).toMatchObject({ kind: 'repository', repositoryUuid: repoUuid, workingDirectory: `/tmp/runner-tray/${bare(uuid)}` });
    expect(await run('remove', uuid, '--in-bitbucket')).toBe(0);
    expect(bb.server.runnersOf('acme', 'web-app')).toHaveLength(0);
    rmSync(`/tmp/runner-tray/${bare(uuid)}`, { recursive: true, force: true });
  });

  it('deletes the runner in Bitbucket again when Docker cannot start it, and says so', async () => {
    await connect();
    const uuid = '{5e1f0c2d-7a3b-4c9e-8d6f-1a2b3c4d5e6f}';
    bb.server.nextRunnerUuid(uuid);
    // A container under the runner's name that Runner Tray did not make: start must refuse it.
    const foreign = `runner-${bare(uuid)}`;
    containers.push(foreign);
    await docker.createContainer({ name: foreign, Image: inject('standinImage'), Entrypoint: ['/bin/sleep'], Cmd: ['300'] });

    expect(await run('create', '--name', 'ci-docker', '--start')).toBe(1);
    expect(cap.err).toContain(`Runner "ci-docker" was created in Bitbucket (${uuid}`);
    expect(cap.err).toContain('starting its container failed');
    expect(cap.err).toContain('already exists and was not created by Runner Tray');
    expect(cap.err).toContain('It was deleted in Bitbucket again, so nothing is left behind.');
    expect(bb.server.runnersOf('acme')).toHaveLength(0);
    expect(bb.server.requests.some((r) => r.method === 'DELETE' && r.segments.includes(uuid))).toBe(true);
    expect(storedRunners()).toHaveLength(0);
    expect(vaultText()).not.toContain(uuid);
    // The foreign container is left as it was.
    expect((await docker.getContainer(foreign).inspect()).Config.Labels['runner-tray.managed']).toBeUndefined();
  });

  it('says where to delete the runner by hand when deleting it again fails too', async () => {
    await connect();
    const uuid = '{6f2a1d3e-8b4c-4dae-9e70-2b3c4d5e6f70}';
    bb.server.nextRunnerUuid(uuid);
    const foreign = `runner-${bare(uuid)}`;
    containers.push(foreign);
    await docker.createContainer({ name: foreign, Image: inject('standinImage'), Entrypoint: ['/bin/sleep'], Cmd: ['300'] });
    bb.server.fault({ method: 'DELETE', pathIncludes: bare(uuid), status: 503 });

    expect(await run('create', '--name', 'ci-stuck', '--start')).toBe(1);
    expect(cap.err).toContain('Deleting it in Bitbucket again failed as well');
    expect(cap.err).toContain(`delete runner ${uuid} in Bitbucket's Runners settings`);
    expect(bb.server.runnersOf('acme').map((r) => r.uuid)).toEqual([uuid]);
    expect(storedRunners()).toHaveLength(0);
  });

  it('deletes the runner in Bitbucket again when the vault cannot take its secret', async () => {
    await connect();
    // Another live process holds the vault's lock: the secret cannot be written.
    const lock = join(bb.dir, 'secrets.json.lock');
    writeFileSync(lock, `${process.pid} ${Date.now()}`, { mode: 0o600 });
    try {
      expect(await run('create', '--name', 'ci-vault')).toBe(1);
    } finally {
      rmSync(lock, { force: true });
    }
    expect(cap.err).toContain('storing the runner (secret into the vault, the rest into settings) failed');
    expect(cap.err).toContain('secrets.json.lock');
    expect(cap.err).toContain('It was deleted in Bitbucket again, so nothing is left behind.');
    expect(bb.server.runnersOf('acme')).toHaveLength(0);
    expect(storedRunners()).toHaveLength(0);
    expect(cap.err).not.toContain(TOKEN);
  }, 90_000);

  it('explains the runner limit and a missing scope in plain words, creating nothing', async () => {
    await connect();
    bb.server.setRunnerLimit(0);
    expect(await run('create', '--name', 'ci-over')).toBe(1);
    expect(cap.err).toContain('runner limit exceeded — Bitbucket allows 100 runners per workspace or repository');
    expect(await run('create', '--name', 'ci-over', '--json')).toBe(1);
    expect(JSON.parse(cap.out)).toMatchObject({ ok: false, error: { code: 'BITBUCKET_RUNNER_LIMIT' } });
    bb.server.setRunnerLimit(100);

    bb.server.setScopes(['read:repository:bitbucket', 'read:pipeline:bitbucket', 'read:workspace:bitbucket', 'read:runner:bitbucket']);
    expect(await run('create', '--name', 'ci-scope')).toBe(1);
    expect(cap.err).toContain('lacks the scope write:runner:bitbucket');
    expect(cap.err).not.toContain(TOKEN);
    expect(bb.server.runnersOf('acme')).toHaveLength(0);
    expect(storedRunners()).toHaveLength(0);
  });

  it('needs a connection, a name and valid labels before it asks Bitbucket anything', async () => {
    expect(await run('create', '--name', 'x')).toBe(1);
    expect(cap.err).toContain('runner-tray bitbucket connect');
    expect(await run('create')).toBe(2);
    expect(cap.err).toContain('--name');
    await connect();
    const asked = bb.server.requests.length;
    expect(await run('create', '--name', 'x', '--label', 'Not_Valid')).toBe(1);
    expect(cap.err).toContain('"Not_Valid"');
    expect(bb.server.requests.length).toBe(asked);
  });
});
