/**
 * The runner service's way to the engine: connected on first use (adding a runner needs no
 * engine), and every engine failure turned into a RunnerError that names the engine and the
 * fix, scrubbed of the runner's secrets.
 */
import type Docker from 'dockerode';
import type { Secret } from '../../shared/secret.js';
import { EngineUnreachableError, type Engine } from '../docker/engine.js';
import { engineMessage, statusCodeOf } from '../docker/engine-errors.js';
import { RunnerError } from './errors.js';

export type EngineSource = Engine | (() => Promise<Engine>);

const CONNECTION_LOST = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);

export class EngineAccess {
  readonly #source: EngineSource;
  #engine: Promise<Engine> | undefined;
  /** Set once connected: the engine named in error messages. */
  #connected: Engine | undefined;
  /** Every runner secret this process has handled: masked out of any engine error, whichever call it comes from. */
  readonly #known = new Set<Secret>();

  constructor(source: EngineSource) {
    this.#source = source;
    if (typeof source !== 'function') {
      this.#connected = source;
      this.#engine = Promise.resolve(source);
    }
  }

  /** The engine, connected on first use; a failed attempt is not remembered, so the next call retries. */
  connect(): Promise<Engine> {
    if (!this.#engine) {
      const source = this.#source as () => Promise<Engine>;
      this.#engine = source().then(
        (engine) => (this.#connected = engine),
        (e: unknown) => {
          this.#engine = undefined;
          throw e;
        },
      );
    }
    return this.#engine;
  }

  /** `fn` on the engine's client; its failures (and the connection's) wrapped. */
  async call<T>(fn: (docker: Docker) => Promise<T>, runnerUuid?: string): Promise<T> {
    try {
      return await fn((await this.connect()).docker);
    } catch (e) {
      throw this.wrap(e, runnerUuid);
    }
  }

  /** Secrets to mask from every engine error from now on (the runner service's, as it reads or stores them). */
  remember(secrets: Iterable<Secret>): void {
    for (const s of secrets) this.#known.add(s);
  }

  /**
   * Engine failures become ENGINE_ERROR with the engine's words, scrubbed of the given and every
   * remembered secret. An engine that answered with an error carries its HTTP status, so it is
   * not reported as an engine that cannot be reached.
   */
  wrap(e: unknown, runnerUuid?: string, secrets: readonly Secret[] = []): Error {
    if (e instanceof RunnerError) return e;
    // Its message already names every place looked at and the fix.
    if (e instanceof EngineUnreachableError) return e;
    const sysCode = (e as { code?: unknown } | null)?.code;
    if (typeof sysCode === 'string' && CONNECTION_LOST.has(sysCode)) {
      const where = this.#connected ? `at ${this.#connected.facts.host} (${this.#connected.facts.source}) ` : '';
      return new RunnerError(
        'ENGINE_ERROR',
        `The Docker engine ${where}stopped answering (${sysCode}). Start Docker again; ` + 'runners with restart policy unless-stopped come back with it.',
        runnerUuid,
      );
    }
    const message = engineMessage(e, [...secrets, ...this.#known]);
    return new RunnerError('ENGINE_ERROR', `Docker engine error${runnerUuid ? ` for runner ${runnerUuid}` : ''}: ${message}`, runnerUuid, statusCodeOf(e));
  }
}
