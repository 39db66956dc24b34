/** Pool durations as users type them (`--cool-down 5m`) and as `pool show` prints them back. */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/shared/pools/duration.js';

describe('pool durations', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2m15s', 135_000],
    [' 10M ', 600_000],
    ['0s', 0],
  ])('reads %j', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '300', '5 minutes', '1.5h', '-5m', '5m1h', 'm'])('refuses %j (no unit, or not in h-m-s order)', (text) =>
    expect(parseDuration(text)).toBeNull(),
  );

  it('prints the shortest form that reads back the same', () => {
    for (const ms of [0, 1_000, 90_000, 300_000, 3_600_000, 5_400_000, 3_723_000]) expect(parseDuration(formatDuration(ms))).toBe(ms);
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(90_000)).toBe('1m30s');
  });
});
