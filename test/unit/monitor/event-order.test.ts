import { describe, expect, it } from 'vitest';
import { EventOrder } from '../../../src/main/monitor/event-order.js';

/** An event that records when it was applied; its drain resolves when the test says. */
function event(name: string, timeMs: number, applied: string[], opts: { starts?: boolean; drain?: Promise<void> } = {}) {
  return {
    timeMs,
    starts: opts.starts ?? false,
    apply: (inLine: boolean) => void applied.push(`${name}${inLine ? '@line' : ''}`),
    ...(opts.drain ? { drain: () => opts.drain! } : {}),
  };
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('EventOrder', () => {
  it('holds a die until its log is drained, and the events after it in order', async () => {
    const applied: string[] = [];
    const order = new EventOrder();
    const drain = deferred();
    order.push(event('die', 1000, applied, { drain: drain.promise }));
    order.push(event('start', 1100, applied, { starts: true }));
    await new Promise((r) => setTimeout(r, 10));
    expect(applied).toEqual([]);
    expect(order.idle).toBe(false);
    drain.resolve();
    await new Promise((r) => setTimeout(r, 10));
    expect(applied).toEqual(['die', 'start']);
    expect(order.idle).toBe(true);
  });

  it("lets waiting events go first when a later line arrives: the die of run 1 and the start of run 2 before run 2's line", async () => {
    const applied: string[] = [];
    const order = new EventOrder();
    order.push(event('die', 1000, applied, { drain: deferred().promise }));
    order.push(event('start', 1100, applied, { starts: true }));
    // A line of run 1 (before the die): nothing is released.
    order.before(999);
    expect(applied).toEqual([]);
    // A line stamped in the start's millisecond belongs to the new run.
    order.before(1100);
    expect(applied).toEqual(['die@line', 'start@line']);
    expect(order.idle).toBe(true);
  });

  it('keeps an event stamped in the same millisecond as a line of its own run waiting', () => {
    const applied: string[] = [];
    const order = new EventOrder();
    order.push(event('die', 1000, applied, { drain: deferred().promise }));
    order.before(1000);
    expect(applied).toEqual([]);
    order.flush();
    expect(applied).toEqual(['die']);
  });
});
