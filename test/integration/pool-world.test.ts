/**
 * The world pool scenarios run in (test/support/pool-world.ts) works with the app's real code:
 * a runner made by `runner-tray create --start` comes ONLINE in the Bitbucket stand-in because
 * its container runs on the private dockerd with its credentials, takes a queued step (the app's
 * `status` says BUSY from the container's log, the stand-in shows `state.step`, the step leaves
 * the queue the app reads) and finishes it; the failure switches do what scenarios rely on.
 */
import { afterEach, beforeEach, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { connectEngine } from '../../src/main/docker/engine.js';
import type { MonitorEvent } from '../../src/main/monitor/events.js';
import { RunnerMonitor } from '../../src/main/monitor/runner-monitor.js';
import { CliCapture } from '../support/cli-capture.js';
import { cliEnv } from '../support/cli.js';
import { usePoolWorld } from '../support/pool-world-fixture.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpPoolWorldToken_Lk9Jh7Gf5Ds3Aq1Ws8Ed6Rf4Tg2Yh0Uj8Ik6';
const bb = usePoolWorld({ tmpPrefix: 'rt-world-', email: EMAIL, token: TOKEN });
const docker = bb.docker;
let cap: CliCapture;
/** Containers made by hand here (the fixture removes the runners' own). */
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
  for (const name of containers)
    await docker
      .getContainer(name)
      .remove({ force: true })
      .catch(() => undefined);
});

