/** Durations as people type them for pools (`--cool-down 5m`, `--start-timeout 90s`, `1h30m`). */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000 } as const;
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds, or null when the text is not like 30s, 5m, 1h or 1h30m (a bare number has no unit: refused). */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  const m = DURATION.exec(t);
  if (t === '' || !m) return null;
  const [h, min, s] = [m[1], m[2], m[3]].map((v) => (v === undefined ? 0 : Number(v)));
  return h! * UNIT_MS.h + min! * UNIT_MS.m + s! * UNIT_MS.s;
}

/** The shortest of those forms for a whole number of seconds: 300_000 → "5m", 5_400_000 → "1h30m", 0 → "0s". */
export function formatDuration(ms: number): string {
  let s = Math.round(ms / 1000);
  if (s === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  return parts.join('');
}
