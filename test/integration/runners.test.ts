/**
 * The runner lifecycle on the real private dockerd (test/support/global-setup.ts) with the
 * stand-in runner image tagged as the real one, the real file vault and the real settings store.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { connectEngine, EngineUnreachableError, type Engine } from '../../src/main/docker/engine.js';
import { RunnerError } from '../../src/main/runners/errors.js';
import type { RunnerEvent } from '../../src/main/runners/events.js';
import { RunnerService } from '../../src/main/runners/runner-service.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import type { RunnerRecord } from '../../src/main/settings/types.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { KeyringVault } from '../../src/main/vault/keyring-vault.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import type { ParseResult } from '../../src/shared/runner-command/types.js';
import { attachDockerd } from '../support/dockerd.js';

// Made-up identifiers and secrets (never the article's).
const ACCOUNT = '{3f2a9c1b-8d4e-4f6a-9b2c-7e1d0a5b6c4d}';
const REPOSITORY = '{b7c6d5e4-f3a2-4b1c-8d9e-0f1a2b3c4d5e}';
const RUNNER_A = '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}';
const RUNNER_B = '{c0ffee00-1234-4abc-9def-0123456789ab}';
const CLIENT_ID = 'Zq8Lm2Pn4Rt6Vx0Bc3Df5Gh7Jk9Ws1Ya';
const SECRET_1 = 'ATOAmadeUpSecretOne_k3J9x2Lq7Wm4Np8Rt1Vz6Yb0Cd5Fg-Hs2Ju9Ki3Lo7Pq';
const SECRET_2 = 'ATOAmadeUpSecretTwo_Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8L9z0X1c2V';

const dockerHost = () => `unix://${inject('dockerSocket')}`;

function paste(runner: string, secret: string, extra: { image?: string; env?: string } = {}): string {
  const bare = runner.replace(/[{}]/g, '');
  return [
    'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock \\',
    '  -v /var/lib/docker/containers:/var/lib/docker/containers:ro \\',
    `  -e ACCOUNT_UUID=${ACCOUNT} -e REPOSITORY_UUID=${REPOSITORY} -e RUNNER_UUID=${runner} \\`,
    `  -e RUNTIME_PREREQUISITES_ENABLED=true -e OAUTH_CLIENT_ID=${CLIENT_ID} \\`,
    `  -e OAUTH_CLIENT_SECRET=${secret} -e WORKING_DIRECTORY=/tmp ${extra.env ?? ''} \\`,
    `  --name runner-${bare} ${extra.image ?? inject('standinImage')}`,
  ].join('\n');
}

function parsed(runner: string, secret: string, extra: { image?: string; env?: string } = {}): ParseResult {
  const p = parseRunnerCommand(paste(runner, secret, extra));
  if (!p.ok) throw new Error(`test paste did not parse: ${p.error.code} ${p.error.message}`);
  return p;
}

let engine: Engine;
let docker: Docker;
let dataDir: string;
let vault: FileVault;
let settings: SettingsStore;
let service: RunnerService;
let events: RunnerEvent[];

async function ourContainers(): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } });
}

async function containersNamed(name: string): Promise<Docker.ContainerInfo[]> {
  const all = await docker.listContainers({ all: true });
  return all.filter((c) => c.Names.includes(`/${name}`));
}

async function waitForLog(id: string, text: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let out = '';
  while (Date.now() < deadline) {
    const buf = (await docker.getContainer(id).logs({ stdout: true, stderr: true })) as unknown as Buffer;
    out = buf.toString('utf8');
    if (out.includes(text)) return out;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`"${text}" did not appear in the log of ${id} within ${timeoutMs} ms; log so far:\n${out}`);
}

/** Everything of ours a secret could leak into, as text. */
function ourOutputs(...more: unknown[]): string {
  const settingsFile = existsSync(settings.path) ? readFileSync(settings.path, 'utf8') : '';
  return [settingsFile, JSON.stringify(events), ...more.map((m) => (typeof m === 'string' ? m : JSON.stringify(m)))].join('\n');
}

beforeAll(async () => {
  process.env.DOCKER_HOST = dockerHost();
  engine = await connectEngine();
  docker = engine.docker;
});

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-runners-'));
  vault = await FileVault.open(dataDir);
  settings = SettingsStore.open(dataDir);
  service = new RunnerService({ engine, store: settings.runners(), vault, stopTimeoutSeconds: 5 });
  events = [];
  service.events.on('*', (e) => events.push(e));
});

