/**
 * What a runner container's env tells the monitor before any of its lines are folded: the zone
 * its `[date]` times are in (`TZ`), and its OAuth client secret (redacted from what leaves).
 * Pure: the container's `Config.Env` in, settings out.
 */
import { resolveTimeZone, timeZoneFromEnv } from '../../shared/step-log/time-zone.js';

export interface ZoneOption {
  timeZone?: string;
  utcOffset?: string;
}

export interface ContainerEnvSettings {
  /** For `RunnerLogReplay.setTimeZone`. */
  zone: ZoneOption;
  /** How the snapshot names it: an IANA zone, an offset, or `Z`. */
  shown: string;
  /** Why a `TZ` that was set is not used (its times are then read as UTC). */
  problem?: string;
  /** `OAUTH_CLIENT_SECRET`'s value (the last one, as Docker applies them), when set. */
  secret?: string;
}

const SECRET_VAR = 'OAUTH_CLIENT_SECRET=';

/** `fallback` applies when the container sets no `TZ` (the app's `--utc-offset` / `--time-zone`). */
export function containerEnvSettings(env: readonly string[] | null | undefined, fallback: ZoneOption): ContainerEnvSettings {
  const secret = (env ?? [])
    .filter((e) => e.startsWith(SECRET_VAR))
    .map((e) => e.slice(SECRET_VAR.length))
    .at(-1);
  const withSecret = (s: ContainerEnvSettings): ContainerEnvSettings => (secret ? { ...s, secret } : s);
  const tz = timeZoneFromEnv(env);
  if (tz === undefined) {
    const zone: ZoneOption = {
      ...(fallback.timeZone !== undefined ? { timeZone: fallback.timeZone } : {}),
      ...(fallback.utcOffset !== undefined ? { utcOffset: fallback.utcOffset } : {}),
    };
    return withSecret({ zone, shown: fallback.timeZone ?? fallback.utcOffset ?? 'Z' });
  }
  const resolved = resolveTimeZone(tz);
  if (resolved?.kind === 'zone') return withSecret({ zone: { timeZone: resolved.timeZone }, shown: resolved.timeZone });
  if (resolved?.kind === 'offset') return withSecret({ zone: { utcOffset: resolved.utcOffset }, shown: resolved.utcOffset });
  return withSecret({
    zone: { utcOffset: 'Z' },
    shown: 'Z',
    problem: `The runner container sets TZ=${JSON.stringify(tz)}, which is not a time zone name this app knows (use an IANA name such as Europe/Warsaw); its log times are read as UTC.`,
  });
}
