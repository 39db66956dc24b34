/**
 * Crash vs stop on a dockerd of this file's own (never the shared one: it is killed here). A
 * runner whose engine is killed with SIGKILL comes back `exited`, as a user's stop would leave
 * it: `list`/`status` say CRASHED with its exit code, a long-running host starts it again (and
 * removes that runner's step containers left from before, not anyone else's) and notifies it,
 * while a runner the user stopped stays STOPPED across the same engine restarts.
 */
import { randomUUID } from 'node:crypto';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppContext } from '../../src/main/app-context.js';
import { connectEngine } from '../../src/main/docker/engine.js';
import { startHost } from '../../src/main/host.js';
import type { ContractEvent } from '../../src/shared/contract/events.js';
import { cliEnv, runCli, type CliRun } from '../support/cli.js';
import { startDockerd, type PrivateDockerd } from '../support/dockerd.js';
import { buildStandinImage, STANDIN_IMAGE } from '../support/standin-image.js';
import { runnerHome, runnerUuid, SECRET, type RunnerHome } from '../support/steps-runners.js';

let daemon: PrivateDockerd;
let docker: Docker;
let home: RunnerHome;
const runs: CliRun[] = [];
const CRASHED = runnerUuid(1201);
const STOPPED = runnerUuid(1202);
// Not a runner of ours: its step container must survive every cleanup.
const STRANGER = runnerUuid(1203);

async function cli(args: string[]): Promise<CliRun> {
  const run = await runCli(args, { env: cliEnv(home.dataDir, daemon.socketPath) });
  runs.push(run);
  return run;
}

/** A running container named as `runner`'s step container. */
async function stepContainer(runner: string): Promise<string> {
  const c = await docker.createContainer({
    Image: STANDIN_IMAGE,
    name: `${runner.replace(/[{}]/g, '')}_${randomUUID()}_build`,
    Entrypoint: ['/bin/sleep', '3600'],
    HostConfig: { NetworkMode: 'none' },
  });
  await c.start();
  return c.id;
}

const exists = (id: string) =>
  docker
    .getContainer(id)
    .inspect()
    .then(
      () => true,
      () => false,
    );

type ListEntry = { runnerUuid: string; runnerState: string; containerState: string; crash?: { exitCode: number | null; reason: string; message: string } };

async function listed(): Promise<Map<string, ListEntry>> {
  const run = await cli(['list', '--json']);
  expect(run.code, run.stderr).toBe(0);
  return new Map((JSON.parse(run.stdout) as ListEntry[]).map((e) => [e.runnerUuid, e]));
}

/** The engine dies as in a crash (SIGKILL, no shutdown of its containers) and comes back on the same data root. */
async function crashEngine(): Promise<void> {
  await daemon.kill();
  await daemon.restart();
}

beforeAll(async () => {
  daemon = await startDockerd();
  buildStandinImage(daemon.dockerHost);
  docker = new Docker({ socketPath: daemon.socketPath });
  home = await runnerHome(await connectEngine({ discovery: { env: { DOCKER_HOST: daemon.dockerHost } } }));
});

afterAll(async () => {
  await home?.cleanup(docker).catch(() => undefined);
  await daemon?.stop();
  for (const run of runs) expect(run.stdout + run.stderr).not.toContain(SECRET);
});