afterEach(async () => {
  await service.settle();
  const leftovers = [...(await ourContainers()), ...(await docker.listContainers({ all: true, filters: { name: ['runner-'] } }))];
  for (const c of leftovers)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  rmSync(dataDir, { recursive: true, force: true });
});

afterAll(() => {
  rmSync('/tmp/runner-tray/' + RUNNER_B.replace(/[{}]/g, ''), { recursive: true, force: true });
});

describe('engine discovery on the real daemon', () => {
  it('finds the private engine through DOCKER_HOST and reports its socket and root dir', () => {
    expect(engine.facts.source).toBe('DOCKER_HOST');
    expect(engine.facts.socketPath).toBe(inject('dockerSocket'));
    expect(engine.facts.local).toBe(true);
    expect(engine.facts.dockerDesktop).toBe(false);
    expect(engine.facts.dockerRootDir).toBe(join(inject('dockerDir'), 'data'));
    expect(engine.facts.apiVersion).toMatch(/^1\.\d+$/);
  });

  it('names where it looked and how to fix it when no engine answers', async () => {
    const dead = join(mkdtempSync(join(tmpdir(), 'rt-dead-')), 'docker.sock');
    const err = await connectEngine({ discovery: { env: { DOCKER_HOST: `unix://${dead}` } } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineUnreachableError);
    expect((err as EngineUnreachableError).code).toBe('ENGINE_UNREACHABLE');
    expect((err as Error).message).toContain(dead);
    expect((err as Error).message).toContain('DOCKER_HOST');
    expect((err as Error).message).toMatch(/no such socket/);
  });
});

describe('engine gone after connecting', () => {
  it('list, status, start and stop fail with ENGINE_ERROR naming the engine and the fix, never the secret', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const deadSocket = join(mkdtempSync(join(tmpdir(), 'rt-gone-')), 'docker.sock');
    const gone: Engine = { docker: new Docker({ socketPath: deadSocket }), facts: { ...engine.facts, host: `unix://${deadSocket}` } };
    const svc = new RunnerService({ engine: gone, store: settings.runners(), vault });
    for (const op of [() => svc.list(), () => svc.status(RUNNER_A), () => svc.start(RUNNER_A), () => svc.stop(RUNNER_A)]) {
      const err = await op().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunnerError);
      expect((err as RunnerError).code).toBe('ENGINE_ERROR');
      expect((err as Error).message).toContain(deadSocket);
      expect((err as Error).message).toMatch(/Start Docker/);
      expect((err as Error).message).not.toContain(SECRET_1);
    }
  });
});