describe('the pool world on the Bitbucket stand-in and the private dockerd', () => {
  it('makes a created runner ONLINE from its container, hands it a queued step, shows it busy, and finishes the step', async () => {
    const world = bb.world;
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

  it('hands 3 steps to 2 runners: both busy, the third taken when one frees, each finished after its duration', async () => {
    const world = bb.world;
    world.configure({ stepSeconds: 2 });
    // The app's live monitor, as the long-running host runs it: it learns of steps from the logs.
    process.env.DOCKER_HOST = `unix://${inject('dockerSocket')}`;
    const monitor = new RunnerMonitor({ engine: await connectEngine() });
    const seen: Extract<MonitorEvent, { type: 'step' }>[] = [];
    monitor.events.on('*', (e) => (e.type === 'step' ? seen.push(e) : undefined));
    onTestFinished(() => monitor.close());
    await monitor.start();
    const a = await createStarted('ci-a');
    const b = await createStarted('ci-b');
    await world.until(() => [a, b].every((u) => standinRunner(u).status === 'ONLINE'), 'both runners ONLINE');
    const steps = world.queueSteps('acme', 'web-app', 3);
    await world.until(() => world.runners().filter((r) => r.busy).length === 2, 'two runners busy');
    const first = world.runners().map((r) => r.stepUuid);
    expect(first.sort()).toEqual([steps[0]!.stepUuid, steps[1]!.stepUuid].sort());
    expect(await queuedInApp()).toEqual([steps[2]!.stepUuid]);
    await world.until(() => world.events.some((e) => e.type === 'dispatched' && e.stepUuid === steps[2]!.stepUuid), 'the third step taken', 30_000);
    const completed = world.events.filter((e) => e.type === 'completed');
    expect(completed.length).toBeGreaterThanOrEqual(1);
    await world.until(
      () => steps.every((s) => bb.server.stepStatus('acme', 'web-app', s.pipelineUuid, s.stepUuid).state === 'COMPLETED'),
      'all steps done',
      30_000,
    );
    const dispatchedAt = world.events.find((e) => e.type === 'dispatched' && e.stepUuid === steps[0]!.stepUuid)!.at;
    const doneAt = world.events.find((e) => e.type === 'completed' && e.stepUuid === steps[0]!.stepUuid)!.at;
    // 2 s of RUNNING plus the recorded phases around it.
    expect(doneAt - dispatchedAt).toBeGreaterThanOrEqual(2_000);
    expect(await queuedInApp()).toEqual([]);
    const auth = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}` };
    const repository = (await (await fetch(`${bb.server.baseUrl}/repositories/acme/web-app`, { headers: auth })).json()) as { uuid: string };
    for (const s of steps) {
      await expect
        .poll(() => seen.filter((e) => e.step.stepUuid === s.stepUuid).map((e) => e.change), { timeout: 15_000 })
        .toEqual(expect.arrayContaining(['started', 'finished']));
      const step = seen.find((e) => e.step.stepUuid === s.stepUuid)!.step;
      expect([bare(step.pipelineUuid), bare(step.repositoryUuid)]).toEqual([bare(s.pipelineUuid), bare(repository.uuid)]);
    }
  });

  it('slow start: the runner is UNREGISTERED, its log short of ONLINE and no step taken until the delay is over', async () => {
    const world = bb.world;
    world.configure({ stepSeconds: 1 });
    world.slowOnline({ name: 'slow-1' }, 4_000);
    const uuid = await createStarted('slow-1');
    const [step] = world.queueSteps('acme', 'web-app', 1);
    await expect.poll(() => logOf(uuid), { timeout: 10_000 }).toContain('Starting websocket');
    await new Promise((r) => setTimeout(r, 1_500));
    expect(standinRunner(uuid)).toMatchObject({ status: 'UNREGISTERED', step: null });
    expect(await logOf(uuid)).not.toContain('ONLINE');
    expect(await queuedInApp()).toEqual([step!.stepUuid]);
    await world.until(() => standinRunner(uuid).status === 'ONLINE', 'the slow runner ONLINE');
    await world.until(() => bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid).state === 'COMPLETED', 'its step done', 30_000);
    const online = world.events.find((e) => e.type === 'online')!.at;
    const started = Date.parse((await docker.getContainer(`runner-${bare(uuid)}`).inspect()).State.StartedAt);
    expect(online - started).toBeGreaterThanOrEqual(3_500);
  });

  it('a runner that never comes ONLINE hangs before connecting, or crashes with OAuth 404; so does one with credentials Bitbucket does not know', async () => {
    const world = bb.world;
    world.neverOnline({ name: 'hangs' });
    world.neverOnline({ name: 'crashes' }, 'crash');
    const hangs = await createStarted('hangs');
    const crashes = await createStarted('crashes');
    await expect.poll(() => logOf(crashes), { timeout: 15_000 }).toContain('OAuthException: 404');
    await expect.poll(async () => (await docker.getContainer(`runner-${bare(crashes)}`).inspect()).RestartCount, { timeout: 15_000 }).toBeGreaterThan(0);
    expect(standinRunner(crashes).status).toBe('UNREGISTERED');
    expect(await logOf(hangs)).toContain('Starting websocket');
    expect(await logOf(hangs)).not.toContain('ONLINE');
    expect(standinRunner(hangs).status).toBe('UNREGISTERED');

    // A container with a known runner UUID but a made-up secret: Bitbucket's OAuth refuses it.
    const [known] = bb.server.runnersOf('acme');
    const name = 'world-wrong-secret';
    containers.push(name);
    const c = await docker.createContainer({
      name,
      Image: inject('standinImage'),
      Env: [
        `RUNNER_UUID=${known!.uuid}`,
        `OAUTH_CLIENT_ID=${known!.oauthClientId}`,
        'OAUTH_CLIENT_SECRET=madeUpWrongSecret_0000000000000000000000000000000000000000000000',
      ],
      HostConfig: { Binds: [`${inject('dockerSocket')}:/var/run/docker.sock`] },
    });
    await c.start();
    await expect.poll(async () => (await c.inspect()).State.ExitCode, { timeout: 15_000 }).toBe(1);
    expect(((await c.logs({ stdout: true, stderr: true })) as unknown as Buffer).toString('utf8')).toContain('OAuthException: 404');
    expect(world.events).toContainEqual(expect.objectContaining({ type: 'rejected', reason: 'OAuth credentials do not match' }));
    expect(JSON.stringify(world.events)).not.toContain('madeUpWrongSecret');
  });

  it('Bitbucket down: the app cannot read the queue (503, then dropped connections) and no step is handed out until it is back; 429 carries Retry-After', async () => {
    const world = bb.world;
    world.configure({ stepSeconds: 1 });
    const uuid = await createStarted('ci-down');
    await world.until(() => standinRunner(uuid).status === 'ONLINE', 'the runner ONLINE');
    world.bitbucketDown();
    const [step] = world.queueSteps('acme', 'web-app', 1);
    const failed = await run('steps', '--queued', '--json');
    expect(failed.code).not.toBe(0);
    world.bitbucketDown('unreachable');
    await expect(fetch(`${bb.server.baseUrl}/workspaces/acme`)).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid)).toEqual({ state: 'PENDING' });
    expect(standinRunner(uuid).step).toBeNull();

    world.bitbucketUp();
    await world.until(
      () => bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid).state === 'COMPLETED',
      'the step done once Bitbucket is back',
      30_000,
    );

    world.rateLimit(2, 1);
    const limited = await fetch(`${bb.server.baseUrl}/workspaces/acme`);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
    const after = await fetch(`${bb.server.baseUrl}/workspaces/acme`);
    expect(after.status).toBe(401);
  });

  it("a runner whose container goes away mid-step is OFFLINE and its step ends in ERROR; a repository runner takes only its repository's steps", async () => {
    bb.server.addRepository('acme', 'api');
    const world = bb.world;
    const uuid = await createStarted('repo-runner', '--repository', 'web-app');
    const inRepo = () => bb.server.runnersOf('acme', 'web-app').find((r) => r.uuid === uuid)!;
    await world.until(() => inRepo().status === 'ONLINE', 'the repository runner ONLINE');
    const [elsewhere] = world.queueSteps('acme', 'api', 1);
    const [mine] = world.queueSteps('acme', 'web-app', 1, { seconds: 'hold' });
    await world.until(() => inRepo().step?.uuid === mine!.stepUuid, "the runner busy with its repository's step");
    await docker.getContainer(`runner-${bare(uuid)}`).remove({ force: true });
    await world.until(() => inRepo().status === 'OFFLINE', 'the runner OFFLINE');
    expect(inRepo().step).toBeNull();
    expect(bb.server.stepStatus('acme', 'web-app', mine!.pipelineUuid, mine!.stepUuid)).toEqual({ state: 'COMPLETED', result: 'ERROR' });
    expect(bb.server.stepStatus('acme', 'api', elsewhere!.pipelineUuid, elsewhere!.stepUuid)).toEqual({ state: 'PENDING' });
  });

  it('hands no step to a runner disabled or cordoned through the API, and hands it one once it is enabled again', async () => {
    const world = bb.world;
    world.configure({ stepSeconds: 1 });
    const uuid = await createStarted('ci-retiring');
    await world.until(() => standinRunner(uuid).status === 'ONLINE', 'the runner ONLINE');
    const auth = { Authorization: `Basic ${Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64')}`, 'Content-Type': 'application/json' };
    const put = (state: Record<string, unknown>) =>
      fetch(`${bb.server.baseUrl}/workspaces/acme/pipelines-config/runners/${encodeURIComponent(uuid)}`, {
        method: 'PUT',
        headers: auth,
        body: JSON.stringify({ state }),
      });
    expect((await put({ status: 'DISABLED' })).status).toBe(200);
    const [step] = world.queueSteps('acme', 'web-app', 1);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid)).toEqual({ state: 'PENDING' });
    expect((await put({ status: 'ENABLED', cordoned: true })).status).toBe(200);
    await world.until(() => standinRunner(uuid).status === 'ONLINE', 'the runner ONLINE again once enabled');
    await new Promise((r) => setTimeout(r, 1_000));
    expect(bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid)).toEqual({ state: 'PENDING' });
    expect((await put({ cordoned: false })).status).toBe(200);
    await world.until(() => bb.server.stepStatus('acme', 'web-app', step!.pipelineUuid, step!.stepUuid).state === 'COMPLETED', 'the step done', 30_000);
  });

  it('a step queued before its runner exists is taken right after the ONLINE line; a restarted runner goes OFFLINE, then ONLINE again', async () => {
    const world = bb.world;
    const [step] = world.queueSteps('acme', 'web-app', 1, { seconds: 'hold' });
    const uuid = await createStarted('from-zero');
    await world.until(() => standinRunner(uuid).step?.uuid === step!.stepUuid, 'the new runner to take the waiting step');
    await expect.poll(() => logOf(uuid), { timeout: 15_000 }).toContain('Getting step');
    const log = await logOf(uuid);
    // The app folds the log in order: ONLINE after "Getting step" would read as idle.
    expect(log.indexOf('Updating runner state to "ONLINE"')).toBeLessThan(log.indexOf('Getting step'));
    await expect.poll(() => appState(uuid), { timeout: 30_000 }).toBe('BUSY');
    await world.finishStep(step!.stepUuid);
    await world.until(() => standinRunner(uuid).step === null, 'the step to end');

    const onlineBefore = world.events.filter((e) => e.type === 'online' && e.runnerUuid === uuid).length;
    await docker.getContainer(`runner-${bare(uuid)}`).restart({ t: 5 });
    await world.until(() => world.events.some((e) => e.type === 'offline' && e.runnerUuid === uuid), 'the restart seen as OFFLINE');
    await world.until(
      () => world.events.filter((e) => e.type === 'online' && e.runnerUuid === uuid).length === onlineBefore + 1 && standinRunner(uuid).status === 'ONLINE',
      'the restarted runner ONLINE again',
    );
  });
});
