/**
 * A failed step's notification names the newest diagnosis since the step began (with its step
 * container), through ApiEvents. The services are stand-ins here: only their event emitters,
 * shaped like the real ones (`events.on('*', listener)`), which is all ApiEvents uses of them.
 */
import { describe, expect, it } from 'vitest';
import { ApiEvents } from '../../../src/main/api/api-events.js';
import type { RunnerService } from '../../../src/main/runners/runner-service.js';
import type { MonitorEvent } from '../../../src/main/monitor/events.js';
import type { RunnerMonitor } from '../../../src/main/monitor/runner-monitor.js';
import type { ContractEvent } from '../../../src/shared/contract/events.js';
import { diagnose } from '../../../src/shared/diagnostics/index.js';
import type { Step } from '../../../src/shared/step-log/types.js';

const RUNNER = '{2b3c4d5e-6f70-4182-9a3b-4c5d6e7f8091}';

function standIns() {
  let push: (e: MonitorEvent) => void = () => undefined;
  const steps = { events: { on: (_type: string, fn: (e: MonitorEvent) => void) => ((push = fn), () => undefined) } };
  const runners = { events: { on: () => () => undefined } };
  const hub = new ApiEvents({ runners: runners as unknown as RunnerService, steps: steps as unknown as RunnerMonitor, runnerView: async () => null });
  return { hub, push: (e: MonitorEvent) => push(e) };
}

const step = (state: string): Step =>
  ({
    stepUuid: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
    pipelineUuid: '{5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b}',
    repositoryUuid: '{9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f}',
    state,
    startedAt: '2026-11-29T10:00:00.000Z',
  }) as Step;
const time = '2026-11-29T10:00:01.000Z';

describe('notification with the diagnosis behind it', () => {
  it('a failed step names the step container diagnosis seen since it started; one from an earlier step is not reused', () => {
    const { hub, push } = standIns();
    const heard: ContractEvent[] = [];
    hub.on((e) => heard.push(e), { watching: false });
    const oom = diagnose("Service 'docker' exceeded memory limit.")!;
    oom.container = 'docker';

    push({ type: 'step', runnerUuid: RUNNER, change: 'started', step: step('RUNNING'), time });
    push({ type: 'diagnosis', runnerUuid: RUNNER, diagnosis: oom, time });
    push({ type: 'step', runnerUuid: RUNNER, change: 'finished', step: step('FAILED'), time });
    const first = heard.filter((e) => e.type === 'notification');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      kind: 'stepFailed',
      diagnosis: { code: 'MEMORY_LIMIT', textKey: 'MEMORY_LIMIT.service', params: { container: 'docker' }, container: 'docker' },
    });

    push({ type: 'step', runnerUuid: RUNNER, change: 'started', step: step('RUNNING'), time });
    push({ type: 'step', runnerUuid: RUNNER, change: 'finished', step: step('FAILED'), time });
    const second = heard.filter((e) => e.type === 'notification')[1];
    expect(second).toMatchObject({ kind: 'stepFailed' });
    expect(second).not.toHaveProperty('diagnosis');
    hub.close();
  });
});