describe('runner lifecycle', () => {
  it('add → start → the container is what the paste describes, ours, bounded and durable → stop → start → remove leaves nothing', async () => {
    const added = await service.add(parsed(RUNNER_A, SECRET_1));
    expect(added.replaced).toBe(false);
    expect((await vault.get(RUNNER_A))?.reveal()).toBe(SECRET_1);

    const started = await service.start(RUNNER_A);
    expect(started.containerState).toBe('running');
    const info = await docker.getContainer(started.containerId!).inspect();
    expect(info.Name).toBe(`/runner-${RUNNER_A.slice(1, -1)}`);
    expect(info.Config.Image).toBe(inject('standinImage'));
    expect(info.Config.Env).toEqual(
      expect.arrayContaining([
        `ACCOUNT_UUID=${ACCOUNT}`,
        `REPOSITORY_UUID=${REPOSITORY}`,
        `RUNNER_UUID=${RUNNER_A}`,
        'RUNTIME_PREREQUISITES_ENABLED=true',
        `OAUTH_CLIENT_ID=${CLIENT_ID}`,
        `OAUTH_CLIENT_SECRET=${SECRET_1}`,
        'WORKING_DIRECTORY=/tmp',
      ]),
    );
    // The private daemon's socket and data root are not the defaults: the binds point at the real ones.
    expect(info.HostConfig.Binds).toEqual([
      '/tmp:/tmp',
      `${inject('dockerSocket')}:/var/run/docker.sock`,
      `${join(inject('dockerDir'), 'data')}/containers:/var/lib/docker/containers:ro`,
    ]);
    expect(info.Config.Labels).toMatchObject({
      'runner-tray.runner': RUNNER_A,
      'runner-tray.kind': 'repository',
      'runner-tray.account': ACCOUNT,
      'runner-tray.managed': 'true',
    });
    expect(JSON.stringify(info.Config.Labels)).not.toContain(SECRET_1);
    expect(info.HostConfig.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');

    // The runner inside sees the engine through the bound socket and comes online.
    await waitForLog(started.containerId!, 'Updating runner state to "ONLINE".');

    const status = await service.status(`runner-${RUNNER_A.slice(1, -1)}`);
    expect(status.containerState).toBe('running');
    expect(Date.parse(status.startedAt!)).toBeGreaterThan(Date.now() - 120_000);
    expect(status.uptimeSeconds).toBeGreaterThanOrEqual(0);

    const stopped = await service.stop(RUNNER_A.slice(1, -1));
    expect(stopped.containerState).toBe('exited');
    expect(stopped.startedAt).toBeNull();

    const again = await service.start(RUNNER_A.toUpperCase());
    expect(again.containerState).toBe('running');
    expect(again.containerId).toBe(started.containerId); // started again, not recreated
    expect(await service.start(RUNNER_A)).toMatchObject({ containerState: 'running', containerId: started.containerId });

    await service.remove(RUNNER_A);
    expect(await ourContainers()).toEqual([]);
    expect(await containersNamed(`runner-${RUNNER_A.slice(1, -1)}`)).toEqual([]);
    expect(await vault.get(RUNNER_A)).toBeNull();
    expect(settings.runners().list()).toEqual([]);
    expect(await service.list()).toEqual([]);
    await expect(service.status(RUNNER_A)).rejects.toMatchObject({ code: 'RUNNER_NOT_FOUND' });

    // The secret went to the vault and the container's env only.
    expect(ourOutputs(added, started, status, stopped, again)).not.toContain(SECRET_1);
    expect(events.map((e) => e.type === 'state' && e.action)).toEqual(expect.arrayContaining(['added', 'created', 'stopped', 'started', 'removed']));
  });

  it('refuses to add a known runner without replace, and rotates its secret with replace: the container is recreated with the new one', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const first = await service.start(RUNNER_A);

    const refused = await service.add(parsed(RUNNER_A, SECRET_2)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RunnerError);
    expect((refused as RunnerError).code).toBe('RUNNER_EXISTS');
    expect((refused as Error).message).toContain('--replace');
    expect((await vault.get(RUNNER_A))?.reveal()).toBe(SECRET_1);

    const replaced = await service.add(parsed(RUNNER_A, SECRET_2), { replace: true });
    expect(replaced.replaced).toBe(true);
    expect(settings.runners().list()).toHaveLength(1);
    // It runs (maybe mid-step): the user is told how to apply the new secret, nothing is restarted.
    expect(replaced.warnings).toEqual([{ code: 'PENDING_RESTART', message: expect.stringMatching(/stop and start the runner/) }]);
    const still = await service.start(RUNNER_A);
    expect(still).toMatchObject({ containerId: first.containerId, containerState: 'running', pendingRestart: true });
    expect(still.notice).toMatch(/secret changed.*stop and start the runner.*not restarted automatically so a running step is not killed/);
    expect((await docker.getContainer(first.containerId!).inspect()).Config.Env).toContain(`OAUTH_CLIENT_SECRET=${SECRET_1}`);

    await service.stop(RUNNER_A);
    const second = await service.start(RUNNER_A);
    expect(second.pendingRestart).toBe(false);
    expect(second.containerId).not.toBe(first.containerId);
    const env = (await docker.getContainer(second.containerId!).inspect()).Config.Env;
    expect(env).toContain(`OAUTH_CLIENT_SECRET=${SECRET_2}`);
    expect(env.join('\n')).not.toContain(SECRET_1);
    expect(await ourContainers()).toHaveLength(1);
    expect(events).toContainEqual(expect.objectContaining({ type: 'state', action: 'recreated', reason: 'secret changed' }));
    expect(ourOutputs(refused instanceof Error ? refused.message : '', replaced, still, second)).not.toMatch(new RegExp(`${SECRET_1}|${SECRET_2}`));
  });

  it('two concurrent starts make one container, in one service and across two (two processes)', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const [a, b] = await Promise.all([service.start(RUNNER_A), service.start(RUNNER_A)]);
    expect(a.containerId).toBe(b.containerId);
    expect(await ourContainers()).toHaveLength(1);

    // Two processes sharing settings and vault race through list → create; a few rounds, since races vary.
    const other = new RunnerService({ engine: await connectEngine(), store: settings.runners(), vault });
    for (let round = 0; round < 5; round++) {
      await service.remove(RUNNER_A);
      await service.add(parsed(RUNNER_A, SECRET_1));
      const results = await Promise.allSettled([service.start(RUNNER_A), other.start(RUNNER_A)]);
      await other.settle();
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      const running = await ourContainers();
      expect(running).toHaveLength(1);
      expect(running[0]?.State).toBe('running');
    }
  });
});

