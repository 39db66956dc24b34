import { LineSplitter } from '../line-splitter.js';
import { parseLogLine, parseUtcOffset, type ParseLineOptions } from './parse-line.js';
import { isKnownTimeZone } from './time-zone.js';
import type { LogEvent } from './types.js';

export interface LogReaderOptions extends ParseLineOptions {
  /**
   * A line longer than this (no newline yet) is cut and emitted, so a runaway line
   * cannot grow memory without bound. Default 64 KiB.
   */
  maxLineLength?: number;
}

/**
 * Turns a stream of text chunks (split anywhere, LF or CRLF) into numbered events.
 * Continuation lines (stack traces) get `attachedTo` = the line number of the dated
 * event before them, and that event's timestamp. Keeps no lines, only the unfinished tail.
 */
export class LogReader {
  #lineNumber = 0;
  #parentLine: number | undefined;
  #parentTime: string | null = null;
  #options: ParseLineOptions;
  readonly #splitter: LineSplitter;
  /** Where the splitter's lines go during one `push`/`end`. */
  #out: LogEvent[] = [];

  constructor(options: LogReaderOptions = {}) {
    this.#options = {};
    this.setTimeZone(options);
    this.#splitter = new LineSplitter((line) => this.#line(line, this.#out), options.maxLineLength ?? 64 * 1024);
  }

  /**
   * How later lines' `[date]` are read (a container's `TZ` becomes known after its log reader
   * exists). Throws a RangeError naming a bad offset or zone, before anything changes.
   */
  setTimeZone(options: Pick<ParseLineOptions, 'utcOffset' | 'timeZone'>): void {
    if (options.utcOffset !== undefined) parseUtcOffset(options.utcOffset);
    if (options.timeZone !== undefined && !isKnownTimeZone(options.timeZone)) {
      throw new RangeError(
        `Time zone "${options.timeZone}" is not known: use an IANA name such as Europe/Warsaw or America/New_York, or an offset such as +02:00.`,
      );
    }
    const next: ParseLineOptions = {};
    if (options.timeZone !== undefined) next.timeZone = options.timeZone;
    else if (options.utcOffset !== undefined) next.utcOffset = options.utcOffset;
    this.#options = next;
  }

  /** Lines read so far, blank ones included (they keep line numbers honest). */
  get lineCount(): number {
    return this.#lineNumber;
  }

  push(chunk: string): LogEvent[] {
    const out: LogEvent[] = (this.#out = []);
    this.#splitter.push(chunk);
    return out;
  }

  /** Flush a final line that had no newline. */
  end(): LogEvent[] {
    const out: LogEvent[] = (this.#out = []);
    this.#splitter.end();
    return out;
  }

  /** Parse one already-split line (e.g. from a line-oriented source). */
  line(line: string): LogEvent | null {
    const out: LogEvent[] = [];
    this.#line(line, out);
    return out[0] ?? null;
  }

  #line(line: string, out: LogEvent[]): void {
    const n = ++this.#lineNumber;
    const ev = parseLogLine(line, this.#options);
    if (ev === null) return;
    ev.lineNumber = n;
    if (ev.kind === 'continuation') {
      if (this.#parentLine !== undefined) {
        ev.attachedTo = this.#parentLine;
        ev.timestamp = this.#parentTime;
      }
    } else {
      this.#parentLine = n;
      this.#parentTime = ev.timestamp;
    }
    out.push(ev);
  }
}

/** Whole text → events (for saved logs and tests). */
export function readLogText(text: string, options?: LogReaderOptions): LogEvent[] {
  const reader = new LogReader(options);
  const events = reader.push(text);
  for (const ev of reader.end()) events.push(ev);
  return events;
}
