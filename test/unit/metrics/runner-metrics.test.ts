/**
 * The /metrics page from step events and pool views, parsed by an independent Prometheus
 * text-format parser: the numbers a user would graph, label values escaped, no secret anywhere.
 */
import { describe, expect, it } from 'vitest';
import { RunnerMetrics } from '../../../src/main/metrics/runner-metrics.js';
import type { MonitorEvent } from '../../../src/main/monitor/events.js';
import { poolViewFromConfig } from '../../../src/main/pools/pool-view.js';
import { TypedEmitter } from '../../../src/main/runners/events.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';
import type { ContractEvent } from '../../../src/shared/contract/events.js';
import type { PoolView } from '../../../src/shared/contract/pool-views.js';
import type { Step } from '../../../src/shared/step-log/types.js';
import { parseScrape } from '../../support/prometheus-scrape.js';

const RUNNER = '{0badf00d-5eed-4c0d-9e1a-00000000b001}';
const SECRET = 'ATOAmetricsMadeUpSecret_Qw8Er7Ty6Ui5Op4';

function record(uuid: string, displayName: string, pool?: string): RunnerRecord {
  return {
    spec: {
      kind: 'workspace',
      accountUuid: '{5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}',
      repositoryUuid: null,
      runnerUuid: uuid,
      name: `runner-${uuid.slice(1, -1)}`,
      image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
      oauthClientId: 'Pm3Kq7Ws9Xe2Rd5Tf8Yg1Uh4Ij6Ok0Lp',
      workingDirectory: '/tmp',
      env: { OAUTH_CLIENT_SECRET_HINT: SECRET },
      binds: [],
      args: [],
    },
    displayName,
    addedAt: '2026-01-01T00:00:00.000Z',
    ...(pool ? { pool } : {}),
  };
}

function step(n: number, state: string, startedAt: string, finishedAt?: string): Step {
  return {
    stepUuid: `{11111111-2222-4333-8444-00000000000${n}}`,
    pipelineUuid: '{aaaaaaaa-2222-4333-8444-000000000001}',
    repositoryUuid: '{e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b}',
    state,
    startedAt,
    ...(finishedAt ? { finishedAt } : {}),
  };
}

function setup(pools: PoolView[]) {
  const events = new TypedEmitter<MonitorEvent>();
  const api = new Set<(e: ContractEvent) => void>();
  const states = new Map<string, 'BUSY' | 'ONLINE'>();
  const metrics = new RunnerMetrics({
    monitor: { events, snapshot: (uuid) => (states.has(uuid) ? { runnerState: states.get(uuid)! } : undefined) },
    poolViews: () => pools,
    runners: () => [record(RUNNER, 'ci-1 "big"', 'ci'), record('{0badf00d-5eed-4c0d-9e1a-00000000b002}', 'by-hand')],
    onEvent: (l) => (api.add(l), () => api.delete(l)),
  });
  const emitStep = (change: 'started' | 'finished', s: Step) => events.emit({ type: 'step', runnerUuid: RUNNER, change, step: s, time: s.startedAt! });
  const queued = (e: ContractEvent) => api.forEach((l) => l(e));
  return { metrics, emitStep, states, queued };
}