describe('a runner container made by hand', () => {
  async function handMade(runner: string): Promise<string> {
    // What `docker container run …` from the paste creates: same name, no labels of ours.
    const c = await docker.createContainer({
      name: `runner-${RUNNER_A.slice(1, -1)}`,
      Image: inject('standinImage'),
      Env: [`RUNNER_UUID=${runner}`, `ACCOUNT_UUID=${ACCOUNT}`, `OAUTH_CLIENT_SECRET=${SECRET_1}`],
      HostConfig: { Binds: [`${inject('dockerSocket')}:/var/run/docker.sock`] },
    });
    await c.start();
    return c.id;
  }

  it('is not touched without consent: CONTAINER_CONFLICT names --adopt and --replace', async () => {
    const id = await handMade(RUNNER_A);
    await service.add(parsed(RUNNER_A, SECRET_1));
    const err = await service.start(RUNNER_A).catch((e: unknown) => e);
    expect((err as RunnerError).code).toBe('CONTAINER_CONFLICT');
    expect((err as Error).message).toMatch(/--adopt/);
    expect((err as Error).message).toMatch(/--replace/);
    expect((await docker.getContainer(id).inspect()).State.Running).toBe(true);
  });

  it('is adopted with consent: one container of that name, now ours and running', async () => {
    const id = await handMade(RUNNER_A);
    await service.add(parsed(RUNNER_A, SECRET_1));
    const s = await service.start(RUNNER_A, { adopt: true });
    expect(s.containerState).toBe('running');
    const named = await containersNamed(`runner-${RUNNER_A.slice(1, -1)}`);
    expect(named).toHaveLength(1);
    expect(named[0]?.Id).not.toBe(id);
    expect(named[0]?.Labels['runner-tray.runner']).toBe(RUNNER_A);
    expect(named[0]?.Labels['runner-tray.managed']).toBe('true');
    expect(events).toContainEqual(expect.objectContaining({ type: 'state', action: 'adopted' }));
  });

  it('of another runner under this name can be replaced but not adopted', async () => {
    await handMade(RUNNER_B);
    await service.add(parsed(RUNNER_A, SECRET_1));
    await expect(service.start(RUNNER_A, { adopt: true })).rejects.toMatchObject({ code: 'CONTAINER_CONFLICT' });
    const s = await service.start(RUNNER_A, { replace: true });
    expect(s.containerState).toBe('running');
    expect(await containersNamed(`runner-${RUNNER_A.slice(1, -1)}`)).toHaveLength(1);
  });
});

