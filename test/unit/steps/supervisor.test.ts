import { describe, expect, it } from 'vitest';
import { Supervisor } from '../../../src/main/monitor/supervisor.js';
import { comparableTimestamp, leadingDockerTimestamp, sinceAfter } from '../../../src/main/monitor/docker-time.js';

const R = '{0badf00d-5eed-4c0d-9e1a-000000000001}';
const crash = (exitCode: number, oomKilled = false) => ({ exitCode, oomKilled, requested: false });

describe('Supervisor', () => {
  it('judges CRASHED on the third failing exit within the window, naming code and diagnosis', () => {
    let now = 0;
    const s = new Supervisor({ now: () => now });
    expect(s.recordExit(R, crash(1), 'OAUTH_REJECTED')).toBeNull();
    now += 500;
    expect(s.recordExit(R, crash(1), 'OAUTH_REJECTED')).toBeNull();
    now += 500;
    const v = s.recordExit(R, crash(1), 'OAUTH_REJECTED');
    expect(v).toMatchObject({ reason: 'EXIT_1', exits: 3, exitCode: 1, lastDiagnosis: 'OAUTH_REJECTED' });
    expect(v!.message).toMatch(/exited 3 times within 120 s.*exit code was 1.*OAUTH_REJECTED/);
  });

  it('forgets exits older than the window', () => {
    let now = 0;
    const s = new Supervisor({ now: () => now, windowMs: 1000 });
    s.recordExit(R, crash(1));
    s.recordExit(R, crash(1));
    now = 5000;
    expect(s.recordExit(R, crash(1))).toBeNull();
  });

  it('names an OOM kill, and ignores requested stops and clean exits', () => {
    const s = new Supervisor({ maxExits: 1 });
    expect(s.recordExit(R, { exitCode: 137, oomKilled: false, requested: true })).toBeNull();
    expect(s.recordExit(R, crash(0))).toBeNull();
    expect(s.recordExit(R, crash(137, true))?.reason).toBe('OOM_KILLED');
  });

  it('clears the verdict when the runner is healthy again or the user steps in', () => {
    const s = new Supervisor({ maxExits: 1 });
    s.recordExit(R, crash(2));
    expect(s.healthy(R)).toBe(true);
    expect(s.verdict(R)).toBeUndefined();
    s.recordExit(R, crash(2));
    expect(s.reset(R)).toBe(true);
    expect(s.verdict(R)).toBeUndefined();
  });

  it('rejects nonsense options with what to give instead', () => {
    expect(() => new Supervisor({ maxExits: 0 })).toThrow(/maxExits must be a whole number/);
  });
});

describe('Docker log timestamps', () => {
  it('resumes one nanosecond after the last line, carrying into the next second', () => {
    expect(sinceAfter('2026-01-01T00:00:00.123456789Z')).toBe('1767225600.123456790');
    expect(sinceAfter('2026-01-01T00:00:00.999999999Z')).toBe('1767225601.000000000');
    expect(sinceAfter('2026-01-01T00:00:00Z')).toBe('1767225600.000000001');
    expect(() => sinceAfter('yesterday')).toThrow(/not an RFC3339 timestamp/);
  });

  it('compares RFC3339Nano times whose trailing zeros Docker dropped', () => {
    expect(comparableTimestamp('2026-01-01T00:00:00.1Z') > comparableTimestamp('2026-01-01T00:00:00.09Z')).toBe(true);
    expect(leadingDockerTimestamp('2026-01-01T00:00:00.1Z [x] y')).toBe('2026-01-01T00:00:00.1Z');
    expect(leadingDockerTimestamp('[2026-01-01 00:00:00,000] y')).toBeNull();
  });
});