describe('RunnerMetrics', () => {
  it('reports each pool: desired, runners by state, waiting steps, limits', async () => {
    const ci: PoolView = {
      ...poolViewFromConfig({
        name: 'ci',
        workspace: 'acme',
        labels: ['build'],
        min: 0,
        max: 4,
        idle: 1,
        coolDownMs: 300_000,
        startTimeoutMs: 180_000,
        on: 'docker',
        size: '1x',
        createdAt: '2026-01-01T00:00:00.000Z',
      }),
      status: 'holding',
      desired: 3,
      counts: { busy: 2, idle: 0, starting: 1, offline: 0, waiting: 1, waitingUnknownLabels: 1 },
    };
    const scrape = await parseScrape(setup([ci]).metrics.render());
    expect(scrape.value('runner_tray_pool_desired_runners', { pool: 'ci' })).toBe(3);
    expect(scrape.value('runner_tray_pool_runners', { pool: 'ci', state: 'busy' })).toBe(2);
    expect(scrape.value('runner_tray_pool_runners', { pool: 'ci', state: 'starting' })).toBe(1);
    expect(scrape.value('runner_tray_pool_runners', { pool: 'ci', state: 'idle' })).toBe(0);
    expect(scrape.value('runner_tray_pool_waiting_steps', { pool: 'ci' })).toBe(1);
    expect(scrape.value('runner_tray_pool_waiting_steps_unknown_labels', { pool: 'ci' })).toBe(1);
    expect(scrape.value('runner_tray_pool_max_runners', { pool: 'ci' })).toBe(4);
    expect(scrape.value('runner_tray_pool_holding', { pool: 'ci' })).toBe(1);
    expect(scrape.metrics.runner_tray_pool_desired_runners!.type).toBe('gauge');
  });

  it('counts steps started and completed by result, with duration and queue-wait histograms', async () => {
    const { metrics, emitStep, states, queued } = setup([]);
    const s1 = step(1, 'RUNNING', '2026-01-01T10:00:40.000Z');
    queued({
      type: 'queued.changed',
      connected: true,
      steps: [
        {
          stepUuid: s1.stepUuid,
          pipelineUuid: s1.pipelineUuid,
          workspace: 'acme',
          repoSlug: 'web',
          buildNumber: 7,
          stepName: 'Build',
          runsOn: [],
          queuedAt: '2026-01-01T10:00:00.000Z',
        },
      ],
    });
    emitStep('started', s1);
    emitStep('started', s1); // announced again after a reconnect: counted once
    states.set(RUNNER, 'BUSY');
    emitStep('finished', { ...s1, state: 'PASSED', finishedAt: '2026-01-01T10:02:10.000Z' });
    const s2 = step(2, 'RUNNING', '2026-01-01T11:00:00.000Z');
    emitStep('started', s2);
    emitStep('finished', { ...s2, state: 'FAILED', finishedAt: '2026-01-01T11:00:20.000Z' });

    const text = metrics.render();
    const scrape = await parseScrape(text);
    const runner = { runner: 'ci-1 "big"', runner_uuid: RUNNER, pool: 'ci' };
    expect(scrape.value('runner_tray_steps_started_total', runner)).toBe(2);
    expect(scrape.value('runner_tray_steps_completed_total', { ...runner, result: 'PASSED' })).toBe(1);
    expect(scrape.value('runner_tray_steps_completed_total', { ...runner, result: 'FAILED' })).toBe(1);
    const duration = scrape.histogram('runner_tray_step_duration_seconds', runner);
    expect(duration.count).toBe(2);
    expect(duration.sum).toBe(90 + 20);
    expect(duration.buckets['30']).toBe(1);
    expect(duration.buckets['120']).toBe(2);
    expect(duration.buckets['+Inf']).toBe(2);
    // Only the step whose queue time was seen: 40 s from queued to taken.
    const wait = scrape.histogram('runner_tray_step_queue_wait_seconds', runner);
    expect(wait).toMatchObject({ count: 1, sum: 40 });
    expect(wait.buckets['30']).toBe(0);
    expect(wait.buckets['60']).toBe(1);
    expect(scrape.value('runner_tray_runner_state', { runner_uuid: RUNNER })).toBe(1);
    expect(scrape.samples('runner_tray_runner_state').map((s) => [s.labels.runner, s.labels.state])).toEqual([
      ['ci-1 "big"', 'BUSY'],
      ['by-hand', 'STOPPED'],
    ]);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('Pm3Kq7Ws9Xe2Rd5Tf8Yg1Uh4Ij6Ok0Lp');
  });

  it('stops listening when closed', async () => {
    const { metrics, emitStep } = setup([]);
    metrics.close();
    emitStep('started', step(3, 'RUNNING', '2026-01-01T12:00:00.000Z'));
    expect(metrics.render()).not.toContain('runner_tray_steps_started_total{');
  });
});