describe('replacing a container never leaves the runner without one', () => {
  const name = `runner-${RUNNER_A.slice(1, -1)}`;
  /** Every container whose name is the runner's or one it passes through while being replaced. */
  async function runnerContainers(): Promise<Array<{ id: string; name: string; state: string }>> {
    const all = await docker.listContainers({ all: true });
    return all.filter((c) => c.Names.some((n) => n.startsWith(`/${name}`))).map((c) => ({ id: c.Id, name: c.Names[0]!.slice(1), state: c.State }));
  }
  function changeSpec(change: (spec: RunnerRecord['spec']) => RunnerRecord['spec']): void {
    const record = settings.runners().get(RUNNER_A)!;
    settings.runners().put({ ...record, spec: change(record.spec) });
  }

  it('a stale runner whose new container cannot be created keeps its old one, and no temporary container is left', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const first = await service.start(RUNNER_A);
    await service.stop(RUNNER_A);
    // A bind Docker refuses at create: a relative host path is read as an (invalid) volume name.
    changeSpec((spec) => ({ ...spec, binds: [...spec.binds, 'not/absolute:/data'] }));

    const err = await service.start(RUNNER_A).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunnerError);
    expect((err as RunnerError).code).toBe('ENGINE_ERROR');
    expect((err as Error).message).toMatch(/not\/absolute/);
    expect((err as Error).message).not.toContain(SECRET_1);
    expect(await runnerContainers()).toEqual([{ id: first.containerId, name, state: 'exited' }]);

    // Fixed settings: recreated under the runner's name, the old one gone, nothing else left.
    changeSpec((spec) => ({ ...spec, binds: spec.binds.filter((b) => b !== 'not/absolute:/data') }));
    changeSpec((spec) => ({ ...spec, env: { ...spec.env, JAVA_OPTS: '-Xmx512m' } }));
    const second = await service.start(RUNNER_A);
    expect(second.containerId).not.toBe(first.containerId);
    expect(await runnerContainers()).toEqual([{ id: second.containerId, name, state: 'running' }]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'state', action: 'recreated', reason: 'settings changed' }));
  });

  it('a stale runner whose new image cannot be pulled keeps its old container', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const first = await service.start(RUNNER_A);
    await service.stop(RUNNER_A);
    changeSpec((spec) => ({ ...spec, image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:0-absent' }));

    await expect(service.start(RUNNER_A)).rejects.toMatchObject({ code: 'IMAGE_UNAVAILABLE' });
    expect(await runnerContainers()).toEqual([{ id: first.containerId, name, state: 'exited' }]);
  });

  it('a running hand-made container being replaced keeps running under its name when ours cannot be created', async () => {
    const handmade = await docker.createContainer({ name, Image: inject('standinImage'), Env: [`RUNNER_UUID=${RUNNER_A}`, 'STANDIN_SCRIPT=idle'] });
    await handmade.start();
    await service.add(parsed(RUNNER_A, SECRET_1));
    changeSpec((spec) => ({ ...spec, binds: [...spec.binds, 'not/absolute:/data'] }));

    await expect(service.start(RUNNER_A, { replace: true })).rejects.toMatchObject({ code: 'ENGINE_ERROR' });
    expect(await runnerContainers()).toEqual([{ id: handmade.id, name, state: 'running' }]);

    changeSpec((spec) => ({ ...spec, binds: spec.binds.filter((b) => b !== 'not/absolute:/data') }));
    const ours = await service.start(RUNNER_A, { replace: true });
    expect(await runnerContainers()).toEqual([{ id: ours.containerId, name, state: 'running' }]);
  });
});

describe('without a reachable engine', () => {
  function offline(): { service: RunnerService; connects: () => number } {
    const dead = join(mkdtempSync(join(tmpdir(), 'rt-down-')), 'docker.sock');
    let n = 0;
    const svc = new RunnerService({
      engine: () => {
        n++;
        return connectEngine({ discovery: { env: { DOCKER_HOST: `unix://${dead}` } } });
      },
      store: settings.runners(),
      vault,
    });
    return { service: svc, connects: () => n };
  }

  it('add stores the runner without asking the engine', async () => {
    const { service: svc, connects } = offline();
    const added = await svc.add(parsed(RUNNER_A, SECRET_1));
    expect(added.record.spec.runnerUuid).toBe(RUNNER_A);
    expect((await vault.get(RUNNER_A))?.reveal()).toBe(SECRET_1);
    expect(settings.runners().list()).toHaveLength(1);
    expect(connects()).toBe(0);
  });

  it('remove says the engine cannot be reached and removes nothing; list and start say so too', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    await service.start(RUNNER_A);
    const { service: svc } = offline();

    const err = await svc.remove(RUNNER_A).catch((e: unknown) => e);
    expect((err as RunnerError).code).toBe('ENGINE_ERROR');
    expect((err as Error).message).toMatch(/was not removed \(its container, secret and settings are all kept\)/);
    expect((err as Error).message).toMatch(/No Docker engine answered/);
    expect((await vault.get(RUNNER_A))?.reveal()).toBe(SECRET_1);
    expect(settings.runners().list()).toHaveLength(1);
    expect(await ourContainers()).toHaveLength(1);

    await expect(svc.list()).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' });
    await expect(svc.start(RUNNER_A)).rejects.toMatchObject({ code: 'ENGINE_UNREACHABLE' });
  });
});

