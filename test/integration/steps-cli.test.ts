/**
 * The built CLI (`node dist/cli/bin.js`) against the private dockerd: `steps --json`, `watch`
 * (NDJSON, CRASHED, clean exit on SIGTERM) and `doctor --json`. Runners are added in-process
 * through the real RunnerService into the same data dir the CLI reads (RUNNER_TRAY_HOME, file vault).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { connectEngine, type Engine } from '../../src/main/docker/engine.js';
import { EventLog, runnerHome, runnerUuid, SECRET, type RunnerHome } from '../support/steps-runners.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(root, 'dist', 'cli', 'bin.js');

let engine: Engine;
let docker: Docker;
let home: RunnerHome;
let children: ChildProcess[] = [];
let n = 100;

function env(): NodeJS.ProcessEnv {
  return { ...process.env, RUNNER_TRAY_HOME: home.dataDir, RUNNER_TRAY_VAULT: 'file', DOCKER_HOST: `unix://${inject('dockerSocket')}` };
}

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [BIN, ...args], {
      env: { ...env(), ...extraEnv },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status: number; stdout: string; stderr: string };
    return { code: err.status, stdout: err.stdout, stderr: err.stderr };
  }
}

/** Spawn a long-running command; its stdout lines parsed as JSON into a log. */
function spawnCli(args: string[]) {
  const child = spawn(process.execPath, [BIN, ...args], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines = new EventLog<Record<string, unknown>>();
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  createInterface({ input: child.stdout! }).on('line', (l) => lines.push(JSON.parse(l) as Record<string, unknown>));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, lines, exited, stderr: () => stderr };
}

beforeAll(async () => {
  process.env.DOCKER_HOST = `unix://${inject('dockerSocket')}`;
  engine = await connectEngine();
  docker = engine.docker;
});

beforeEach(async () => {
  home = await runnerHome(engine);
});

afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children = [];
  await home.cleanup(docker);
});

describe('runner-tray steps', () => {
  it('shows the running step, then its result, in the JSON shape of the issue', async () => {
    const runner = runnerUuid(++n);
    await home.startRunner(runner, 'one-step', { STANDIN_STEP_SECONDS: '6' });
    const deadline = Date.now() + 60_000;
    let running: { runnerState: string; steps: Array<Record<string, unknown>> } | undefined;
    while (Date.now() < deadline) {
      const r = cli(['steps', runner, '--json']);
      expect(r.code).toBe(0);
      const j = JSON.parse(r.stdout);
      if (j.steps.length > 0) {
        running = j;
        break;
      }
      await new Promise((res) => setTimeout(res, 300));
    }
    expect(running?.runnerState).toBe('BUSY');
    expect(running?.steps[0]).toMatchObject({
      state: 'RUNNING',
      stepUuid: expect.stringMatching(/^\{.+\}$/),
      pipelineUuid: expect.stringMatching(/^\{.+\}$/),
      repositoryUuid: expect.stringMatching(/^\{.+\}$/),
    });
    expect(Object.keys(running!)).toEqual(['runnerState', 'steps', 'diagnostics']);

    let finished: { runnerState: string; steps: Array<Record<string, unknown>> } | undefined;
    while (Date.now() < deadline + 30_000) {
      const j = JSON.parse(cli(['steps', runner, '--json']).stdout);
      if (j.steps[0]?.state !== 'RUNNING') {
        finished = j;
        break;
      }
      await new Promise((res) => setTimeout(res, 500));
    }
    expect(finished?.steps[0]).toMatchObject({ state: 'PASSED', stepUuid: running!.steps[0]!.stepUuid, finishedAt: expect.stringMatching(/Z$/) });

    const all = cli(['steps', '--json']);
    const j = JSON.parse(all.stdout);
    expect(j.runners).toEqual([expect.objectContaining({ runnerUuid: runner, runnerState: 'ONLINE' })]);
    expect(all.stdout + all.stderr).not.toContain(SECRET);
  });

  it('names the runner it cannot find', () => {
    const r = cli(['steps', '{deadbeef-0000-4000-8000-000000000000}', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).error.message).toMatch(/No runner matches/);
  });
});

describe('runner-tray watch', () => {
  it('prints NDJSON until a runner that keeps failing is CRASHED, and exits 0 on SIGTERM', async () => {
    const runner = runnerUuid(++n);
    const w = spawnCli(['watch']);
    await new Promise((r) => setTimeout(r, 1500));
    await home.startRunner(runner, 'crash', { STANDIN_EXIT_CODE: '2' });
    const crashed = await w.lines.until((e) => e.type === 'runner-state' && e.runnerUuid === runner && e.crash !== undefined && e, 'CRASHED on watch');
    expect(crashed).toMatchObject({ runnerState: 'CRASHED', reason: 'EXIT_2', crash: { exitCode: 2, lastDiagnosis: 'OAUTH_REJECTED' } });
    await w.lines.until((e) => e.type === 'diagnosis' && e, 'the diagnosis that explains it');

    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(0);
    expect(w.stderr()).not.toContain(SECRET);
    expect(JSON.stringify(w.lines.all)).not.toContain(SECRET);
  });

  it('streams step events with `steps --watch` and exits 0 on SIGINT', async () => {
    const runner = runnerUuid(++n);
    await home.startRunner(runner, 'idle');
    const w = spawnCli(['steps', runner, '--watch']);
    const first = await w.lines.until((e) => e.runnerState !== undefined && e, 'the snapshot line');
    expect(first).toHaveProperty('steps');
    await home.service.stop(runner);
    await w.lines.until((e) => e.type === 'runner-state' && e.runnerState === 'STOPPED' && e, 'STOPPED pushed');
    w.child.kill('SIGINT');
    expect(await w.exited).toBe(0);
  });
});

describe('runner-tray doctor', () => {
  it('reports findings about the private engine as JSON', async () => {
    const runner = runnerUuid(++n);
    await home.startRunner(runner, 'idle');
    const r = cli(['doctor', '--json']);
    const report = JSON.parse(r.stdout) as { findings: Array<{ id: string; status: string; message: string }> };
    expect([0, 1]).toContain(r.code);
    expect(r.code).toBe(report.findings.some((f) => f.status === 'fail') ? 1 : 0);
    const engineFinding = report.findings.find((f) => f.id === 'engine');
    expect(engineFinding).toMatchObject({ status: 'ok' });
    expect(engineFinding!.message).toContain((await docker.version()).Version);
    expect(report.findings.some((f) => f.message.includes(inject('dockerDir')))).toBe(true);
    expect(r.stdout).not.toContain(SECRET);
  });

  it('fails with exit 1 and says how to fix an unreachable engine', () => {
    const r = cli(['doctor', '--json'], { DOCKER_HOST: 'unix:///tmp/rt-no-such-engine.sock' });
    expect(r.code).toBe(1);
    const engineFinding = (JSON.parse(r.stdout) as { findings: Array<{ id: string; status: string; fix?: string }> }).findings.find((f) => f.id === 'engine');
    expect(engineFinding).toMatchObject({ status: 'fail', fix: expect.stringContaining('DOCKER_HOST') });
  });
});
