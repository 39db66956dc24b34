import { describe, expect, it } from 'vitest';
import { readEngineEvent, reconnectDelay } from '../../../src/main/monitor/engine-events.js';

describe('the engine event stream', () => {
  it('reconnects with doubling delays, capped', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 10].map((a) => reconnectDelay(a, 250, 5000))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  });

  it("reads a container event's action, id, attributes and nanosecond time", () => {
    const ev = readEngineEvent({
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'abc', Attributes: { name: 'runner-x', exitCode: '2' } },
      time: 1772438400,
      // Docker sends nanoseconds as a JSON number past 2^53; the reader uses only its milliseconds.
      timeNano: 1772438400123456800,
    });
    expect(ev).toEqual({ action: 'die', containerId: 'abc', attributes: { name: 'runner-x', exitCode: '2' }, time: '2026-03-02T08:00:00.123Z' });
  });

  it('keeps only the actions the monitor folds (exec_start and health checks are not)', () => {
    expect(readEngineEvent({ Action: 'exec_start: sh -c true', id: 'abc' })).toBeNull();
    expect(readEngineEvent({ Action: 'health_status: healthy', id: 'abc' })).toBeNull();
    // Old engines send `status` instead of `Action`, and only seconds.
    expect(readEngineEvent({ status: 'start', id: 'abc', time: 1772438400 })).toEqual({
      action: 'start',
      containerId: 'abc',
      attributes: {},
      time: '2026-03-02T08:00:00.000Z',
    });
  });
});
