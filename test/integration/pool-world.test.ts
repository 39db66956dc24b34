/**
 * The world pool scenarios run in (test/support/pool-world.ts) works with the app's real code:
 * a runner made by `runner-tray create --start` comes ONLINE in the Bitbucket stand-in because
 * its container runs on the private dockerd with its credentials, takes a queued step (the app's
 * `status` says BUSY from the container's log, the stand-in shows `state.step`, the step leaves
 * the queue the app reads) and finishes it; the failure switches do what scenarios rely on.
 */
import Docker from 'dockerode';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { CliCapture } from '../support/cli-capture.js';
import { cliEnv } from '../support/cli.js';
import { PoolWorld } from '../support/pool-world.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolWorldToken_Lk9Jh7Gf5Ds3Aq1Ws8Ed6Rf4Tg2Yh0Uj8Ik6';
const bb = useBitbucketHome({ tmpPrefix: 'rt-world-', email: EMAIL, token: TOKEN });
const docker = new Docker({ socketPath: inject('dockerSocket') });
let cap: CliCapture;
let world: PoolWorld | undefined;
let containers: string[];

const bare = (uuid: string) => uuid.replace(/[{}]/g, '');

function io(stdin = ''): CliIo {
  return cap.io({ ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl }, stdin);
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  cap = new CliCapture();
  const code = await main(argv, io());
  return { code, out: cap.out, err: cap.err };
}

/** `runner-tray create … --start`: the runner's UUID. */
async function createStarted(name: string, ...more: string[]): Promise<string> {
  const r = await run('create', '--name', name, '--start', '--json', ...more);
  expect(r.code, r.err).toBe(0);
  const uuid = (JSON.parse(r.out) as { runner: { runnerUuid: string } }).runner.runnerUuid;
  containers.push(`runner-${bare(uuid)}`);
  return uuid;
}

async function logOf(uuid: string): Promise<string> {
  return ((await docker.getContainer(`runner-${bare(uuid)}`).logs({ stdout: true, stderr: true })) as unknown as Buffer).toString('utf8');
}

const standinRunner = (uuid: string) => bb.server.runnersOf('acme').find((r) => r.uuid === uuid)!;

async function appState(uuid: string): Promise<string> {
  const r = await run('status', uuid, '--json');
  return (JSON.parse(r.out) as { runnerState: string }).runnerState;
}

async function queuedInApp(): Promise<string[]> {
  const r = await run('steps', '--queued', '--json');
  return (JSON.parse(r.out) as { queued: { steps: Array<{ stepUuid: string }> } }).queued.steps.map((s) => s.stepUuid);
}

beforeEach(async () => {
  cap = new CliCapture();
  containers = [];
  expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
});

afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const name of containers)
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
  // Step siblings a removed runner left behind.
  for (const c of await docker.listContainers({ all: true, filters: { label: ['runner-tray.standin-sibling'] } })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
});

describe('the pool world on the Bitbucket stand-in and the private dockerd', () => {
  it('makes a created runner ONLINE from its container, hands it a queued step, shows it busy, and finishes the step', async () => {
    world = await PoolWorld.start({ standin: bb.server, docker });
    const uuid = await createStarted('ci-1', '--label', 'docker.large');
    await world.until(() => standinRunner(uuid).status === 'ONLINE', 'the runner ONLINE');
    await expect.poll(() => logOf(uuid), { timeout: 10_000 }).toContain('Updating runner state to "ONLINE"');
    expect(await appState(uuid)).toBe('ONLINE');

    // A step the runner lacks a label for waits; one it can take is taken.
    const [other] = world.queueSteps('acme', 'web-app', 1, { labels: ['self.hosted', 'linux', 'gpu'] });
    const [step] = world.queueSteps('acme', 'web-app', 1, { labels: ['self.hosted', 'docker.large'], seconds: 'hold', names: ['Build'] });
    await world.until(() => standinRunner(uuid).step?.uuid === step!.stepUuid, 'the runner to take the step');
    await expect.poll(() => appState(uuid), { timeout: 30_000 }).toBe('BUSY');
    expect(await logOf(uuid)).toContain(`stepUuid={${bare(step!.stepUuid)}}`);
    expect(bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid)).toEqual({ state: 'IN_PROGRESS' });
    expect(await queuedInApp()).toEqual([other!.stepUuid]);
    // The runner's own sibling step container runs while it is busy, as the real runner's does.
    const sibling = `${bare(uuid)}_${bare(step!.stepUuid)}_build`;
    await expect.poll(async () => (await docker.listContainers({ filters: { name: [sibling] } })).length, { timeout: 15_000 }).toBe(1);

    // Bitbucket's list shows it busy, as the API documents it.
    const auth = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}` };
    const listed = (await (await fetch(`${bb.server.baseUrl}/workspaces/acme/pipelines-config/runners`, { headers: auth })).json()) as {
      values: Array<{ uuid: string; state: { status: string; step?: { uuid: string } } }>;
    };
    expect(listed.values.find((r) => r.uuid === uuid)?.state).toMatchObject({ status: 'ONLINE', step: { uuid: step!.stepUuid } });

    await world.finishStep(step!.stepUuid);
    await world.until(() => standinRunner(uuid).step === null, 'the step to end');
    expect(bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid)).toEqual({ state: 'COMPLETED', result: 'SUCCESSFUL' });
    await expect.poll(() => appState(uuid), { timeout: 30_000 }).toBe('ONLINE');
    expect(await logOf(uuid)).toContain('Completing step with result Result{status=PASSED');
    expect(bb.server.stepStatus('acme', 'web-app', other!.pipelineUuid, other!.stepUuid)).toEqual({ state: 'PENDING' });

    expect((await run('stop', uuid)).code).toBe(0);
    await world.until(() => standinRunner(uuid).status === 'OFFLINE', 'the runner OFFLINE after its container stopped');
    expect(JSON.stringify(world.events) + cap.out + cap.err).not.toContain(standinRunner(uuid).oauthClientSecret);
  });
});
