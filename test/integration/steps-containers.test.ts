/**
 * What the runner monitor reads from containers beyond the runner's log lines, on the real private
 * dockerd: the runner container's TZ (log times), its secret (kept out of diagnosis lines), and
 * the logs of sibling step containers (diagnoses), whose step UUID is shown only once confirmed.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { LABEL_MANAGED, LABEL_RUNNER } from '../../src/shared/runner-spec.js';
import { useStepsFixture } from '../support/steps-fixture.js';
import { CLIENT_ID, runnerUuid, SECRET } from '../support/steps-runners.js';

const fx = useStepsFixture();
const made: string[] = [];
// Distinct from the other steps test files' runner numbers.
let n = 700;

fx.afterEachTest(async (docker) => {
  for (const id of made.splice(0))
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
});

/** A container shaped like a runner's step container: `<runner>_<uuid>_<role>`, not ours to touch. */
async function sibling(runner: string, role: string, script: string, stepUuid = randomUUID()): Promise<{ id: string; stepUuid: string }> {
  const c = await fx.docker.createContainer({
    Image: inject('standinImage'),
    name: `${runner.replace(/[{}]/g, '')}_${stepUuid}_${role}`,
    Entrypoint: ['/bin/sh', '-c', script],
    Labels: { 'runner-tray.standin-sibling': runner },
    HostConfig: { NetworkMode: 'none' },
  });
  made.push(c.id);
  await c.start();
  return { id: c.id, stepUuid: `{${stepUuid}}` };
}

describe("the runner container's time zone", () => {
  it('reads log times in the TZ the runner container sets (Asia/Kolkata, +05:30), giving the true instant', async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'one-step', { STANDIN_STEP_SECONDS: '1', TZ: 'Asia/Kolkata' });
    const started = await log.until((e) => e.type === 'step' && e.change === 'started' && e.step, 'step started');
    expect(started.startedAt).toMatch(/\+05:30$/);
    // The runner printed its local wall clock; read with the right offset it is "now".
    expect(Math.abs(Date.parse(started.startedAt!) - Date.now())).toBeLessThan(60_000);
    expect(service.snapshot(runner)?.timeZone).toBe('Asia/Kolkata');
  });

  it('reads them as UTC when the container sets no TZ', async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'one-step', { STANDIN_STEP_SECONDS: '0' });
    const started = await log.until((e) => e.type === 'step' && e.change === 'started' && e.step, 'step started');
    expect(started.startedAt).toMatch(/Z$/);
    expect(Math.abs(Date.parse(started.startedAt!) - Date.now())).toBeLessThan(60_000);
    expect(service.snapshot(runner)?.timeZone).toBe('Z');
  });
});

describe('sibling step containers', () => {
  it("diagnoses a step container's log line, as that runner's and that role's, without touching the runner's state", async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'idle');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e, 'runner ONLINE');

    // The secret in the line: a diagnosis line must never carry it.
    const line = `time="2026-01-01T00:00:00Z" level=error msg="failed to adjust OOM score for shim: token ${SECRET}"`;
    const s = await sibling(runner, 'docker', `sleep 1; echo '${line}'; sleep 3600`);
    const d = await log.until((e) => e.type === 'diagnosis' && e.runnerUuid === runner && e.diagnosis, 'a diagnosis from the sibling');
    expect(d.code).toBe('DIND_VERSION_MISMATCH');
    expect(d.container).toBe('docker');
    expect(d.line).toContain('failed to adjust OOM score for shim');
    expect(d.line).not.toContain(SECRET);
    // The host engine's version in the fix, as the table asks.
    expect(d.fix).toContain(`docker:${fx.engine.facts.serverVersion.match(/^\d+\.\d+\.\d+/)![0]}-dind`);

    expect(service.snapshot(runner)?.runnerState).toBe('ONLINE');
    expect(service.stepsJson(runner)?.diagnostics).toEqual([expect.objectContaining({ code: 'DIND_VERSION_MISMATCH', container: 'docker' })]);

    // Its UUID matches no running step in the log: still a sign of life, tied to no step.
    const view = service.snapshot(runner)!.siblings.find((x) => x.containerId === s.id)!;
    expect(view).toMatchObject({ role: 'docker', running: true });
    expect(view.stepUuid).toBeUndefined();

    // Stops following when it dies; a second copy of the line would be a second diagnosis.
    await fx.docker.getContainer(s.id).kill();
    await log.until((e) => e.type === 'sibling' && e.action === 'die' && e.sibling.containerId === s.id && e, 'sibling died');
    await new Promise((r) => setTimeout(r, 500));
    expect(log.all.filter((e) => e.type === 'diagnosis')).toHaveLength(1);
    expect(JSON.stringify(log.all)).not.toContain(SECRET);
  });

  it('follows at most maxSiblingLogs step containers per runner', async () => {
    const runner = runnerUuid(++n);
    const { log } = await fx.startSteps({ maxSiblingLogs: 1 });
    await fx.home.startRunner(runner, 'idle');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e, 'runner ONLINE');
    await sibling(runner, 'build', 'sleep 3600');
    await log.until((e) => e.type === 'sibling' && e.action === 'start' && e, 'first sibling');
    await new Promise((r) => setTimeout(r, 500));
    await sibling(runner, 'memory-hog', 'sleep 1; echo "Container \'Build\' exceeded memory limit."; sleep 3600');
    await new Promise((r) => setTimeout(r, 3000));
    expect(log.all.filter((e) => e.type === 'diagnosis')).toHaveLength(0);
  });

  it("ties the stand-in's build container to its step once the log shows that step running", async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'one-step', { STANDIN_STEP_SECONDS: '3' });
    const started = await log.until((e) => e.type === 'step' && e.change === 'started' && e.step, 'step started');
    const confirmed = await log.until(
      (e) => e.type === 'sibling' && e.action === 'start' && e.sibling.stepUuid !== undefined && e.sibling,
      'build sibling with its step',
    );
    expect(confirmed.stepUuid).toBe(started.stepUuid);
    expect(confirmed.role).toBe('build');
    expect(service.snapshot(runner)!.siblings.find((x) => x.role === 'build')?.stepUuid).toBe(started.stepUuid);
  });
});

describe('diagnosis lines of the runner itself', () => {
  it("never carry the runner's secret, read from its container (so only the secret is cut, not the client id)", async () => {
    const runner = runnerUuid(++n);
    const { log } = await fx.startSteps();
    const c = await fx.docker.createContainer({
      Image: inject('standinImage'),
      name: `rt-secret-${n}`,
      Entrypoint: [
        '/bin/sh',
        '-c',
        `echo "[2026-01-01 00:00:00,000] 404 from POST https://auth.atlassian.com/oauth/token (client_id=${CLIENT_ID}, client_secret=$OAUTH_CLIENT_SECRET)"; sleep 3600`,
      ],
      Env: [`OAUTH_CLIENT_SECRET=${SECRET}`],
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_RUNNER]: runner },
      HostConfig: { NetworkMode: 'none' },
    });
    made.push(c.id);
    await c.start();
    const d = await log.until((e) => e.type === 'diagnosis' && e.diagnosis, 'OAuth diagnosis');
    expect(d.code).toBe('OAUTH_REJECTED');
    expect(d.line).toContain('client_secret=<redacted>');
    // Without the secret, credential-like runs are masked blindly, the client id with them.
    expect(d.line).toContain(`client_id=${CLIENT_ID}`);
    expect(JSON.stringify(log.all)).not.toContain(SECRET);
  });
});
