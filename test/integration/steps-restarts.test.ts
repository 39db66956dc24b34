/**
 * `runner-tray steps` across a crash restart of the same container, on the shared private
 * dockerd: the steps from before Docker restarted it are still listed (the one lost in the crash
 * as ERROR), while the runner's state comes from the current run alone. The monitor behind the
 * dashboard, rebuilt from the same container, agrees.
 */
import { describe, expect, inject, it } from 'vitest';
import { cliEnv, runCli } from '../support/cli.js';
import { useStepsFixture } from '../support/steps-fixture.js';
import { runnerUuid, SECRET } from '../support/steps-runners.js';

const fx = useStepsFixture();
// Distinct from the other steps test files' runner numbers.
let n = 1300;

const PASSED_STEP = '{9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a10}';
const LOST_STEP = '{9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a01}';

type StepsJson = { runnerState: string; steps: Array<{ stepUuid: string; state: string; inferred?: boolean }> };

describe('steps across restarts of the same container', () => {
  it('lists the steps of the run before a crash restart, with the state of the current run', async () => {
    const runner = runnerUuid(++n);
    await fx.home.startRunner(runner, 'step-crash-once', { STANDIN_SIBLINGS: '0', STANDIN_EXIT_CODE: '3' });
    const name = `runner-${runner.slice(1, -1)}`;
    // Docker's restart policy brings the same container back after the crash.
    await expect
      .poll(
        async () => {
          const info = await fx.docker.getContainer(name).inspect();
          return info.RestartCount > 0 && info.State.Running;
        },
        { timeout: 60_000 },
      )
      .toBe(true);

    const env = cliEnv(fx.home.dataDir, inject('dockerSocket'));
    let json: StepsJson | undefined;
    await expect
      .poll(
        async () => {
          const run = await runCli(['steps', runner, '--json'], { env });
          expect(run.code, run.stderr).toBe(0);
          expect(run.stdout + run.stderr).not.toContain(SECRET);
          json = JSON.parse(run.stdout) as StepsJson;
          return json.runnerState;
        },
        { timeout: 60_000 },
      )
      .toBe('ONLINE');
    const byUuid = new Map(json!.steps.map((s) => [s.stepUuid, s]));
    expect(byUuid.get(PASSED_STEP)).toMatchObject({ state: 'PASSED' });
    // Lost with the crash: the runner never said how it ended.
    expect(byUuid.get(LOST_STEP)).toMatchObject({ state: 'ERROR' });

    const text = await runCli(['steps', runner], { env });
    expect(text.stdout).toContain(`${runner}: ONLINE`);
    expect(text.stdout).toContain(`PASSED   step ${PASSED_STEP}`);

    // The dashboard's monitor, rebuilt from the same container, lists the same.
    const { service } = await fx.startSteps();
    const live = service.stepsJson(runner)!;
    expect(live.runnerState).toBe('ONLINE');
    expect(live.steps.map((s) => [s.stepUuid, s.state])).toEqual(json!.steps.map((s) => [s.stepUuid, s.state]));
  });
});
