import { parseUtcOffset } from '../../shared/step-log/parse-line.js';
import type { ReplayOptions } from '../../shared/step-log/replay.js';
import { resolveTimeZone } from '../../shared/step-log/time-zone.js';
import { CliError } from '../errors.js';

/**
 * `--tz`: the zone the saved log's `[date]`s are in (the runner container's TZ; UTC by default).
 * An IANA name gets its offset per line (DST honoured); `+02:00`-style offsets are fixed.
 */
export function timeZoneOption(value: string | undefined): Pick<ReplayOptions, 'timeZone' | 'utcOffset'> {
  if (value === undefined) return {};
  const bad = () =>
    new CliError(
      'USAGE',
      `--tz "${value}" is not a time zone: give the runner container's TZ as an IANA name (e.g. Europe/Warsaw, America/New_York), UTC, or an offset such as +02:00.`,
      2,
    );
  if (/^[+-]\d/.test(value.trim())) {
    try {
      return { utcOffset: parseUtcOffset(value) };
    } catch {
      throw bad();
    }
  }
  const zone = resolveTimeZone(value);
  if (zone === null || value.trim() === '') throw bad();
  return zone.kind === 'zone' ? { timeZone: zone.timeZone } : { utcOffset: zone.utcOffset };
}
