/**
 * The runner writes its `[date]` in the container's time zone: UTC unless the container's env
 * sets `TZ`. Offsets are taken from the platform's own zone data (`Intl`, available in Node and in
 * browsers) at the time of each line, so a log that crosses a daylight-saving change keeps
 * correct instants on both sides of it.
 */

export type ContainerTimeZone =
  /** An IANA zone Intl knows (`Europe/Warsaw`); the offset is looked up per line. */
  | { kind: 'zone'; timeZone: string }
  /** A fixed offset (`UTC`, POSIX `UTC0` / `EST5`, no DST rule). */
  | { kind: 'offset'; utcOffset: string };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    // A handful of zones at most; the cap only guards against a caller looping over names.
    if (formatters.size > 64) formatters.clear();
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when this runtime's zone data knows the IANA name. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** `GMT+05:30` → minutes east of UTC (330); `GMT` → 0. */
function offsetMinutesAt(timeZone: string, utcMs: number): number {
  const name =
    formatter(timeZone)
      .formatToParts(utcMs)
      .find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):?(\d{2})?$/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? '0');
  return m[1] === '-' ? -minutes : minutes;
}

export function formatOffset(minutes: number): string {
  if (minutes === 0) return 'Z';
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** The zone's offset at an instant, as `Z` or `+HH:MM`. */
export function utcOffsetAt(timeZone: string, at: Date | number): string {
  return formatOffset(offsetMinutesAt(timeZone, typeof at === 'number' ? at : at.getTime()));
}

const localOffsets = new Map<string, string>();

/**
 * The offset that applied to a wall-clock time in the zone (`2026-03-29T01:30`, at least
 * `YYYY-MM-DDTHH`). In the hour a DST change repeats, the later (standard-time) reading wins, as
 * the log gives nothing to tell the two apart; a time the change skipped gets the offset from
 * before it. Cached per zone and local hour (zones
 * change offset on the hour), so a log costs one zone lookup per hour it spans, not per line.
 */
export function utcOffsetForLocalTime(timeZone: string, local: string): string {
  const hour = local.slice(0, 13);
  const key = `${timeZone}|${hour}`;
  const cached = localOffsets.get(key);
  if (cached !== undefined) return cached;
  const wall = Date.UTC(Number(hour.slice(0, 4)), Number(hour.slice(5, 7)) - 1, Number(hour.slice(8, 10)), Number(hour.slice(11, 13)));
  let offset = 0;
  if (Number.isFinite(wall)) {
    // At the hour's end: the offset in force through the hour when a change happens at its start.
    const probe = wall + 30 * 60_000;
    const first = offsetMinutesAt(timeZone, probe);
    offset = offsetMinutesAt(timeZone, probe - first * 60_000);
  }
  const result = formatOffset(offset);
  if (localOffsets.size >= 4096) localOffsets.clear();
  localOffsets.set(key, result);
  return result;
}

const POSIX_FIXED = /^([A-Za-z]{3,}|<[+-]?[A-Za-z0-9]+>)([+-]?)(\d{1,2})(?::(\d{2}))?$/;

/**
 * A container's `TZ` value → how its log times are read, or null when it cannot be understood
 * (the caller says so and assumes UTC). Accepts IANA names (`Europe/Warsaw`, also with glibc's
 * leading `:`), `UTC`, and POSIX fixed offsets (`UTC0`, `EST5`, `<+0530>-5:30`: POSIX counts hours
 * *west* of UTC, so the sign flips). POSIX rules with DST (`CET-1CEST,M3.5.0,…`) are not read.
 */
export function resolveTimeZone(tz: string | undefined | null): ContainerTimeZone | null {
  const value = (tz ?? '').trim().replace(/^:/, '');
  if (value === '' || value === 'UTC' || value === 'Etc/UTC' || value === 'GMT' || value === 'Z') return { kind: 'offset', utcOffset: 'Z' };
  if (!value.includes(',') && isKnownTimeZone(value)) return { kind: 'zone', timeZone: value };
  const m = POSIX_FIXED.exec(value);
  if (m) {
    const hours = Number(m[3]);
    const minutes = Number(m[4] ?? '0');
    if (hours <= 14 && minutes < 60) return { kind: 'offset', utcOffset: formatOffset((m[2] === '-' ? 1 : -1) * (hours * 60 + minutes)) };
  }
  return null;
}

/** `TZ` from a container's `Config.Env` (`["TZ=Europe/Warsaw", …]`); the last one wins, as in Docker. */
export function timeZoneFromEnv(env: readonly string[] | null | undefined): string | undefined {
  let tz: string | undefined;
  for (const e of env ?? []) if (e.startsWith('TZ=')) tz = e.slice(3);
  return tz;
}
