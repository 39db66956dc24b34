import { describe, expect, it } from 'vitest';
import { stepChanges } from '../../../src/main/monitor/step-diff.js';
import type { Step } from '../../../src/shared/step-log/types.js';

const step = (n: number, state: string, extra: Partial<Step> = {}): Step => ({
  stepUuid: `{00000000-0000-4000-8000-${String(n).padStart(12, '0')}}`,
  pipelineUuid: '{p}',
  repositoryUuid: '{r}',
  state,
  startedAt: `2026-03-02T08:0${n}:00.000Z`,
  ...extra,
});
const summary = (xs: ReturnType<typeof stepChanges>) => xs.map((x) => `${x.change} ${x.step.stepUuid.slice(-2, -1)} ${x.step.state}`);

describe('stepChanges', () => {
  it('announces nothing when the fold returned the same steps', () => {
    const steps = [step(1, 'RUNNING')];
    expect(stepChanges(steps, steps)).toEqual([]);
    expect(stepChanges(steps, [...steps])).toEqual([]);
  });

  it('a new running step is started; its phase moving is a phase change; its end is finished', () => {
    const running = step(1, 'RUNNING', { phase: 'PULLING_IMAGES' });
    expect(summary(stepChanges([], [running]))).toEqual(['started 1 RUNNING']);
    const cloning = { ...running, phase: 'CLONING' };
    expect(summary(stepChanges([running], [cloning]))).toEqual(['phase 1 RUNNING']);
    const passed = { ...cloning, state: 'PASSED', finishedAt: '2026-03-02T08:05:00.000Z' };
    expect(summary(stepChanges([cloning], [passed]))).toEqual(['finished 1 PASSED']);
  });

  it('a step first seen already finished was started first (a backlog, a quick step)', () => {
    const changes = stepChanges([], [step(1, 'FAILED')]);
    expect(summary(changes)).toEqual(['started 1 RUNNING', 'finished 1 FAILED']);
    expect(changes[0]!.step.startedAt).toBe('2026-03-02T08:01:00.000Z');
  });

  it('a rerun (same UUID, new start) is a new step; announcements go oldest first', () => {
    const first = step(1, 'PASSED');
    const rerun = step(1, 'RUNNING', { startedAt: '2026-03-02T09:00:00.000Z' });
    // Running steps first, then finished ones newest first: the fold's order.
    expect(summary(stepChanges([first], [rerun, first]))).toEqual(['started 1 RUNNING']);
    const two = step(2, 'PASSED');
    const three = step(3, 'RUNNING');
    expect(summary(stepChanges([], [three, two]))).toEqual(['started 2 RUNNING', 'finished 2 PASSED', 'started 3 RUNNING']);
  });

  it('a changed step object whose state and phase did not move announces nothing', () => {
    const a = step(1, 'RUNNING', { phase: 'CLONING' });
    expect(stepChanges([a], [{ ...a, error: 'x' }])).toEqual([]);
  });
});
