/**
 * The setup the steps integration tests share: the engine on the private dockerd, a fresh
 * runner home per test, and a RunnerMonitor closed (and the home cleaned up) after each test.
 * Call once at the top of a test file; it registers the hooks.
 */
import type Docker from 'dockerode';
import { afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { connectEngine, type Engine } from '../../src/main/docker/engine.js';
import type { MonitorEvent } from '../../src/main/monitor/events.js';
import { RunnerMonitor } from '../../src/main/monitor/runner-monitor.js';
import { EventLog, runnerHome, type RunnerHome } from './steps-runners.js';

export type StepsOptions = Partial<ConstructorParameters<typeof RunnerMonitor>[0]>;

export interface StepsFixture {
  readonly engine: Engine;
  readonly docker: Docker;
  readonly home: RunnerHome;
  /** Starts a RunnerMonitor on the engine; its events except log lines are kept in `log`. */
  startSteps(options?: StepsOptions): Promise<{ service: RunnerMonitor; log: EventLog<MonitorEvent> }>;
  /** A service the test built itself, to be closed after the test like one from `startSteps`. */
  track(service: RunnerMonitor): RunnerMonitor;
  /** Runs after the runner monitor is closed and before the home is cleaned up. */
  afterEachTest(fn: (docker: Docker) => Promise<void>): void;
}

export function useStepsFixture(): StepsFixture {
  let engine: Engine | undefined;
  let home: RunnerHome | undefined;
  let steps: RunnerMonitor | undefined;
  const extraCleanups: ((docker: Docker) => Promise<void>)[] = [];
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is set up in the test hooks; use it inside a test`);
    return value;
  };

  beforeAll(async () => {
    process.env.DOCKER_HOST = `unix://${inject('dockerSocket')}`;
    engine = await connectEngine();
  });

  beforeEach(async () => {
    home = await runnerHome(need(engine, 'engine'));
  });

  afterEach(async () => {
    await steps?.close();
    steps = undefined;
    const docker = need(engine, 'engine').docker;
    for (const fn of extraCleanups) await fn(docker);
    await need(home, 'home').cleanup(docker);
  });

  const fixture: StepsFixture = {
    get engine() {
      return need(engine, 'engine');
    },
    get docker() {
      return need(engine, 'engine').docker;
    },
    get home() {
      return need(home, 'home');
    },
    async startSteps(options = {}) {
      const log = new EventLog<MonitorEvent>();
      const service = fixture.track(new RunnerMonitor({ engine: fixture.engine, reconnectMaxMs: 1000, ...options }));
      // Log lines are left out: the memory test must not measure this log's own growth.
      service.events.on('*', (e) => (e.type === 'log' ? undefined : log.push(e)));
      await service.start();
      return { service, log };
    },
    track(service) {
      steps = service;
      return service;
    },
    afterEachTest(fn) {
      extraCleanups.push(fn);
    },
  };
  return fixture;
}
