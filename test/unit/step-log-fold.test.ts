import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  foldRunnerLog,
  initialRunnerLogState,
  parseLogLine,
  readLogText,
  RunnerLogReplay,
  toStepsJson,
  type RunnerInput,
  type RunnerLogState,
} from '../../src/shared/step-log/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/runner-logs/${name}`, import.meta.url), 'utf8');
const foldAll = (inputs: RunnerInput[], state = initialRunnerLogState()) => inputs.reduce(foldRunnerLog, state);
const replay = (name: string, options = {}) => {
  const r = new RunnerLogReplay(options);
  r.push(fixture(name));
  r.end();
  return r;
};

const STEP = (n: number) => `{00000000-0000-4000-8000-${String(n).padStart(12, '0')}}`;
const line = (time: string, msg: string) => parseLogLine(`[2026-03-02 ${time},000] ${msg}`)!;
const getting = (time: string, n: number) => line(time, `Getting step StepId{accountUuid={a}, repositoryUuid={r}, pipelineUuid={p${n}}, stepUuid=${STEP(n)}}.`);
const completing = (time: string, status: string) => line(time, `Completing step with result Result{status=${status}, error=None}.`);

describe('foldRunnerLog on recorded logs', () => {
  it('follows a runner through a passed, a failed and a stopped step (CRLF log)', () => {
    const r = replay('unit-lifecycle-crlf.log');
    const json = toStepsJson(r.state, r.diagnostics);
    expect(json.runnerState).toBe('ONLINE');
    expect(json.steps).toEqual([
      {
        stepUuid: '{62738495-a0b1-4c23-e4d5-061728394a5b}',
        pipelineUuid: '{40516273-8e9f-4a01-c2b3-e4f506172839}',
        repositoryUuid: '{1d2e3f40-5b6c-4d7e-9f80-b1c2d3e4f506}',
        state: 'STOPPED',
        phase: 'RUNNING',
        startedAt: '2026-03-02T08:04:00.000Z',
        finishedAt: '2026-03-02T08:04:30.000Z',
      },
      expect.objectContaining({ stepUuid: '{51627384-9fa0-4b12-d3c4-f5061728394a}', state: 'FAILED', finishedAt: '2026-03-02T08:03:05.318Z' }),
      expect.objectContaining({ stepUuid: '{3f405162-7d8e-4f90-b1a2-d3e4f5061728}', state: 'PASSED', phase: 'UPLOADING_ARTIFACTS' }),
    ]);
    expect(r.state.steps[1]?.error).toBe("Error{key='runner.step.script-failed', message='Command exited with 1, see log', arguments={}}");
    expect(r.state.lineCount).toBe(27);
    expect(r.diagnostics).toEqual([]);
  });

  it('is BUSY with the phase while a step runs, and an ONLINE heartbeat does not end it', () => {
    const events = readLogText(fixture('unit-lifecycle-crlf.log')).slice(0, 10);
    const state = events.reduce(foldRunnerLog, initialRunnerLogState());
    expect(state.runnerState).toBe('BUSY');
    expect(state.steps).toMatchObject([{ state: 'RUNNING', phase: 'RUNNING', startedAt: '2026-03-02T08:01:02.004Z' }]);
    expect(state.steps[0]?.finishedAt).toBeUndefined();
  });

  it('uses the container offset for step times and keeps a step RUNNING at the end of the log', () => {
    const r = replay('unit-docker-timestamps.log', { utcOffset: '+02:00' });
    expect(r.state.runnerState).toBe('BUSY');
    expect(r.state.steps).toEqual([
      {
        stepUuid: '{3f405162-7d8e-4f90-b1a2-d3e4f5061728}',
        pipelineUuid: '{2e3f4051-6c7d-4e8f-a091-c2d3e4f50617}',
        repositoryUuid: '{1d2e3f40-5b6c-4d7e-9f80-b1c2d3e4f506}',
        state: 'RUNNING',
        phase: 'CLONING',
        startedAt: '2026-03-02T08:11:00.500+02:00',
      },
    ]);
    // The container's clock and Docker's agree once the offset is applied.
    expect(Date.parse(r.state.steps[0]!.startedAt!)).toBe(Date.parse('2026-03-02T06:11:00.5Z'));
  });

  it('ends a step as ERROR (inferred) when the runner restarts during it', () => {
    const r = replay('unit-restart-mid-step.log');
    expect(r.state.runnerState).toBe('ONLINE');
    expect(r.state.steps).toMatchObject([{ state: 'ERROR', inferred: true, finishedAt: '2026-03-02T09:02:00.000Z' }]);
  });

  it("reads the other team's stand-in fixtures the same way", () => {
    expect(replay('step-passed.log').state.steps[0]?.state).toBe('PASSED');
    const failed = replay('step-failed.log');
    expect(failed.state.steps[0]?.state).toBe('FAILED');
    expect(failed.diagnostics.map((d) => d.code)).toEqual(['MEMORY_LIMIT']);
    expect(replay('unhealthy-cleanup.log').state.runnerState).toBe('UNHEALTHY');
    const oauth = replay('crash-oauth.log');
    expect(oauth.state).toMatchObject({ runnerState: 'UNHEALTHY', reason: 'OAUTH_REJECTED' });
    expect(oauth.diagnostics[0]).toMatchObject({ code: 'OAUTH_REJECTED', lineNumber: 4 });
  });
});