describe('secret-looking extra variables (e.g. NPM_TOKEN)', () => {
  const NPM_1 = 'npm_madeUpTokenOne_4Fh7Jk2Lm9Qp3Rs8Tv1Wx6Yz0';
  const NPM_2 = 'npm_madeUpTokenTwo_0Za9Yb8Xc7Wd6Ve5Uf4Tg3Sh2';

  it('are kept in the vault, passed to the container, replaced as a set on re-add, and removed with the runner', async () => {
    const added = await service.add(parsed(RUNNER_A, SECRET_1, { env: `-e NPM_TOKEN=${NPM_1} -e PIP_PASSWORD=${NPM_2}` }));
    expect(added.record.vaultEnv).toEqual(['NPM_TOKEN', 'PIP_PASSWORD']);
    expect(added.record.spec.env).not.toHaveProperty('NPM_TOKEN');
    expect((await vault.get(`${RUNNER_A}#env:NPM_TOKEN`))?.reveal()).toBe(NPM_1);

    const first = await service.start(RUNNER_A);
    const env = (await docker.getContainer(first.containerId!).inspect()).Config.Env;
    expect(env).toEqual(expect.arrayContaining([`NPM_TOKEN=${NPM_1}`, `PIP_PASSWORD=${NPM_2}`, `OAUTH_CLIENT_SECRET=${SECRET_1}`]));
    await service.stop(RUNNER_A);

    // Rotated token, PIP_PASSWORD no longer pasted: its vault entry goes, the container follows.
    await service.add(parsed(RUNNER_A, SECRET_1, { env: `-e NPM_TOKEN=${NPM_2}` }), { replace: true });
    expect(await vault.get(`${RUNNER_A}#env:PIP_PASSWORD`)).toBeNull();
    const second = await service.start(RUNNER_A);
    expect(second.containerId).not.toBe(first.containerId);
    const env2 = (await docker.getContainer(second.containerId!).inspect()).Config.Env;
    expect(env2).toContain(`NPM_TOKEN=${NPM_2}`);
    expect(env2.some((e) => e.startsWith('PIP_PASSWORD='))).toBe(false);
    await service.stop(RUNNER_A);

    // Only the value changed: still stale, named without the value.
    await service.add(parsed(RUNNER_A, SECRET_1, { env: `-e NPM_TOKEN=${NPM_1}` }), { replace: true });
    const third = await service.start(RUNNER_A);
    expect((await docker.getContainer(third.containerId!).inspect()).Config.Env).toContain(`NPM_TOKEN=${NPM_1}`);
    expect(events).toContainEqual(expect.objectContaining({ type: 'state', action: 'recreated', reason: 'secret variable changed' }));

    await service.remove(RUNNER_A);
    expect(await vault.get(`${RUNNER_A}#env:NPM_TOKEN`)).toBeNull();
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).not.toMatch(new RegExp(`${NPM_1}|${NPM_2}`));
    expect(ourOutputs(added, first, second, third)).not.toMatch(new RegExp(`${NPM_1}|${NPM_2}`));
  });
});

describe('image', () => {
  it('absent and no registry reachable: IMAGE_UNAVAILABLE naming the image, and no container is left', async () => {
    const image = 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:0-absent';
    await service.add(parsed(RUNNER_A, SECRET_1, { image }));
    const err = await service.start(RUNNER_A).catch((e: unknown) => e);
    expect((err as RunnerError).code).toBe('IMAGE_UNAVAILABLE');
    expect((err as Error).message).toContain(image);
    expect((err as Error).message).toMatch(/network|registry/);
    expect((err as Error).message).not.toContain(SECRET_1);
    expect(await ourContainers()).toEqual([]);
  });

  it('present: starts from it and reports the background update check (which fails offline) as an event', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const s = await service.start(RUNNER_A);
    expect(s.containerState).toBe('running');
    await service.settle();
    expect(events).toContainEqual(expect.objectContaining({ type: 'image-check', image: inject('standinImage'), result: 'failed' }));
    expect(events.some((e) => e.type === 'pull-progress')).toBe(false);
  });
});

