/**
 * Docker's own log timestamps (RFC3339Nano, always UTC in json-file/local logs) as resume points:
 * a log stream that broke is resumed with `since` just after the last line we saw, so nothing
 * is read twice and nothing is skipped.
 */

const RFC3339 = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** The leading `2024-…Z ` token of a line fetched with `timestamps: true`, or null. */
export function leadingDockerTimestamp(line: string): string | null {
  const space = line.indexOf(' ');
  const token = space < 0 ? line : line.slice(0, space);
  return RFC3339.test(token) ? token : null;
}

/**
 * `since` for the engine's logs API (`<seconds>.<nanoseconds>`) one nanosecond after `timestamp`:
 * the engine's `since` is inclusive, and Docker gives each line its own nanosecond time.
 */
export function sinceAfter(timestamp: string): string {
  const m = RFC3339.exec(timestamp);
  if (!m) throw new RangeError(`"${timestamp}" is not an RFC3339 timestamp such as 2024-05-01T12:00:00.123456789Z.`);
  let seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  let nanos = Number((m[2] ?? '').padEnd(9, '0')) + 1;
  if (nanos >= 1e9) {
    seconds += 1;
    nanos -= 1e9;
  }
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}

/** `since` for an ISO time (e.g. a container's `State.StartedAt`), at that instant. */
export function sinceAt(timestamp: string): string {
  const m = RFC3339.exec(timestamp);
  if (!m) return String(Math.floor(Date.parse(timestamp) / 1000));
  const seconds = Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000);
  return `${seconds}.${(m[2] ?? '').padEnd(9, '0')}`;
}

/** Fixed-width form (nine fraction digits, UTC) so timestamps compare as strings; RFC3339Nano drops trailing zeros. */
export function comparableTimestamp(timestamp: string): string {
  const m = RFC3339.exec(timestamp);
  if (!m) return timestamp;
  const iso = m[3] === 'Z' ? m[1]! : new Date(`${m[1]}${m[3]}`).toISOString().slice(0, 19);
  return `${iso}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/** A line read with `timestamps: true` as Docker's time and the runner's own text (a CRLF's `\r` dropped). */
export function splitDockerLine(raw: string): { time: string | null; text: string } {
  const time = leadingDockerTimestamp(raw);
  const text = time === null ? raw : raw.slice(time.length + 1);
  return { time, text: text.endsWith('\r') ? text.slice(0, -1) : text };
}