describe('foldRunnerLog with container events', () => {
  const online = line('10:00:00', 'Updating runner state to "ONLINE".');

  it('a user stop ends the runner STOPPED and its running step STOPPED', () => {
    const s = foldAll([
      { kind: 'container', action: 'start' },
      online,
      getting('10:01:00', 1),
      { kind: 'container', action: 'kill' },
      { kind: 'container', action: 'die', exitCode: 143, time: '2026-03-02T10:02:00.000Z' },
      { kind: 'container', action: 'stop' },
    ]);
    expect(s.runnerState).toBe('STOPPED');
    expect(s.steps).toMatchObject([{ state: 'STOPPED', inferred: true, finishedAt: '2026-03-02T10:02:00.000Z' }]);
    expect(s.lastExit).toMatchObject({ exitCode: 143, requested: true });
  });

  it('an unasked exit is CRASHED with the exit code, or OOM_KILLED after an oom event', () => {
    const crashed = foldAll([{ kind: 'container', action: 'start' }, online, { kind: 'container', action: 'die', exitCode: 1 }]);
    expect(crashed).toMatchObject({ runnerState: 'CRASHED', reason: 'EXIT_1' });
    const oom = foldAll([
      { kind: 'container', action: 'start' },
      getting('10:01:00', 1),
      { kind: 'container', action: 'oom' },
      { kind: 'container', action: 'die', exitCode: 137 },
    ]);
    expect(oom).toMatchObject({ runnerState: 'CRASHED', reason: 'OOM_KILLED', lastExit: { oomKilled: true, requested: false } });
    expect(oom.steps[0]).toMatchObject({ state: 'ERROR', inferred: true });
    // The restart policy brings it back: STARTING, and the old crash reason is gone.
    const back = foldRunnerLog(oom, { kind: 'container', action: 'start' });
    expect(back.runnerState).toBe('STARTING');
    expect(back.reason).toBeUndefined();
    expect(foldRunnerLog(back, online).runnerState).toBe('ONLINE');
  });

  it('a clean exit 0 is STOPPED, and a crash stays a crash when the container is removed', () => {
    expect(
      foldAll([
        { kind: 'container', action: 'start' },
        { kind: 'container', action: 'die', exitCode: 0 },
      ]).runnerState,
    ).toBe('STOPPED');
    const s = foldAll([
      { kind: 'container', action: 'start' },
      { kind: 'container', action: 'die', exitCode: 2 },
      { kind: 'container', action: 'destroy' },
    ]);
    expect(s.runnerState).toBe('CRASHED');
  });
});

