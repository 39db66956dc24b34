/**
 * Text that arrives in chunks cut anywhere (a followed log, a socket) as whole lines, without
 * their `\n` (a `\r` before it is the caller's to keep or drop). The one splitter behind every
 * log reader: the step-log reader, the runner monitor's runner and step-container logs.
 */
export class LineSplitter {
  #tail = '';
  readonly #onLine: (line: string) => void;
  readonly #maxLine: number;

  /**
   * A line with no newline yet that grows past `maxLine` is handed out in `maxLine` pieces, so a
   * runaway line cannot grow memory without bound.
   */
  constructor(onLine: (line: string) => void, maxLine: number) {
    if (!(maxLine >= 1)) throw new RangeError(`maxLine must be at least 1 character, got ${maxLine}.`);
    this.#onLine = onLine;
    this.#maxLine = maxLine;
  }

  push(chunk: string): void {
    let text = this.#tail === '' ? chunk : this.#tail + chunk;
    let from = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
      this.#onLine(text.slice(from, nl));
      from = nl + 1;
    }
    text = from === 0 ? text : text.slice(from);
    while (text.length > this.#maxLine) {
      this.#onLine(text.slice(0, this.#maxLine));
      text = text.slice(this.#maxLine);
    }
    this.#tail = text;
  }

  /** Hands out the unfinished last line, if any (the stream ended without a newline). */
  end(): void {
    const tail = this.#tail;
    this.#tail = '';
    if (tail !== '') this.#onLine(tail);
  }

  /** Drops the unfinished line (its source was replaced). */
  reset(): void {
    this.#tail = '';
  }
}

/** The lines of a whole text, a final line without newline included. */
export function splitLines(text: string, maxLine = Number.MAX_SAFE_INTEGER): string[] {
  const out: string[] = [];
  const splitter = new LineSplitter((line) => out.push(line), maxLine);
  splitter.push(text);
  splitter.end();
  return out;
}
