/**
 * Taking over runners started by hand: the secret (and secret-looking extra variables) into the
 * vault, the rest into settings exactly as a pasted command would be, then the container recreated
 * as ours (labels, restart policy, log limits) through the start's adopt swap, which removes the
 * old container only once the new one runs. Nothing half-done: a failed save touches no container,
 * and a failed swap forgets what was saved, leaving the old container running as it was.
 */
import type Docker from 'dockerode';
import { parseHandMadeContainer } from '../../shared/runner-command/from-container.js';
import type { ParseResult } from '../../shared/runner-command/types.js';
import { listHandMadeRunners, type HandMadeRunner } from '../docker/hand-made-containers.js';
import { inspectContainer } from '../docker/runner-containers.js';
import type { RunnerStore } from '../settings/types.js';
import { EngineAccess, type EngineSource } from './engine-access.js';
import { RunnerError } from './errors.js';
import type { RunnerLifecycle } from './lifecycle.js';
import { findRecord } from './runner-records.js';

/** A runner container started by hand, as it may be shown: no secret, no value of any variable. */
export interface ImportCandidate {
  containerId: string;
  name: string;
  image: string;
  /** The engine's state word (`running`, `exited`, …). */
  state: string;
  /** RUNNER_UUID from its environment, braces as the parser gives them (null when it has none). */
  runnerUuid: string | null;
  /** Set when the runner is already saved: its display name (take the container over with `start --adopt`). */
  savedAs?: string;
  /** Why it cannot be imported as it is (the parser's words, secrets masked); absent when it can. */
  problem?: string;
}

export interface ImportResult {
  runnerUuid: string;
  name: string;
  /** The hand-made container, now removed. */
  previousContainerId: string;
  /** Ours, running. */
  containerId: string | null;
  /** The parser's warnings and the service's (shared working directory), as for a paste. */
  warnings: Array<{ code: string; message: string }>;
}

export interface ImportFailure {
  name: string;
  containerId: string;
  code: string;
  message: string;
}

export interface RunnerImportDeps {
  engine: EngineSource;
  lifecycle: RunnerLifecycle;
  store: RunnerStore;
}

/** Full id, an id prefix of at least 4 characters, or the name (with or without `/`). */
function matches(runner: HandMadeRunner, ref: string): boolean {
  const r = ref.trim().replace(/^\//, '');
  return runner.name === r || runner.id === r || (r.length >= 4 && /^[0-9a-f]+$/.test(r) && runner.id.startsWith(r));
}

export class RunnerImport {
  readonly #engine: EngineAccess;
  readonly #lifecycle: RunnerLifecycle;
  readonly #store: RunnerStore;

  constructor(deps: RunnerImportDeps) {
    this.#engine = new EngineAccess(deps.engine);
    this.#lifecycle = deps.lifecycle;
    this.#store = deps.store;
  }

  /** The runner containers on this engine that are not ours, and whether each can be imported. */
  async candidates(): Promise<ImportCandidate[]> {
    const found = await this.#engine.call((docker) => listHandMadeRunners(docker));
    return found.map((r) => this.#candidate(r, parseHandMadeContainer(r.container)));
  }

  #candidate(r: HandMadeRunner, parsed: ParseResult): ImportCandidate {
    const runnerUuid = parsed.ok ? parsed.spec.runnerUuid : r.runnerUuid;
    const c: ImportCandidate = { containerId: r.id, name: r.name, image: r.image, state: r.state, runnerUuid };
    const saved = runnerUuid ? findRecord(this.#store.list(), runnerUuid) : undefined;
    if (saved) c.savedAs = saved.displayName;
    if (!parsed.ok) c.problem = parsed.error.message;
    else if (saved) c.problem = alreadySaved(r.name, runnerUuid!, saved.displayName);
    return c;
  }

  /** Imports one container (id, id prefix or name): see the file comment for what is done, in which order. */
  async importOne(ref: string): Promise<ImportResult> {
    const docker = await this.#engine.call(async (d) => d);
    const all = await this.#engine.call(() => listHandMadeRunners(docker));
    const runner = all.find((r) => matches(r, ref));
    if (!runner) {
      const names = all.map((r) => r.name);
      throw new RunnerError(
        'RUNNER_NOT_FOUND',
        `No runner container started by hand matches "${ref}". ` +
          (names.length > 0 ? `Those found: ${names.join(', ')}.` : 'None was found on this engine (`runner-tray import` lists them).'),
      );
    }
    return this.#import(docker, runner);
  }

  /**
   * Every container that can be imported, one after the other; one failing does not stop the
   * others. Those that cannot be imported as they are (not a complete runner command, or a runner
   * already saved) are skipped with the reason.
   */
  async importAll(): Promise<{ imported: ImportResult[]; failed: ImportFailure[]; skipped: ImportFailure[] }> {
    const docker = await this.#engine.call(async (d) => d);
    const imported: ImportResult[] = [];
    const failed: ImportFailure[] = [];
    const skipped: ImportFailure[] = [];
    for (const runner of await this.#engine.call(() => listHandMadeRunners(docker))) {
      const candidate = this.#candidate(runner, parseHandMadeContainer(runner.container));
      if (candidate.problem !== undefined) {
        skipped.push({ name: runner.name, containerId: runner.id, code: candidate.savedAs ? 'RUNNER_EXISTS' : 'INVALID_RUNNER', message: candidate.problem });
        continue;
      }
      try {
        imported.push(await this.#import(docker, runner));
      } catch (e) {
        failed.push({ name: runner.name, containerId: runner.id, code: String((e as { code?: unknown }).code ?? 'UNEXPECTED'), message: (e as Error).message });
      }
    }
    return { imported, failed, skipped };
  }

  async #import(docker: Docker, runner: HandMadeRunner): Promise<ImportResult> {
    const parsed = parseHandMadeContainer(runner.container);
    if (!parsed.ok) {
      throw new RunnerError('INVALID_RUNNER', `The container ${runner.name} cannot be imported (it is left as it is): ${parsed.error.message}`);
    }
    const uuid = parsed.spec.runnerUuid;
    const saved = findRecord(this.#store.list(), uuid);
    if (saved) throw new RunnerError('RUNNER_EXISTS', alreadySaved(runner.name, uuid, saved.displayName), uuid);
    // Vault, then settings (undone together on failure): no container is touched before both are written.
    const added = await this.#lifecycle.add(parsed, {});
    let containerId: string | null;
    try {
      containerId = (await this.#lifecycle.start(uuid, { adopt: true })).containerId;
    } catch (e) {
      if (!(await inspectContainer(docker, runner.id).catch(() => null))) throw e; // swapped: the runner is ours now
      // The swap put the old container back: forget what was saved, so it is as before.
      await this.#lifecycle.remove(uuid).catch(() => undefined);
      const code = e instanceof RunnerError ? e.code : 'ENGINE_ERROR';
      throw new RunnerError(
        code,
        `The container ${runner.name} was not imported (nothing was saved, the container is as it was): ${(e as Error).message}`,
        uuid,
      );
    }
    return {
      runnerUuid: uuid,
      name: parsed.spec.name,
      previousContainerId: runner.id,
      containerId,
      warnings: [...parsed.warnings, ...added.warnings].map(({ code, message }) => ({ code, message })),
    };
  }
}

function alreadySaved(name: string, uuid: string, displayName: string): string {
  return (
    `Runner ${uuid} is already saved (as "${displayName}"); to replace the container ${name} with Runner Tray's, ` + `run: runner-tray start ${uuid} --adopt`
  );
}