describe('a runner killed with its engine', () => {
  it('is CRASHED with its exit code in list and status, is started again by the host, and a stopped one stays STOPPED', async () => {
    await home.startRunner(CRASHED, 'idle');
    await home.startRunner(STOPPED, 'idle');
    const stop = await cli(['stop', STOPPED]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(home.settings.runners().get(STOPPED)?.stoppedAt).toEqual(expect.any(String));
    expect(home.settings.runners().get(CRASHED)?.stoppedAt).toBeUndefined();
    const leftover = await stepContainer(CRASHED);
    const strangers = await stepContainer(STRANGER);

    await crashEngine();

    // Docker leaves it exited, as after a stop; only our record of the stop tells them apart.
    expect((await docker.getContainer(`runner-${CRASHED.slice(1, -1)}`).inspect()).State.Status).toBe('exited');
    const before = await listed();
    expect(before.get(STOPPED)).toMatchObject({ containerState: 'exited', runnerState: 'STOPPED' });
    expect(before.get(STOPPED)?.crash).toBeUndefined();
    const crashed = before.get(CRASHED)!;
    expect(crashed).toMatchObject({ containerState: 'exited', runnerState: 'CRASHED' });
    const status = await cli(['status', CRASHED, '--json']);
    const shown = JSON.parse(status.stdout) as { runnerState: string; exitCode: number; crash: { exitCode: number; reason: string } };
    expect(shown.runnerState).toBe('CRASHED');
    expect(typeof shown.exitCode).toBe('number');
    expect(shown.crash).toMatchObject({ exitCode: shown.exitCode, reason: `EXIT_${shown.exitCode}` });
    expect(crashed.crash?.exitCode).toBe(shown.exitCode);
    const text = await cli(['status']);
    expect(text.stdout).toContain(`${CRASHED} (`);
    expect(text.stdout).toMatch(new RegExp(`CRASHED: its container exited \\(code ${shown.exitCode}\\) without a stop from Runner Tray`));

    const lines: string[] = [];
    const env = cliEnv(home.dataDir, daemon.socketPath);
    const ctx = new AppContext({ env, checkForImageUpdates: false, waitForEngine: true, log: (l) => lines.push(l) });
    // As the desktop app listens: from before the host's first look, so a crash from before it started is notified too.
    const heard: ContractEvent[] = [];
    const host = await startHost({ ctx, onBackgroundEvent: (e) => heard.push(e) });
    const crashNotices = (uuid: string) => heard.filter((e) => e.type === 'notification' && e.kind === 'runnerCrashed' && e.runnerUuid === uuid).length;
    try {
      await expect.poll(async () => (await host.runners.status(CRASHED)).containerState, { timeout: 60_000 }).toBe('running');
      await expect.poll(() => lines.join('\n'), { timeout: 10_000 }).toContain(`Runner ${CRASHED} was down without a stop (exit code ${shown.exitCode}`);
      expect(lines.join('\n')).toContain('removed 1 step container left from before');
      expect(await exists(leftover)).toBe(false);
      expect(await exists(strangers)).toBe(true);
      // The user's stop is never undone.
      expect((await host.runners.status(STOPPED)).containerState).toBe('exited');
      const after = await listed();
      expect(after.get(STOPPED)?.runnerState).toBe('STOPPED');
      expect(after.get(CRASHED)?.runnerState).not.toBe('CRASHED');
      expect(crashNotices(CRASHED)).toBe(1);

      // Killed again while the host runs: it sees the crash when Docker comes back, says so, and starts it again.
      const restartsBefore = lines.filter((l) => l.includes(`Runner ${CRASHED} was down without a stop`)).length;
      await crashEngine();
      await expect.poll(() => crashNotices(CRASHED), { timeout: 60_000 }).toBe(2);
      await expect
        .poll(() => lines.filter((l) => l.includes(`Runner ${CRASHED} was down without a stop`)).length, { timeout: 60_000 })
        .toBe(restartsBefore + 1);
      await expect.poll(async () => (await host.runners.status(CRASHED)).containerState, { timeout: 60_000 }).toBe('running');
      expect((await host.runners.status(STOPPED)).containerState).toBe('exited');
      expect(crashNotices(STOPPED)).toBe(0);
      expect((await listed()).get(STOPPED)?.runnerState).toBe('STOPPED');
      expect(lines.join('\n')).not.toContain(SECRET);
    } finally {
      await host.close();
      await ctx.close();
    }

    // A start ends the recorded stop.
    expect((await cli(['start', STOPPED])).code).toBe(0);
    expect(home.settings.runners().get(STOPPED)?.stoppedAt).toBeUndefined();
  });
  it("a host starting up removes a running runner's step containers from before its current run, and keeps the newer ones", async () => {
    const runner = runnerUuid(1204);
    await home.startRunner(runner, 'idle');
    const old = await stepContainer(runner);
    // Docker restarts the runner (as after a crash): the old step is a leftover of the run before.
    await new Promise((r) => setTimeout(r, 1100));
    await docker.getContainer(`runner-${runner.slice(1, -1)}`).restart({ t: 0 });
    await new Promise((r) => setTimeout(r, 1100));
    const current = await stepContainer(runner);
    const strangers = await stepContainer(STRANGER);

    const lines: string[] = [];
    const ctx = new AppContext({ env: cliEnv(home.dataDir, daemon.socketPath), checkForImageUpdates: false, waitForEngine: true, log: (l) => lines.push(l) });
    const host = await startHost({ ctx });
    try {
      await expect.poll(() => lines.join('\n'), { timeout: 30_000 }).toContain(`Runner ${runner}: removed 1 step container left from before its last start`);
      expect(await exists(old)).toBe(false);
      expect(await exists(current)).toBe(true);
      expect(await exists(strangers)).toBe(true);
      expect((await host.runners.status(runner)).containerState).toBe('running');
    } finally {
      await host.close();
      await ctx.close();
    }
  });
});
