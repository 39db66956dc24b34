/**
 * One numbering for the Logs screen and the diagnoses: a subscription's backlog (read straight
 * from Docker) and its followed lines carry the runner monitor's line numbers, also when the
 * runner's log is longer than the backlog. Docker and the runner monitor are stand-ins here,
 * shaped like the real ones (`getContainer().logs()` answers a multiplexed buffer; the steps
 * service's `snapshot`, `maskLogLine` and `log` events); the real pair runs in test/e2e/serve.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type Docker from 'dockerode';
import { LogSubscriptions, numberBacklog } from '../../../src/main/api/log-subscriptions.js';
import type { RunnerService } from '../../../src/main/runners/runner-service.js';
import { TypedEmitter } from '../../../src/main/runners/events.js';
import type { MonitorEvent } from '../../../src/main/monitor/events.js';
import type { RunnerSnapshot, RunnerMonitor } from '../../../src/main/monitor/runner-monitor.js';
import type { ContractEvent } from '../../../src/shared/contract/events.js';

const RUNNER = '{6b1e0c7a-2f4d-4c3b-9a8e-7d6c5b4a3f21}';
const CONTAINER = 'c0ffee';

/** Docker's timestamp for line n of the stand-in log (unique, increasing). */
const stamp = (n: number) =>
  `2026-03-01T10:${String(Math.floor(n / 6000)).padStart(2, '0')}:${String(Math.floor(n / 100) % 60).padStart(2, '0')}.${String(n).padStart(9, '0')}Z`;

function frame(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const head = Buffer.alloc(8);
  head[0] = 1;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function standIns(total: number, serviceCount: number) {
  const events = new TypedEmitter<MonitorEvent>();
  const snapshot = {
    runnerUuid: RUNNER,
    containerId: CONTAINER,
    lineCount: serviceCount,
    lastLineTime: stamp(serviceCount),
    diagnostics: [],
  } as unknown as RunnerSnapshot;
  const docker = {
    getContainer: () => ({
      logs: async (q: { tail?: number }) => {
        const from = Math.max(1, total - (q.tail ?? total) + 1);
        const lines: Buffer[] = [];
        for (let n = from; n <= total; n++) lines.push(frame(`${stamp(n)} runner line ${n}\n`));
        return Buffer.concat(lines);
      },
    }),
  } as unknown as Docker;
  const runners = { status: async () => ({ runnerUuid: RUNNER, containerId: CONTAINER }) } as unknown as RunnerService;
  const steps = { events, snapshot: () => snapshot, maskLogLine: (_: string, text: string) => text } as unknown as RunnerMonitor;
  const emitted: ContractEvent[] = [];
  const subs = new LogSubscriptions({ docker, runners, steps, emit: (e) => emitted.push(e) });
  return { events, subs, emitted };
}

describe('log line numbers', () => {
  it('numbers a 5,000-line backlog of a 12,000-line log as the steps service does (7,001…12,000)', async () => {
    const { subs } = standIns(12_000, 12_000);
    const view = await subs.subscribe(RUNNER, 5_000);
    expect(view.backlog).toHaveLength(5_000);
    expect(view.backlog[0]).toMatchObject({ n: 7_001, text: 'runner line 7001' });
    expect(view.backlog.at(-1)).toMatchObject({ n: 12_000, text: 'runner line 12000' });
  });

  it("counts lines Docker has but the service has not read yet after the service's newest", async () => {
    const { subs } = standIns(12_000, 11_990);
    const view = await subs.subscribe(RUNNER, 100);
    expect(view.backlog.at(-1)).toMatchObject({ n: 12_000, text: 'runner line 12000' });
  });

  it("passes followed lines on with the service's numbers, once, after the backlog", async () => {
    const { events, subs, emitted } = standIns(12_000, 12_000);
    const view = await subs.subscribe(RUNNER, 10);
    events.emit({
      type: 'log',
      runnerUuid: RUNNER,
      lines: [
        { lineNumber: 12_000, text: 'runner line 12000', time: stamp(12_000) },
        { lineNumber: 12_001, text: 'runner line 12001', time: stamp(12_001) },
      ],
    });
    expect(emitted).toEqual([
      { type: 'logs.lines', subscriptionId: view.subscriptionId, runnerUuid: RUNNER, lines: [{ n: 12_001, text: 'runner line 12001', at: stamp(12_001) }] },
    ]);
  });

  it('numbers a backlog the service has not read yet as its next lines, and drops lines before its first', () => {
    expect(numberBacklog([{ text: 'a' }, { text: 'b' }], { lineCount: 40, lastLineTime: null }).map((l) => l.n)).toEqual([41, 42]);
    const lines = [1, 2, 3].map((n) => ({ text: `l${n}`, at: stamp(n) }));
    expect(numberBacklog(lines, { lineCount: 2, lastLineTime: stamp(3) }).map((l) => [l.n, l.text])).toEqual([
      [1, 'l2'],
      [2, 'l3'],
    ]);
  });
});
