/**
 * The engine's `/events` stream for containers, kept open: on a break it reports the loss once,
 * reconnects with capped exponential backoff (ping, then reopen), and hands the recovery to the
 * owner (which reconciles by label: events during the gap are lost).
 *
 * The stream carries every container event and is filtered by the owner: Docker ANDs different
 * filter keys and has no name-pattern filter, so one server-side filter cannot select both our
 * labelled runners and their unlabelled step containers.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import type { ContainerAction } from '../../shared/step-log/types.js';
import { jsonLines } from '../docker/json-lines.js';

/** The fields of an engine event the monitor reads (`docker events` JSON). */
export interface RawEngineEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

export interface ContainerEngineEvent {
  action: ContainerAction;
  containerId: string;
  /** The container's labels, plus `name` and (on `die`) `exitCode`. */
  attributes: Record<string, string>;
  /** ISO-8601. */
  time: string;
}

const FOLDED: ReadonlySet<string> = new Set(['create', 'start', 'restart', 'kill', 'oom', 'die', 'stop', 'destroy']);
const MAX_PARTIAL = 256 * 1024;

/** The container actions the monitor folds (`exec_start: sh` and the like are not), or null. */
export function readEngineEvent(ev: RawEngineEvent, now = Date.now()): ContainerEngineEvent | null {
  const action = (ev.Action ?? ev.status ?? '').split(':')[0]!;
  if (!FOLDED.has(action)) return null;
  const ms = ev.timeNano ? Math.floor(ev.timeNano / 1e6) : (ev.time ?? now / 1000) * 1000;
  return {
    action: action as ContainerAction,
    containerId: ev.Actor?.ID ?? ev.id ?? '',
    attributes: ev.Actor?.Attributes ?? {},
    time: new Date(ms).toISOString(),
  };
}

/** Delay before reconnect attempt `attempt` (0-based): doubling from `initialMs`, never above `maxMs`. */
export function reconnectDelay(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** attempt);
}

export interface EngineEventsOptions {
  docker: Docker;
  onEvent(event: ContainerEngineEvent): void;
  /** The stream broke; called once per outage, not per retry. */
  onLost(why: string): void;
  /**
   * The stream is open again; rejects when the engine went away again meanwhile (the stream's
   * end then brings the next outage).
   */
  onBack(): Promise<void>;
  reconnectInitialMs: number;
  reconnectMaxMs: number;
}

export class EngineEvents {
  readonly #o: EngineEventsOptions;
  #stream: Readable | null = null;
  #connected = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #attempt = 0;

  constructor(options: EngineEventsOptions) {
    this.#o = options;
  }

  get connected(): boolean {
    return this.#connected;
  }

  /** Opens the stream; a failure is the caller's (the engine is not there at start-up). */
  async open(): Promise<void> {
    await this.#open();
    this.#connected = !this.#closed;
  }

  /**
   * Opens the stream, or, when the engine is not there yet (a host started before Docker), keeps
   * trying on the same capped backoff as after a break; `onBack` then runs as after an outage.
   * Resolves with the reason it is not connected yet, or null when it is.
   */
  async openOrRetry(): Promise<string | null> {
    try {
      await this.open();
      return null;
    } catch (e) {
      this.#schedule();
      return e instanceof Error ? e.message : String(e);
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#stream?.destroy();
    this.#stream = null;
  }

  async #open(): Promise<void> {
    const stream = (await this.#o.docker.getEvents({ filters: { type: ['container'] } })) as unknown as Readable;
    if (this.#closed) {
      stream.destroy();
      return;
    }
    this.#stream = stream;
    stream.setEncoding('utf8');
    stream.on(
      'data',
      jsonLines<RawEngineEvent>((raw) => {
        const ev = readEngineEvent(raw);
        if (ev) this.#o.onEvent(ev);
      }, MAX_PARTIAL),
    );
    let gone = false;
    const broken = (why: string) => {
      if (gone) return;
      gone = true;
      if (this.#stream === stream) this.#stream = null;
      this.#broken(why);
    };
    stream.once('error', (e: Error) => broken(e.message));
    stream.once('end', () => broken('the engine closed its event stream'));
    stream.once('close', () => broken('the engine closed its event stream'));
  }

  #broken(why: string): void {
    if (this.#closed) return;
    if (this.#connected) {
      this.#connected = false;
      this.#o.onLost(why);
    }
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed || this.#timer) return;
    const delay = reconnectDelay(this.#attempt, this.#o.reconnectInitialMs, this.#o.reconnectMaxMs);
    this.#attempt++;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#o.docker.ping();
      await this.#open();
    } catch {
      this.#schedule();
      return;
    }
    if (this.#closed) return;
    this.#attempt = 0;
    this.#connected = true;
    await this.#o.onBack().catch(() => undefined);
  }
}
