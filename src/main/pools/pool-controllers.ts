/**
 * `ctx.pools()`: one PoolController per pool in settings, started by the long-running hosts and
 * kept in step with settings (a pool added, edited or removed by `pool add|edit|remove` from
 * another process is noticed within a few seconds; a removed one drains, then goes).
 */
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import type { BitbucketClient } from '../bitbucket/client.js';
import type { BitbucketConnection } from '../bitbucket/connection.js';
import { intervalForRepositories } from '../bitbucket/poller.js';
import type { RunnerService } from '../runners/runner-service.js';
import type { PoolStore, RunnerRecord } from '../settings/types.js';
import type { RunnerBackend } from './backends.js';
import { PoolController } from './pool-controller.js';
import { poolView } from './pool-view.js';
import type { PoolControllers } from './types.js';

export interface PoolControllersDeps {
  pools: PoolStore;
  records: () => readonly RunnerRecord[];
  bitbucket: () => Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null>;
  runners: () => Promise<RunnerService>;
  backend: (pool: () => PoolConfig) => RunnerBackend;
  engine?: () => Promise<unknown>;
  log: (line: string) => void;
  /** Fixed poll interval (tests, RUNNER_TRAY_POOL_POLL_MS); default: the queue poller's rate-limit rule. */
  pollMs?: number;
  /** How often settings are read again for pools added, edited or removed. Default 5 s. */
  settingsMs?: number;
  maxBackoffMs?: number;
}

export class PoolError extends Error {
  constructor(
    readonly code: 'POOL_NOT_FOUND',
    message: string,
  ) {
    super(message);
    this.name = 'PoolError';
  }
}

/** A pool's poll: one pipeline list per repository, steps of active ones and its runner list, within half the hourly limit. */
function defaultPollMs(pool: PoolConfig, pools: number): number {
  return intervalForRepositories((pool.repository ? 1 : 10) + 1) * Math.max(1, pools);
}

export class PoolControllerSet implements PoolControllers {
  readonly #deps: PoolControllersDeps;
  readonly #controllers = new Map<string, { controller: PoolController; kind: PoolConfig['on'] }>();
  readonly #listeners = new Set<(view: PoolView) => void>();
  #timer: NodeJS.Timeout | null = null;
  #started = false;

  constructor(deps: PoolControllersDeps) {
    this.#deps = deps;
  }

  #controller(config: PoolConfig): PoolController {
    const name = config.name;
    let last = config;
    const current = () => {
      const c = this.#deps.pools.get(name);
      if (c) last = c;
      return c;
    };
    return new PoolController(config, {
      config: current,
      pools: () => this.#deps.pools.list(),
      records: this.#deps.records,
      bitbucket: this.#deps.bitbucket,
      runners: this.#deps.runners,
      backend: this.#deps.backend(() => last),
      ...(config.on === 'docker' && this.#deps.engine ? { engine: this.#deps.engine } : {}),
      log: this.#deps.log,
      pollMs: this.#deps.pollMs ?? defaultPollMs(config, this.#deps.pools.list().length),
      ...(this.#deps.maxBackoffMs !== undefined ? { maxBackoffMs: this.#deps.maxBackoffMs } : {}),
      onChange: (view) => {
        for (const l of this.#listeners) l(view);
      },
    });
  }

  async start(): Promise<void> {
    if (this.#started) return;
    this.#started = true;
    this.#sync();
    const every = this.#deps.settingsMs ?? 5000;
    this.#timer = setInterval(() => this.#sync(), every);
    this.#timer.unref?.();
    await Promise.resolve();
  }

  /** Settings against the running controllers: new pools start, edited ones are read per round, removed ones drain. */
  #sync(): void {
    const configs = this.#deps.pools.list();
    for (const c of configs) {
      const existing = this.#controllers.get(c.name);
      if (existing && existing.kind !== c.on) {
        // Moved between Docker and a cluster: a new controller with the other backend.
        void existing.controller.stop();
        this.#controllers.delete(c.name);
      }
      if (!this.#controllers.has(c.name)) {
        const controller = this.#controller(c);
        this.#controllers.set(c.name, { controller, kind: c.on });
        controller.start();
      }
    }
    const names = new Set(configs.map((c) => c.name));
    for (const [name, { controller }] of this.#controllers) {
      if (names.has(name) || controller.remaining() > 0) continue;
      void controller.stop();
      this.#controllers.delete(name);
    }
  }

  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.all([...this.#controllers.values()].map((c) => c.controller.stop()));
    this.#controllers.clear();
  }

  views(): PoolView[] {
    return this.#deps.pools
      .list()
      .map(
        (c) => this.#controllers.get(c.name)?.controller.view() ?? poolView({ config: c, status: 'inactive', problem: null, observation: null, journal: null }),
      );
  }

  onChange(listener: (view: PoolView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #config(name: string): PoolConfig {
    const c = this.#deps.pools.get(name);
    if (!c) {
      const known = this.#deps.pools.list().map((p) => p.name);
      throw new PoolError(
        'POOL_NOT_FOUND',
        `There is no pool "${name}"${known.length ? ` (pools: ${known.join(', ')})` : ''}. Add one with runner-tray pool add ${name} --workspace W --max N.`,
      );
    }
    return c;
  }

  async inspect(name: string): Promise<PoolView> {
    const running = this.#controllers.get(name)?.controller;
    if (running) return running.inspect();
    return this.#controller(this.#config(name)).inspect();
  }

  async retireAll(name: string): Promise<{ retired: number; waitingForSteps: number }> {
    const running = this.#controllers.get(name)?.controller;
    if (running) return running.drain();
    const config = this.#deps.pools.get(name);
    // Removed from settings already (`pool remove` stores first): its runners still carry its name.
    const controller = this.#controller(config ?? this.#removedConfig(name));
    return controller.drain();
  }

  /** Enough of a removed pool to retire its runners by: Bitbucket identifies them by their records. */
  #removedConfig(name: string): PoolConfig {
    const any = this.#deps.records().find((r) => r.pool === name);
    if (!any) return this.#config(name);
    const repository = any.spec.kind === 'repository' ? any.spec.repositoryUuid : undefined;
    return {
      name,
      workspace: any.spec.accountUuid,
      ...(repository ? { repository } : {}),
      labels: [],
      min: 0,
      max: 1,
      idle: 0,
      coolDownMs: 0,
      startTimeoutMs: 1000,
      on: any.placement ? 'kubernetes' : 'docker',
      size: '1x',
      createdAt: new Date(0).toISOString(),
      ...(any.placement ? { kubernetes: { namespace: any.placement.namespace, context: any.placement.context } } : {}),
    };
  }
}
