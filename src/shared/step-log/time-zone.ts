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
  const name = formatter(timeZone)
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

let lastKey = '';
let lastOffset = 'Z';

/**
 * The offset that applied to a wall-clock time in the zone (`2026-03-29T01:30`, at least
 * `YYYY-MM-DDTHH:MM`). In the hour a DST change repeats, the earlier (summer) reading wins; a
 * time the change skipped gets the offset from before it. Cached per zone and minute: consecutive
 * log lines share both, so the cost per line is one string compare.
 */
export function utcOffsetForLocalTime(timeZone: string, local: string): string {
  const minute = local.slice(0, 16);
  const key = `${timeZone}|${minute}`;
  if (key === lastKey) return lastOffset;
  const wall = Date.UTC(
    Number(minute.slice(0, 4)),
    Number(minute.slice(5, 7)) - 1,
    Number(minute.slice(8, 10)),
    Number(minute.slice(11, 13)),
    Number(minute.slice(14, 16)),
  );
  let offset = 0;
  if (Number.isFinite(wall)) {
    const first = offsetMinutesAt(timeZone, wall);
    offset = offsetMinutesAt(timeZone, wall - first * 60_000);
  }
  lastKey = key;
  lastOffset = formatOffset(offset);
  return lastOffset;
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
