/**
 * The log view's lines, for a stream of 1,000 lines/s into a view that may hold 200,000:
 * appended in fixed-size chunks (no copy of the whole array per batch), dropped a chunk at a
 * time from the head, and searched incrementally (only lines not yet scanned for the current
 * query are looked at), so the work per batch follows the batch, not the log.
 */
import type { LogLine } from '../shared/contract/index.js';

/** A window onto the kept lines, or onto those matching a query. */
export interface LineList {
  readonly length: number;
  at(index: number): LogLine;
}

const CHUNK = 1024;

export class LogStore implements LineList {
  readonly #capacity: number;
  readonly #chunkSize: number;
  #chunks: LogLine[][] = [];
  #length = 0;
  /** Lines dropped from the head so far: the absolute position of `at(0)`. */
  #dropped = 0;
  #needle = '';
  /** Absolute positions of matching lines; those before `#matchHead` were dropped. */
  #matches: number[] = [];
  #matchHead = 0;
  /** Absolute position up to which lines were scanned for `#needle`. */
  #scanned = 0;

  /**
   * Keeps at least `capacity` newest lines and fewer than `capacity + chunkSize`: whole chunks
   * are dropped, so dropping never moves the lines kept.
   */
  constructor(capacity: number, chunkSize = CHUNK) {
    this.#capacity = capacity;
    this.#chunkSize = chunkSize;
  }

  get length(): number {
    return this.#length;
  }

  at(index: number): LogLine {
    return this.#chunks[Math.floor(index / this.#chunkSize)]![index % this.#chunkSize]!;
  }

  last(): LogLine | undefined {
    return this.#length > 0 ? this.at(this.#length - 1) : undefined;
  }

  push(lines: Iterable<LogLine>): void {
    for (const line of lines) {
      let tail = this.#chunks[this.#chunks.length - 1];
      if (!tail || tail.length === this.#chunkSize) this.#chunks.push((tail = []));
      tail.push(line);
      this.#length++;
    }
    while (this.#length - this.#chunkSize >= this.#capacity && this.#chunks.length > 1) {
      this.#chunks.shift();
      this.#length -= this.#chunkSize;
      this.#dropped += this.#chunkSize;
    }
    while (this.#matchHead < this.#matches.length && this.#matches[this.#matchHead]! < this.#dropped) this.#matchHead++;
    // Compacted now and then, not per drop: the cost is spread over many batches.
    if (this.#matchHead > 4096 && this.#matchHead * 2 > this.#matches.length) {
      this.#matches = this.#matches.slice(this.#matchHead);
      this.#matchHead = 0;
    }
  }

  /** Every kept line, oldest first, then empties the store. */
  *drain(): Generator<LogLine> {
    const chunks = this.#chunks;
    this.clear();
    for (const c of chunks) yield* c;
  }

  clear(): void {
    this.#dropped += this.#length;
    this.#chunks = [];
    this.#length = 0;
    this.#matches = [];
    this.#matchHead = 0;
    this.#scanned = this.#dropped;
  }

  /** The first kept line with exactly this text (for a diagnosis that names no line number). */
  findText(text: string): LogLine | undefined {
    for (const c of this.#chunks) for (const l of c) if (l.text === text) return l;
    return undefined;
  }

  /** Kept lines containing `needle` (lower case), case-insensitively. Scans only lines new since the last call with the same needle. */
  search(needle: string): LineList {
    if (needle !== this.#needle) {
      this.#needle = needle;
      this.#matches = [];
      this.#matchHead = 0;
      this.#scanned = this.#dropped;
    }
    const end = this.#dropped + this.#length;
    for (let abs = Math.max(this.#scanned, this.#dropped); abs < end; abs++) {
      if (
        this.at(abs - this.#dropped)
          .text.toLowerCase()
          .includes(needle)
      )
        this.#matches.push(abs);
    }
    this.#scanned = end;
    const matches = this.#matches;
    const head = this.#matchHead;
    const dropped = this.#dropped;
    return {
      length: matches.length - head,
      at: (i) => this.at(matches[head + i]! - dropped),
    };
  }

  texts(list: LineList = this): string {
    const out: string[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) out[i] = list.at(i).text;
    return out.join('\n');
  }
}
