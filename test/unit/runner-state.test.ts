/**
 * One runner-state rule: `list`/`status` (one-shot, the container plus a replay of its log tail)
 * and the dashboard (the container plus the monitor's snapshot) say the same for the same
 * container, including the cases where they used to disagree.
 */
import { describe, expect, it } from 'vitest';
import { toRunnerView } from '../../src/main/api/views.js';
import type { RunnerSnapshot } from '../../src/main/monitor/runner-monitor.js';
import type { RunnerStatus } from '../../src/main/runners/runner-service.js';
import { oneShotRunnerState, readingOfLog } from '../../src/main/runners/runner-state.js';
import { runnerState, unrequestedExit, type ContainerState, type RunnerState } from '../../src/shared/runner-state.js';

const ID = 'c0ffee0000000000000000000000000000000000000000000000000000000001';
const OTHER = 'c0ffee0000000000000000000000000000000000000000000000000000000002';
const STARTING_LOG = '[2026-03-02 08:00:00,101] Runner starting.\n[2026-03-02 08:00:00,412] Runner version: 3.12.0\n';
const ONLINE_LOG =
  STARTING_LOG +
  '[2026-03-02 08:00:01,950] Updating runner status to "ONLINE" and checking for new steps assigned to the runner after 0 seconds and then every 30 seconds.\n';

function status(containerState: ContainerState, exitCode: number | null, containerId: string | null = ID): RunnerStatus {
  return {
    runnerUuid: '{0badf00d-5eed-4c0d-9e1a-000000000101}',
    name: 'runner-0badf00d-5eed-4c0d-9e1a-000000000101',
    displayName: 'Build box',
    kind: 'repository',
    containerId,
    containerState,
    image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
    startedAt: containerState === 'running' ? '2026-03-02T08:00:00.000Z' : null,
    uptimeSeconds: containerState === 'running' ? 5 : null,
    exitCode,
    restartCount: 0,
    workingDirectory: '/tmp',
  };
}

function snapshot(containerId: string | null, runnerState: RunnerState): RunnerSnapshot {
  return {
    runnerUuid: '{0badf00d-5eed-4c0d-9e1a-000000000101}',
    containerId,
    containerName: null,
    runnerState,
    steps: [],
    diagnostics: [],
    lineCount: 0,
    lastLineTime: null,
    lastLogAt: null,
    siblings: [],
    timeZone: 'Z',
  };
}

const cli = (s: RunnerStatus, log: string) => oneShotRunnerState(s, async () => log);
const dashboard = (s: RunnerStatus, snap?: RunnerSnapshot) => toRunnerView(s, snap).runnerState;

describe('the runner-state rule (shared/runner-state)', () => {
  it.each<[string, ContainerState, number | null, RunnerState]>([
    ['never created', 'missing', null, 'STOPPED'],
    ['created, not started yet', 'created', null, 'STOPPED'],
    ['running, nothing read yet', 'running', null, 'STARTING'],
    ['restarting after a failing exit', 'restarting', 1, 'CRASHED'],
    ['restarting after a clean exit', 'restarting', 0, 'STARTING'],
    // unless-stopped restarts every other exit: an exited runner was stopped (SIGTERM → 143).
    ['exited 143 after a stop', 'exited', 143, 'STOPPED'],
    ['exited 2', 'exited', 2, 'STOPPED'],
    ['exited 0', 'exited', 0, 'STOPPED'],
    ['dead', 'dead', 137, 'STOPPED'],
  ])('%s → its state from the container alone', (_, containerState, exitCode, expected) => {
    expect(runnerState({ containerId: ID, containerState, exitCode })).toBe(expected);
  });

  it("takes the reading of the same container, and ignores another container's", () => {
    const running = { containerId: ID, containerState: 'running' as const, exitCode: null };
    expect(runnerState(running, { containerId: ID, runnerState: 'BUSY' })).toBe('BUSY');
    expect(runnerState(running, { containerId: OTHER, runnerState: 'BUSY' })).toBe('STARTING');
    // A crash the monitor saw in this container stays one after it exited.
    expect(runnerState({ containerId: ID, containerState: 'exited', exitCode: 3 }, { containerId: ID, runnerState: 'CRASHED' })).toBe('CRASHED');
    expect(runnerState({ containerId: ID, containerState: 'restarting', exitCode: 0 }, { containerId: ID, runnerState: 'CRASHED' })).toBe('CRASHED');
    expect(runnerState({ containerId: ID, containerState: 'exited', exitCode: 3 }, { containerId: OTHER, runnerState: 'CRASHED' })).toBe('STOPPED');
  });
});

