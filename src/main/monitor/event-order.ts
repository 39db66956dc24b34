/**
 * A runner container's engine events and its log lines arrive on two streams, and under load
 * either may run ahead: the `die` before the run's last lines (which hold the diagnosis a crash
 * verdict names), or the next run's lines before its `start` (which would then wipe them). Per
 * runner, events wait here while a `die`'s log is drained, in the engine's order, and a log line
 * stamped after a waiting event lets that event go first, so the fold sees both in time order.
 */

export interface OrderedEvent {
  /** The engine's time of the event, ms. */
  timeMs: number;
  /** A start: a line stamped in the same millisecond belongs to the new run. */
  starts: boolean;
  /** `inLine`: called while a log line is being split (the splitter must not be ended then). */
  apply(inLine: boolean): void;
  /** Resolves when the event may be applied without waiting for more lines (default: at once). */
  drain?: () => Promise<void>;
}

export class EventOrder {
  readonly #queue: OrderedEvent[] = [];
  #pumping = false;
  #wake: (() => void) | null = null;

  /** Nothing waits: an event that needs no drain can be applied at once. */
  get idle(): boolean {
    return this.#queue.length === 0;
  }

  push(event: OrderedEvent): void {
    this.#queue.push(event);
    void this.#pump();
  }

  /** A log line stamped `timeMs` is about to be folded: the events that happened before it go first. */
  before(timeMs: number): void {
    let released = false;
    for (let e = this.#queue[0]; e && (e.timeMs < timeMs || (e.starts && e.timeMs <= timeMs)); e = this.#queue[0]) {
      this.#queue.shift();
      e.apply(true);
      released = true;
    }
    if (released) this.#wake?.();
  }

  /** Applies whatever waits (the monitor closes, or the container was replaced). */
  flush(): void {
    for (let e = this.#queue.shift(); e; e = this.#queue.shift()) e.apply(false);
    this.#wake?.();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#queue.length > 0) {
        const e = this.#queue[0]!;
        if (e.drain) {
          const woken = new Promise<void>((resolve) => (this.#wake = resolve));
          await Promise.race([e.drain(), woken]);
          this.#wake = null;
        }
        // A later line may have let it (and more) go meanwhile.
        if (this.#queue[0] === e) {
          this.#queue.shift();
          e.apply(false);
        }
      }
    } finally {
      this.#pumping = false;
    }
  }
}
