/**
 * Stopping or removing a runner mid-step, on the private dockerd: its step containers
 * (`<runner>_<step>_<role>`, started by the runner and unlabelled) are removed with it, and only
 * its own; a running step makes the CLI ask for --force and the API answer STEP_RUNNING.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { RunnerLifecycle } from '../../src/main/runners/lifecycle.js';
import { cliEnv, runCli } from '../support/cli.js';
import { useStepsFixture } from '../support/steps-fixture.js';
import { runnerUuid, SECRET } from '../support/steps-runners.js';

const fx = useStepsFixture();
const made: string[] = [];
// Distinct from the other steps test files' runner numbers.
let n = 950;

fx.afterEachTest(async (docker) => {
  for (const id of made.splice(0))
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
});

/** A running container named as `runner`'s step container for a new step. */
async function stepContainer(runner: string, role: string): Promise<string> {
  const c = await fx.docker.createContainer({
    Image: inject('standinImage'),
    name: `${runner.replace(/[{}]/g, '')}_${randomUUID()}_${role}`,
    Entrypoint: ['/bin/sleep', '3600'],
    HostConfig: { NetworkMode: 'none' },
  });
  made.push(c.id);
  await c.start();
  return c.id;
}

async function exists(id: string): Promise<boolean> {
  return fx.docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );
}

async function containerState(runner: string): Promise<string> {
  return (await fx.home.service.status(runner)).containerState;
}

describe('stopping a runner mid-step', () => {
  it("needs --force on the CLI, then stops it and removes its step containers, not another runner's", async () => {
    const runner = runnerUuid(++n);
    const other = runnerUuid(++n);
    await fx.home.startRunner(runner, 'idle');
    const build = await stepContainer(runner, 'build');
    const service = await stepContainer(runner, 'docker');
    const othersStep = await stepContainer(other, 'build');
    const env = cliEnv(fx.home.dataDir, inject('dockerSocket'));

    const refused = await runCli(['stop', runner], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('a step is running: stopping fails it; use --force');
    expect(await containerState(runner)).toBe('running');
    expect(await exists(build)).toBe(true);

    const forced = await runCli(['stop', runner, '--force'], { env });
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('exited');
    expect(forced.stdout).toContain('removed 2 step containers');
    expect(await containerState(runner)).toBe('exited');
    expect(await exists(build)).toBe(false);
    expect(await exists(service)).toBe(false);
    // Another runner's step is none of this runner's business.
    expect(await exists(othersStep)).toBe(true);
    expect(forced.stdout + forced.stderr + refused.stderr).not.toContain(SECRET);
  });

  it('stops an idle runner without asking, and removes leftovers of an earlier step', async () => {
    const runner = runnerUuid(++n);
    await fx.home.startRunner(runner, 'idle');
    const lifecycle = new RunnerLifecycle({ runners: fx.home.service, resetSupervision: () => undefined });
    expect((await lifecycle.stop(runner)).removedStepContainers).toBe(0);
    // Left behind by a step that was killed with the runner: exited, not running.
    const leftover = await stepContainer(runner, 'build');
    await fx.docker.getContainer(leftover).stop({ t: 0 });
    const stopped = await lifecycle.stop(runner);
    expect(stopped.removedStepContainers).toBe(1);
    expect(await exists(leftover)).toBe(false);
  });

  it('removing mid-step is refused with STEP_RUNNING unless forced, then removes its step containers', async () => {
    const runner = runnerUuid(++n);
    const other = runnerUuid(++n);
    await fx.home.startRunner(runner, 'idle');
    const build = await stepContainer(runner, 'build');
    const othersStep = await stepContainer(other, 'build');
    const lifecycle = new RunnerLifecycle({ runners: fx.home.service, resetSupervision: () => undefined });

    await expect(lifecycle.remove(runner)).rejects.toMatchObject({
      code: 'STEP_RUNNING',
      message: expect.stringContaining('a step is running: stopping fails it'),
    });
    expect(await containerState(runner)).toBe('running');

    const removed = await lifecycle.remove(runner, { force: true });
    expect(removed.removedStepContainers).toBe(1);
    expect(await exists(build)).toBe(false);
    expect(await exists(othersStep)).toBe(true);
    expect(fx.home.settings.runners().list()).toEqual([]);
  });
});