describe('`list` and the dashboard agree for the same container', () => {
  it.each<[string, RunnerStatus, string, RunnerState]>([
    ['exited with a non-zero code (a JVM stopped by SIGTERM)', status('exited', 143), ONLINE_LOG, 'STOPPED'],
    ['restarting after a failing exit', status('restarting', 1), ONLINE_LOG, 'CRASHED'],
    ['running without an ONLINE line yet', status('running', null), STARTING_LOG, 'STARTING'],
    ['running and ONLINE', status('running', null), ONLINE_LOG, 'ONLINE'],
    ['no container', status('missing', null, null), '', 'STOPPED'],
  ])('%s', async (_, s, log, expected) => {
    const fromList = await cli(s, log);
    // The dashboard once the monitor has read the same log (it reads only running containers' logs).
    const reading = s.containerId !== null && s.containerState === 'running' ? readingOfLog(s.containerId, log) : undefined;
    const seen = reading ? snapshot(reading.containerId, reading.runnerState) : undefined;
    expect(fromList).toBe(expected);
    expect(dashboard(s, seen)).toBe(expected);
    // Before the monitor has seen it, only a running container's state waits for its log.
    if (s.containerState !== 'running') expect(dashboard(s)).toBe(expected);
    else expect(dashboard(s)).toBe('STARTING');
  });

  it('the dashboard keeps a crash the monitor saw in this container, and `list` says why it cannot', async () => {
    // The monitor saw the exit (no stop before it) and Docker did not restart it: CRASHED there.
    expect(dashboard(status('exited', 3), snapshot(ID, 'CRASHED'))).toBe('CRASHED');
    // A snapshot of an older container says nothing about this one.
    expect(dashboard(status('exited', 3), snapshot(OTHER, 'CRASHED'))).toBe('STOPPED');
    expect(await cli(status('exited', 3), '')).toBe('STOPPED');
  });

  it('a list that cannot read the log of a container that just went away says STOPPED', async () => {
    const gone = await oneShotRunnerState(status('running', null), async () => {
      throw new Error('no such container');
    });
    expect(gone).toBe('STOPPED');
  });
});

describe('a recorded stop tells a crash from a stop (settings `stoppedAt`)', () => {
  const STOP = '2026-03-02T09:00:00.000Z';
  const withStop = (s: RunnerStatus, stoppedAt: string | null): RunnerStatus => ({ ...s, stoppedAt });

  it.each<[string, ContainerState, number | null, string | null, RunnerState]>([
    // What Docker leaves after the engine was killed: exited, whatever the code.
    ['exited 0 without a recorded stop', 'exited', 0, null, 'CRASHED'],
    ['exited 137 without a recorded stop', 'exited', 137, null, 'CRASHED'],
    ['dead without a recorded stop', 'dead', 137, null, 'CRASHED'],
    ['exited 143 after a recorded stop', 'exited', 143, STOP, 'STOPPED'],
    ['exited 3 after a recorded stop', 'exited', 3, STOP, 'STOPPED'],
    // Neither running nor down after a run: no record changes these.
    ['never created', 'missing', null, null, 'STOPPED'],
    ['created, not started yet', 'created', null, null, 'STOPPED'],
    ['restarting after a clean exit', 'restarting', 0, null, 'STARTING'],
    ['running', 'running', null, STOP, 'STARTING'],
  ])('%s → %s', (_, containerState, exitCode, stoppedAt, expected) => {
    expect(runnerState({ containerId: ID, containerState, exitCode, stoppedAt })).toBe(expected);
  });

  it("a user's stop outweighs a crash reading of the same container; an unknown record keeps Docker's word", () => {
    const reading = { containerId: ID, runnerState: 'CRASHED' as const };
    expect(runnerState({ containerId: ID, containerState: 'exited', exitCode: 3, stoppedAt: STOP }, reading)).toBe('STOPPED');
    expect(runnerState({ containerId: ID, containerState: 'exited', exitCode: 3 })).toBe('STOPPED');
  });

  it('`list` and the dashboard say CRASHED alike, and why', async () => {
    const down = withStop(status('exited', 137), null);
    expect(await cli(down, '')).toBe('CRASHED');
    expect(dashboard(down)).toBe('CRASHED');
    expect(dashboard(down, snapshot(ID, 'STOPPED'))).toBe('CRASHED');
    expect(unrequestedExit(down)).toMatchObject({ reason: 'EXIT_137', exitCode: 137, message: expect.stringContaining('exited (code 137) without a stop') });
    const stopped = withStop(status('exited', 143), STOP);
    expect(await cli(stopped, '')).toBe('STOPPED');
    expect(dashboard(stopped, snapshot(ID, 'CRASHED'))).toBe('STOPPED');
    expect(unrequestedExit(stopped)).toBeNull();
    expect(unrequestedExit(withStop(status('running', null), null))).toBeNull();
  });
});