describe('working directories', () => {
  it('warns when a second runner would share a working directory, and gives it its own with workDir', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const shared = await service.add(parsed(RUNNER_B, SECRET_2));
    expect(shared.warnings).toEqual([
      expect.objectContaining({ code: 'SHARED_WORKING_DIRECTORY', suggestedWorkDir: `/tmp/runner-tray/${RUNNER_B.slice(1, -1)}` }),
    ]);

    const own = await service.add(parsed(RUNNER_B, SECRET_2), { replace: true, workDir: 'auto' });
    const dir = `/tmp/runner-tray/${RUNNER_B.slice(1, -1)}`;
    expect(own.warnings).toEqual([]);
    expect(statSync(dir).isDirectory()).toBe(true);
    const s = await service.start(RUNNER_B);
    const info = await docker.getContainer(s.containerId!).inspect();
    expect(info.Config.Env).toContain(`WORKING_DIRECTORY=${dir}`);
    expect(info.HostConfig.Binds).toContain(`${dir}:${dir}`);
    expect(info.HostConfig.Binds).not.toContain('/tmp:/tmp');

    // Rotating the secret later re-pastes the wizard's command (WORKING_DIRECTORY=/tmp): the own dir stays.
    const rotated = await service.add(parsed(RUNNER_B, SECRET_1), { replace: true });
    expect(rotated.record.spec.workingDirectory).toBe(dir);
    expect(rotated.warnings.map((w) => w.code)).toEqual(['PENDING_RESTART']); // no shared-directory warning
  });
});

describe('reconcile and engine restarts', () => {
  it('a new service (app restart) finds running runners by label and reports containers without settings', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    const s = await service.start(RUNNER_A);
    const orphan = await docker.createContainer({
      name: 'runner-tray-orphan',
      Image: inject('standinImage'),
      Labels: { 'runner-tray.managed': 'true', 'runner-tray.runner': RUNNER_B },
    });

    const fresh = new RunnerService({ engine, store: SettingsStore.open(dataDir).runners(), vault });
    const report = await fresh.reconcile();
    expect(report.runners).toEqual([expect.objectContaining({ runnerUuid: RUNNER_A, containerState: 'running', containerId: s.containerId })]);
    expect(report.orphans).toEqual([{ containerId: orphan.id, name: 'runner-tray-orphan', runnerUuid: RUNNER_B }]);
    await orphan.remove({ force: true });
  });

  it('a running runner is running again after the engine restarts; a stopped one stays stopped', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    await service.add(parsed(RUNNER_B, SECRET_2), { workDir: 'auto' });
    await service.start(RUNNER_A);
    await service.start(RUNNER_B);
    await service.stop(RUNNER_B);

    await attachDockerd(inject('dockerDir')).restart();

    const deadline = Date.now() + 60_000;
    let a = await service.status(RUNNER_A);
    while (a.containerState !== 'running' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      a = await service.status(RUNNER_A);
    }
    expect(a.containerState).toBe('running');
    expect((await service.status(RUNNER_B)).containerState).toBe('exited');
    expect(await ourContainers()).toHaveLength(2);
  });
});

describe('secrets at rest', () => {
  it('the settings file holds no secret while the vault file holds it with mode 0600', async () => {
    await service.add(parsed(RUNNER_A, SECRET_1));
    expect(readFileSync(settings.path, 'utf8')).not.toContain(SECRET_1);
    const files = readdirSync(dataDir).filter((f) => readFileSync(join(dataDir, f), 'utf8').includes(SECRET_1));
    expect(files).toEqual(['secrets.json']);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });
});

// `npm test` runs inside a D-Bus session with an unlocked gnome-keyring (test/run-all.sh). A
// developer's plain `vitest run` may skip this; CI may not: there a missing bus is a failure.
const haveSessionBus = Boolean(process.env.DBUS_SESSION_BUS_ADDRESS);
describe.runIf(haveSessionBus || Boolean(process.env.CI))('with the OS keyring (real Secret Service)', () => {
  it('add → start → remove keeps the secret in the keyring only, and removes it there', async () => {
    expect(haveSessionBus, 'no D-Bus session bus: run the tests through test/run-all.sh (npm test), which starts one with gnome-keyring').toBe(true);
    const keyring = await KeyringVault.open({ timeoutMs: 20_000 });
    const svc = new RunnerService({ engine, store: settings.runners(), vault: keyring, checkForImageUpdates: false });
    await svc.add(parsed(RUNNER_A, SECRET_1));
    expect((await keyring.get(RUNNER_A))?.reveal()).toBe(SECRET_1);
    const s = await svc.start(RUNNER_A);
    expect((await docker.getContainer(s.containerId!).inspect()).Config.Env).toContain(`OAUTH_CLIENT_SECRET=${SECRET_1}`);
    expect(readdirSync(dataDir).filter((f) => readFileSync(join(dataDir, f), 'utf8').includes(SECRET_1))).toEqual([]);
    await svc.remove(RUNNER_A);
    expect(await keyring.get(RUNNER_A)).toBeNull();
    expect(await ourContainers()).toEqual([]);
  });
});
