import { utcOffsetForLocalTime } from './time-zone.js';
import type { LogEvent, StepId } from './types.js';

export interface ParseLineOptions {
  /**
   * Offset of the container's time zone, which the logback `[date]` is written in: `Z`
   * (default, the runner image's UTC), `+02:00`, `-0530`, `+02`. Resolve a `TZ` name to its
   * offset on the main side; `parseUtcOffset` checks the value.
   */
  utcOffset?: string;
  /**
   * An IANA zone (`Europe/Warsaw`): each dated line gets the zone's offset at its own wall-clock
   * time, so DST changes inside a log are honoured. Wins over `utcOffset`. Resolve a container's
   * `TZ` with `resolveTimeZone` first.
   */
  timeZone?: string;
}

const OFFSET_RE = /^([+-])(\d{2}):?(\d{2})?$/;

/** `Z`, `+HH:MM` or `-HH:MM`; throws a message naming the bad value and the accepted forms. */
export function parseUtcOffset(offset: string): string {
  const trimmed = offset.trim();
  if (trimmed === 'Z' || trimmed === 'z' || trimmed === 'UTC') return 'Z';
  const m = OFFSET_RE.exec(trimmed);
  if (m) {
    const hours = Number(m[2]);
    const minutes = Number(m[3] ?? '0');
    if (hours <= 14 && minutes < 60) {
      if (hours === 0 && minutes === 0) return 'Z';
      return `${m[1]}${m[2]}:${m[3] ?? '00'}`;
    }
  }
  throw new RangeError(`Time-zone offset "${offset}" is not valid: use Z for UTC, or +HH:MM / -HH:MM such as +02:00 (hours up to 14).`);
}

// One normalised offset is remembered so the per-line cost of the option is a string compare.
let lastOffsetIn: string | undefined;
let lastOffsetOut = 'Z';
function offsetFor(options: ParseLineOptions | undefined, local: string): string {
  if (options?.timeZone !== undefined) return utcOffsetForLocalTime(options.timeZone, local);
  const raw = options?.utcOffset;
  if (raw === undefined) return 'Z';
  if (raw !== lastOffsetIn) {
    lastOffsetOut = parseUtcOffset(raw);
    lastOffsetIn = raw;
  }
  return lastOffsetOut;
}

const isDigit = (c: number) => c >= 48 && c <= 57;

/** `2022-06-05T17:23:41.945123456Z` → `2022-06-05T17:23:41.945Z`; null when it is not one. */
function dockerTimestamp(token: string): string | null {
  if (token.length < 20 || token.charCodeAt(13) !== 58 || token.charCodeAt(16) !== 58) return null;
  const zone = token.endsWith('Z') ? 'Z' : token.slice(-6);
  if (zone !== 'Z' && !/^[+-]\d{2}:\d{2}$/.test(zone)) return null;
  const base = token.slice(0, 19);
  let ms = '000';
  if (token.charCodeAt(19) === 46) {
    const frac = token.slice(20, token.length - zone.length);
    ms = (frac + '000').slice(0, 3);
  }
  return `${base}.${ms}${zone}`;
}

const LOGBACK_LOOSE = /^\[(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[,.](\d{1,9}))?\]/;

/**
 * One runner log line → an event; null for a blank line. Never throws on content: an
 * unrecognised dated line is a `message`, an undated one a `continuation`. CR/LF endings
 * and an optional leading Docker timestamp (`docker logs --timestamps`) are accepted.
 */
export function parseLogLine(line: string, options?: ParseLineOptions): LogEvent | null {
  let end = line.length;
  while (end > 0) {
    const c = line.charCodeAt(end - 1);
    if (c === 13 || c === 10) end--;
    else break;
  }
  let start = 0;
  let dockerTs: string | undefined;
  // Cheap shape test first: `YYYY-` … `T` at 10, before any slicing.
  if (end > 20 && isDigit(line.charCodeAt(0)) && line.charCodeAt(4) === 45 && line.charCodeAt(10) === 84) {
    const space = line.indexOf(' ', 19);
    const tokenEnd = space < 0 || space > end ? end : space;
    const parsed = dockerTimestamp(line.slice(0, tokenEnd));
    if (parsed !== null) {
      dockerTs = parsed;
      start = tokenEnd + 1;
    }
  }
  if (start >= end) return null;

  let timestamp: string | null = null;
  let msgStart = -1;
  if (line.charCodeAt(start) === 91 /* [ */) {
    // The logback pattern is exactly `[YYYY-MM-DD HH:MM:SS,mmm]`: check fixed positions.
    if (
      end - start >= 25 &&
      line.charCodeAt(start + 24) === 93 &&
      line.charCodeAt(start + 5) === 45 &&
      line.charCodeAt(start + 14) === 58 &&
      isDigit(line.charCodeAt(start + 1))
    ) {
      const local = line.slice(start + 1, start + 11) + 'T' + line.slice(start + 12, start + 20);
      timestamp = local + '.' + line.slice(start + 21, start + 24) + offsetFor(options, local);
      msgStart = start + 25;
    } else {
      const m = LOGBACK_LOOSE.exec(start === 0 ? line : line.slice(start));
      if (m) {
        const ms = ((m[3] ?? '') + '000').slice(0, 3);
        timestamp = `${m[1]}T${m[2]}.${ms}${offsetFor(options, `${m[1]}T${m[2]}`)}`;
        msgStart = start + m[0].length;
      }
    }
  }

  if (msgStart < 0) {
    const text = line.slice(start, end);
    if (text.trim() === '') return null;
    const ev: LogEvent = { kind: 'continuation', timestamp: null, text };
    if (dockerTs !== undefined) ev.dockerTimestamp = dockerTs;
    return ev;
  }

  while (msgStart < end && line.charCodeAt(msgStart) === 32) msgStart++;
  while (end > msgStart && line.charCodeAt(end - 1) === 32) end--;
  const text = line.slice(msgStart, end);
  const ev = classify(text, timestamp);
  if (dockerTs !== undefined) ev.dockerTimestamp = dockerTs;
  return ev;
}