describe('foldRunnerLog health rules', () => {
  const online = line('10:00:00', 'Updating runner state to "ONLINE".');

  it('UNHEALTHY_CLEANUP sticks through ONLINE lines until the runner restarts or takes a step', () => {
    let s = foldAll([online, { kind: 'diagnosis', code: 'UNHEALTHY_CLEANUP' }, online]);
    expect(s).toMatchObject({ runnerState: 'UNHEALTHY', reason: 'UNHEALTHY_CLEANUP' });
    s = foldRunnerLog(s, line('10:05:00', 'Runner starting.'));
    expect(s.runnerState).toBe('STARTING');
    expect(foldRunnerLog(s, online).runnerState).toBe('ONLINE');
    const stepped = foldAll([getting('10:06:00', 2)], foldAll([{ kind: 'diagnosis', code: 'UNHEALTHY_CLEANUP' }]));
    expect(stepped.runnerState).toBe('BUSY');
  });

  it('runner-level errors make it UNHEALTHY only after N in a row; ONLINE clears them', () => {
    const err: RunnerInput = { kind: 'diagnosis', code: 'DOCKER_UNREACHABLE' };
    const two = foldAll([online, err, err]);
    expect(two.runnerState).toBe('ONLINE');
    expect(foldRunnerLog(two, online).consecutiveErrors).toBe(0);
    const three = foldRunnerLog(two, err);
    expect(three).toMatchObject({ runnerState: 'UNHEALTHY', reason: 'DOCKER_UNREACHABLE' });
    expect(foldRunnerLog(three, online)).toMatchObject({ runnerState: 'ONLINE' });
    expect(foldRunnerLog(three, online).reason).toBeUndefined();
    const custom = foldAll([online, err], initialRunnerLogState({ unhealthyAfterErrors: 1 }));
    expect(custom.runnerState).toBe('UNHEALTHY');
  });

  it('step-level diagnoses leave the runner alone', () => {
    expect(foldAll([online, { kind: 'diagnosis', code: 'MEMORY_LIMIT' }]).runnerState).toBe('ONLINE');
  });

  it('rejects nonsense options with the option name', () => {
    expect(() => initialRunnerLogState({ maxFinishedSteps: -1 })).toThrow(/maxFinishedSteps must be a whole number of at least 0; got -1/);
    expect(() => initialRunnerLogState({ unhealthyAfterErrors: 0.5 })).toThrow(/unhealthyAfterErrors/);
  });
});

describe('foldRunnerLog steps', () => {
  it('a new step while another still runs ends the old one as UNKNOWN (its completion was missed)', () => {
    const s = foldAll([getting('10:00:00', 1), getting('10:05:00', 2)]);
    expect(s.steps.map((x) => [x.stepUuid, x.state])).toEqual([
      [STEP(2), 'RUNNING'],
      [STEP(1), 'UNKNOWN'],
    ]);
    expect(s.steps[1]?.inferred).toBe(true);
  });

  it('a repeated Getting step line for the same step does not duplicate it', () => {
    const s = foldAll([getting('10:00:00', 1), getting('10:00:05', 1)]);
    expect(s.steps).toHaveLength(1);
  });

  it('never changes the state it was given', () => {
    const before = foldAll([getting('10:00:00', 1)]);
    const snapshot = JSON.stringify(before);
    foldRunnerLog(before, completing('10:01:00', 'PASSED'));
    foldRunnerLog(before, { kind: 'container', action: 'die', exitCode: 1 });
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('keeps at most maxFinishedSteps finished steps, newest first, however long the runner lives', () => {
    let s: RunnerLogState = initialRunnerLogState({ maxFinishedSteps: 5 });
    for (let i = 1; i <= 1000; i++) {
      s = foldRunnerLog(s, getting('10:00:00', i));
      s = foldRunnerLog(s, line('10:00:01', 'Updating step progress to RUNNING.'));
      s = foldRunnerLog(s, completing('10:00:02', i % 2 ? 'PASSED' : 'FAILED'));
    }
    expect(s.steps.map((x) => x.stepUuid)).toEqual([1000, 999, 998, 997, 996].map(STEP));
    expect(s.lineCount).toBe(3000);
    expect(initialRunnerLogState().options.maxFinishedSteps).toBe(50);
  });
});
