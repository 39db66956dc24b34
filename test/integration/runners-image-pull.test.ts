/**
 * Image handling through the real pull path of the private dockerd, against a local stand-in
 * registry (test/support/local-registry.ts) because the real one cannot be reached here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/main/docker/engine.js';
import type { RunnerEvent } from '../../src/main/runners/events.js';
import { RunnerService } from '../../src/main/runners/runner-service.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { startLocalRegistry, type LocalRegistry } from '../support/local-registry.js';
import { buildStandinImage } from '../support/standin-image.js';

const RUNNER_A = '{d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6}';
const RUNNER_B = '{e2f3a4b5-c6d7-4e8f-9a01-b2c3d4e5f6a7}';
const SECRET = 'ATOApullMadeUpSecret_Lk2Jh4Gf6Ds8Aq0Wz1Xs3Ce5Vr7Bt9Ny2Mu4Ki6Ol8Pm';
const REPO = 'sox/atlassian/bitbucket-pipelines-runner';

let engine: Engine;
let docker: Docker;
let registry: LocalRegistry;
let image: string;
let dataDir: string;
let service: RunnerService;
let events: RunnerEvent[];

function add(runner: string) {
  const p = parseRunnerCommand(
    `docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock ` +
      `-v /var/lib/docker/containers:/var/lib/docker/containers:ro -e ACCOUNT_UUID={1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d} ` +
      `-e RUNNER_UUID=${runner} -e RUNTIME_PREREQUISITES_ENABLED=true -e OAUTH_CLIENT_ID=Ab3De5Gh7Jk9Mn2Pq4St6Vw8Yz0Bc1Df ` +
      `-e OAUTH_CLIENT_SECRET=${SECRET} -e WORKING_DIRECTORY=/tmp --name runner-${runner.slice(1, -1)} ${image}`,
  );
  if (!p.ok) throw new Error(p.error.message);
  return service.add(p);
}

beforeAll(async () => {
  process.env.DOCKER_HOST = `unix://${inject('dockerSocket')}`;
  engine = await connectEngine();
  docker = engine.docker;
  registry = await startLocalRegistry();
  image = `${registry.host}/${REPO}:1`;
  await registry.publish(docker, inject('standinImage'), REPO, '1');
});

afterAll(async () => {
  await registry.close();
});

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'rt-pull-'));
  service = new RunnerService({ engine, store: SettingsStore.open(dataDir).runners(), vault: await FileVault.open(dataDir) });
  events = [];
  service.events.on('*', (e) => events.push(e));
});

afterEach(async () => {
  await service.settle();
  for (const c of await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('runner image', () => {
  it('absent: pulled before the start, with progress events, then the runner runs', async () => {
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await add(RUNNER_A);
    const s = await service.start(RUNNER_A);
    expect(s.containerState).toBe('running');
    const progress = events.filter((e): e is Extract<RunnerEvent, { type: 'pull-progress' }> => e.type === 'pull-progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.runnerUuid === RUNNER_A && p.image === image)).toBe(true);
    expect(progress.map((p) => p.status).join('\n')).toMatch(/Pull complete|Downloaded newer image|Status: /);
    expect(registry.requests).toContainEqual(expect.stringMatching(new RegExp(`^(GET|HEAD) /v2/${REPO}/manifests/1$`)));
    expect((await docker.getContainer(s.containerId!).inspect()).Config.Image).toBe(image);
  });

  it('present and current: the background check compares the registry digest and pulls nothing', async () => {
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await add(RUNNER_A);
    await service.start(RUNNER_A); // pulled: the local image now carries the registry's digest
    await service.settle();
    const before = events.length;

    // The engine reports every pull on its event stream; the digest lookup is not a pull.
    const pulls: string[] = [];
    const stream = (await docker.getEvents({ filters: { type: ['image'], event: ['pull'] } })) as NodeJS.ReadableStream & { destroy(): void };
    stream.on('data', (d: Buffer) => pulls.push(d.toString()));
    try {
      await add(RUNNER_B);
      expect((await service.start(RUNNER_B)).containerState).toBe('running');
      await service.settle();
      // A pull event would arrive within milliseconds of the pull; give the stream a moment.
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      stream.destroy();
    }
    expect(events.slice(before)).toContainEqual({ type: 'image-check', image, result: 'up-to-date' });
    expect(pulls).toEqual([]);
  });

  it('present: starts from the local image and reports a newer one found in the background', async () => {
    await docker
      .getImage(image)
      .remove({ force: true })
      .catch(() => undefined);
    await add(RUNNER_A);
    await service.start(RUNNER_A);
    await service.settle();
    const before = events.length;

    // The registry now has a newer build under the same tag.
    buildStandinImage(`unix://${inject('dockerSocket')}`, 'runner-tray/standin-next:1');
    await registry.publish(docker, 'runner-tray/standin-next:1', REPO, '1');

    await add(RUNNER_B);
    const s = await service.start(RUNNER_B);
    expect(s.containerState).toBe('running');
    await service.settle();
    const after = events.slice(before);
    expect(after.some((e) => e.type === 'pull-progress')).toBe(false);
    expect(after).toContainEqual({ type: 'image-check', image, result: 'newer-available' });
    await docker
      .getImage('runner-tray/standin-next:1')
      .remove({ force: true })
      .catch(() => undefined);
  });
});