const RUNNER_STARTING = /^runner\s+starting\b/i;
const RUNNER_STATUS = /^updating\s+runner\s+(?:status|state)\s+to\s+["']?([A-Za-z_]+)/i;
const PHASE = /^updating\s+step\s+progress\s+to\s+["']?([A-Za-z_]+)/i;
const GETTING_STEP = /^getting\s+step\s+stepid\s*\{/i;
const COMPLETING = /^completing\s+step\s+with\s+result\b\s*/i;

function classify(text: string, timestamp: string | null): LogEvent {
  // Dispatch on the first letter so most lines cost one comparison, not five regexes.
  switch (text.charCodeAt(0) | 0x20) {
    case 114 /* r */:
      if (RUNNER_STARTING.test(text)) return { kind: 'runner-starting', timestamp, text };
      break;
    case 117 /* u */: {
      const rs = RUNNER_STATUS.exec(text);
      if (rs) {
        const status = rs[1]!.toUpperCase();
        return status === 'ONLINE' ? { kind: 'online', timestamp, text } : { kind: 'runner-status', status, timestamp, text };
      }
      const m = PHASE.exec(text);
      if (m) return { kind: 'step-phase', phase: m[1]!.toUpperCase(), timestamp, text };
      break;
    }
    case 103 /* g */:
      if (GETTING_STEP.test(text)) return { kind: 'step-started', step: parseStepId(text), timestamp, text };
      break;
    case 99 /* c */: {
      const m = COMPLETING.exec(text);
      if (m) {
        const { status, error } = parseResult(text.slice(m[0].length));
        return { kind: 'step-completed', status, error, timestamp, text };
      }
      break;
    }
  }
  return { kind: 'message', timestamp, text };
}

const STEP_FIELD = /\b(accountUuid|repositoryUuid|pipelineUuid|stepUuid)\s*=\s*(\{[^}]*\}?|[^,}\s]*)/gi;
const FIELD_NAMES: Record<string, keyof StepId> = {
  accountuuid: 'accountUuid',
  repositoryuuid: 'repositoryUuid',
  pipelineuuid: 'pipelineUuid',
  stepuuid: 'stepUuid',
};

/** Fields in any order, with or without braces; missing or empty ones are left out. */
export function parseStepId(text: string): StepId {
  const id: StepId = {};
  STEP_FIELD.lastIndex = 0;
  for (let m = STEP_FIELD.exec(text); m !== null; m = STEP_FIELD.exec(text)) {
    const key = FIELD_NAMES[m[1]!.toLowerCase()];
    const inner = m[2]!.replace(/^[{"']+|[}"'.]+$/g, '').trim();
    if (key && inner !== '' && inner.toLowerCase() !== 'null') id[key] = `{${inner}}`;
  }
  return id;
}

const STATUS = /\bstatus\s*=\s*["']?([A-Za-z_]+)/i;
const ERROR_FIELD = /\berror\s*=\s*/i;

/** `Result{status=FAILED, error=Some(…)}.` → status word and error text (null for None). */
export function parseResult(rest: string): { status: string; error: string | null } {
  const sm = STATUS.exec(rest);
  // Older or trimmed wording may give the bare word: `…with result PASSED.`
  const status = (sm ? sm[1]! : (/^["']?([A-Za-z_]+)/.exec(rest)?.[1] ?? 'UNKNOWN')).toUpperCase();
  let error: string | null = null;
  const em = ERROR_FIELD.exec(rest);
  if (em) {
    let raw = rest.slice(em.index + em[0].length).trim();
    if (raw.endsWith('.')) raw = raw.slice(0, -1).trimEnd();
    if (raw.endsWith('}')) raw = raw.slice(0, -1).trimEnd();
    const some = /^(?:Some\(([\s\S]*)\)|Optional\[([\s\S]*)\])$/.exec(raw);
    if (some) raw = (some[1] ?? some[2] ?? '').trim();
    if (raw !== '' && !/^(?:None|null|Optional\.empty)$/i.test(raw)) error = raw;
  }
  return { status, error };
}
