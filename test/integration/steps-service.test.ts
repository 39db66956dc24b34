/**
 * The runner monitor on the real private dockerd with the stand-in runner image: steps from the
 * followed log, siblings from the event stream, crash supervision, a dockerd restart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { MonitorEvent } from '../../src/main/monitor/events.js';
import { RunnerMonitor } from '../../src/main/monitor/runner-monitor.js';
import { LABEL_MANAGED, LABEL_RUNNER } from '../../src/shared/runner-spec.js';
import { attachDockerd } from '../support/dockerd.js';
import { useStepsFixture } from '../support/steps-fixture.js';
import { EventLog, runnerUuid, SECRET } from '../support/steps-runners.js';

const fx = useStepsFixture();
let n = 0;

describe('steps from the live log', () => {
  it('shows a step RUNNING after its "Getting step" line, with its build sibling, then PASSED', async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'one-step', { STANDIN_STEP_SECONDS: '3' });

    const started = await log.until((e) => e.type === 'step' && e.change === 'started' && e.step, 'step started');
    expect(started.state).toBe('RUNNING');
    expect(started.stepUuid).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(started.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(service.snapshot(runner)?.runnerState).toBe('BUSY');

    // Tied to the step once the log confirms its UUID (the event and log streams race).
    const sibling = await log.until(
      (e) => e.type === 'sibling' && e.action === 'start' && e.sibling.stepUuid !== undefined && e.sibling,
      'build sibling started',
    );
    expect(sibling.role).toBe('build');
    expect(sibling.stepUuid).toBe(started.stepUuid);

    const finished = await log.until((e) => e.type === 'step' && e.change === 'finished' && e.step, 'step finished');
    expect(finished.stepUuid).toBe(started.stepUuid);
    expect(finished.state).toBe('PASSED');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e.previous === 'BUSY', 'runner ONLINE after the step');

    const json = service.stepsJson(runner)!;
    expect(json.runnerState).toBe('ONLINE');
    expect(json.steps).toEqual([expect.objectContaining({ stepUuid: started.stepUuid, state: 'PASSED', finishedAt: expect.any(String) })]);
    // Each step announced once: no duplicated events.
    expect(log.all.filter((e) => e.type === 'step' && e.change === 'started')).toHaveLength(1);
    expect(JSON.stringify(log.all)).not.toContain(SECRET);
  });

  it('rebuilds a runner that was already running from its existing log on start-up', async () => {
    const runner = runnerUuid(++n);
    await fx.home.startRunner(runner, 'steps', { STANDIN_STEPS: '2', STANDIN_STEP_SECONDS: '0' });
    const probe = new RunnerMonitor({ engine: fx.engine });
    const plog = new EventLog<MonitorEvent>();
    probe.events.on('*', plog.push);
    await probe.start();
    await plog
      .until(() => (probe.snapshot(runner)?.steps.filter((s) => s.state === 'PASSED').length ?? 0) >= 2 || undefined, 'two passed steps', 60_000)
      .catch(() => undefined);
    await probe.close();

    const { service } = await fx.startSteps();
    const snap = service.snapshot(runner)!;
    expect(snap.runnerState).toBe('ONLINE');
    expect(snap.steps.map((s) => s.state)).toEqual(['PASSED', 'PASSED']);
    expect(new Set(snap.steps.map((s) => s.stepUuid)).size).toBe(2);
  });

  it('diagnoses a known failure once, with the line it came from', async () => {
    const runner = runnerUuid(++n);
    const { log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'replay', { STANDIN_LOG: 'unhealthy-cleanup.log' });
    const d = await log.until((e) => e.type === 'diagnosis' && e.diagnosis, 'a diagnosis');
    expect(d.code).toBe('UNHEALTHY_CLEANUP');
    expect(d.line).toContain('tearing down directories');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'UNHEALTHY' && e, 'UNHEALTHY');
    await new Promise((r) => setTimeout(r, 500));
    expect(log.all.filter((e) => e.type === 'diagnosis' && e.diagnosis.code === 'UNHEALTHY_CLEANUP')).toHaveLength(1);
  });
});

describe('supervision', () => {
  it('a runner whose process exits with an error is running again', async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'crash-once');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'CRASHED' && e, 'the first crash');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e, 'ONLINE after Docker restarted it');
    const status = await fx.home.service.status(runner);
    expect(status.containerState).toBe('running');
    expect(status.restartCount).toBeGreaterThanOrEqual(1);
    expect(service.snapshot(runner)?.crash).toBeUndefined();
  });

  it('a runner that keeps failing ends CRASHED with exit code and last diagnosis', async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'crash', { STANDIN_EXIT_CODE: '3' });
    const ev = await log.until((e) => e.type === 'runner-state' && e.crash && e, 'a crash-loop verdict');
    expect(ev.runnerState).toBe('CRASHED');
    expect(ev.reason).toBe('EXIT_3');
    expect(ev.crash).toMatchObject({ exits: 3, exitCode: 3, oomKilled: false, lastDiagnosis: 'OAUTH_REJECTED' });
    expect(ev.crash!.message).toMatch(/exited 3 times/);
    // Docker's backoff keeps restarting it; the verdict stays.
    await new Promise((r) => setTimeout(r, 1500));
    expect(service.snapshot(runner)?.runnerState).toBe('CRASHED');
  });

  it("never undoes a user's stop", async () => {
    const runner = runnerUuid(++n);
    const { service, log } = await fx.startSteps();
    await fx.home.startRunner(runner, 'idle');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e, 'ONLINE');
    await fx.home.service.stop(runner);
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'STOPPED' && e, 'STOPPED');
    await new Promise((r) => setTimeout(r, 2000));
    expect(service.snapshot(runner)?.runnerState).toBe('STOPPED');
    expect((await fx.home.service.status(runner)).containerState).toBe('exited');
  });
});

describe('the engine going away', () => {
  it('survives a dockerd restart: reconnects, reconciles, nothing duplicated', async () => {
    const runner = runnerUuid(++n);
    const messages: string[] = [];
    const { service, log } = await fx.startSteps({ log: (m) => messages.push(m) });
    await fx.home.startRunner(runner, 'one-step', { STANDIN_STEP_SECONDS: '0' });
    await log.until((e) => e.type === 'step' && e.change === 'finished' && e, 'the first step finished');
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e.previous === 'BUSY' && e, 'ONLINE after it');

    const daemon = attachDockerd(inject('dockerDir'));
    const from = log.all.length;
    await daemon.restart();

    await log.until((e) => e.type === 'connection' && e.connected && e, 'reconnected', 90_000, from);
    // unless-stopped brings it back: it replays the same recorded step once more.
    await log.until((e) => e.type === 'step' && e.change === 'finished' && e, 'the step after the restart', 90_000, from);
    await log.until((e) => e.type === 'runner-state' && e.runnerState === 'ONLINE' && e.previous === 'BUSY' && e, 'ONLINE again', 90_000, from);

    expect(log.all.filter((e) => e.type === 'connection' && !e.connected)).toHaveLength(1);
    expect(messages.filter((m) => m.startsWith('Lost'))).toHaveLength(1);
    const snap = service.snapshot(runner)!;
    expect(service.snapshot()).toHaveLength(1);
    expect(snap.runnerState).toBe('ONLINE');
    // Two runs, one step each, none folded twice (the stand-in reuses the step UUID per run).
    expect(snap.steps.map((s) => s.state)).toEqual(['PASSED', 'PASSED']);
    const containers = await fx.docker.listContainers({ all: true, filters: { label: [`${LABEL_RUNNER}=${runner}`] } });
    expect(containers).toHaveLength(1);
  });
});

describe('bounded memory', () => {
  let ctl: string;
  beforeAll(() => {
    ctl = mkdtempSync(join(tmpdir(), 'rt-ctl-'));
  });
  afterAll(() => rmSync(ctl, { recursive: true, force: true }));

  it('does not grow over 100k log lines', async () => {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as () => void;
    const runner = runnerUuid(++n);
    const line = (i: string) =>
      `printf '[2026-01-01 00:00:00,000] Getting step StepId{accountUuid={5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}, repositoryUuid={e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b}, pipelineUuid={11111111-2222-4333-8444-%012d}, stepUuid={aaaaaaaa-bbbb-4ccc-8ddd-%012d}}.\\n[2026-01-01 00:00:01,000] Updating step progress to RUNNING.\\n\\tat some.stack.Frame(Frame.java:1)\\n[2026-01-01 00:00:02,000] Completing step with result Result{status=PASSED, error=None}.\\n[2026-01-01 00:00:02,500] Container \\047Build\\047 exceeded memory limit.\\n' ${i} ${i}`;
    // 5 lines per round: 4,000 rounds = 20k lines, then 16,000 more rounds = 80k lines.
    const script = [
      `i=0; while [ $i -lt 4000 ]; do ${line('$i')}; i=$((i+1)); done`,
      'while [ ! -f /ctl/go ]; do sleep 0.2; done',
      `while [ $i -lt 20000 ]; do ${line('$i')}; i=$((i+1)); done`,
      'sleep 3600',
    ].join('; ');
    // No listener that keeps events: only the service's own memory is measured.
    const service = fx.track(new RunnerMonitor({ engine: fx.engine, logBatchMs: 50 }));
    let events = 0;
    service.events.on('*', () => void events++);
    await service.start();
    const c = await fx.docker.createContainer({
      Image: inject('standinImage'),
      name: `rt-mem-${n}`,
      Entrypoint: ['/bin/sh', '-c', script],
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_RUNNER]: runner },
      HostConfig: { Binds: [`${ctl}:/ctl`], NetworkMode: 'none' },
    });
    await c.start();
    const lines = () => service.snapshot(runner)?.lineCount ?? 0;
    const until = async (count: number) => {
      const deadline = Date.now() + 120_000;
      while (lines() < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      await new Promise((r) => setTimeout(r, 300));
      expect(lines()).toBe(count);
    };
    await until(20_000);
    gc();
    const before = process.memoryUsage().heapUsed;
    writeFileSync(join(ctl, 'go'), '');
    await until(100_000);
    await new Promise((r) => setTimeout(r, 200));
    gc();
    const after = process.memoryUsage().heapUsed;
    const snap = service.snapshot(runner)!;
    expect(snap.steps.length).toBeLessThanOrEqual(51);
    expect(snap.diagnostics.length).toBeLessThanOrEqual(100);
    expect(snap.diagnostics.at(-1)?.code).toBe('MEMORY_LIMIT');
    expect(events).toBeGreaterThan(100_000 / 5);
    // 80k more lines folded; a leak of even 60 bytes a line would show as ~5 MB.
    expect(after - before).toBeLessThan(5 * 1024 * 1024);
  });
});
