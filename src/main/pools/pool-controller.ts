/**
 * One pool's controller: every poll it observes the pool (observe.ts), lets planPool decide, and
 * acts — creates runners, retires those past their cool-down (never one that took a step),
 * retires runners that never came online (reported with the reason, replaced one at a time) or
 * are gone, and deletes orphans in Bitbucket. A Bitbucket error (429, 5xx, unreachable) holds the
 * pool as it is and backs off. Every write and every decision that changed something is a line
 * in the pool's activity and the app's log.
 */
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import { BitbucketError, type BitbucketClient } from '../bitbucket/client.js';
import type { BitbucketConnection } from '../bitbucket/connection.js';
import { deleteRunner, ownerText } from '../bitbucket/runners-api.js';
import { createBitbucketRunner } from '../runners/create-runner.js';
import type { RunnerService } from '../runners/runner-service.js';
import type { RunnerRecord } from '../settings/types.js';
import { key, type RunnerBackend } from './backends.js';
import { stuckReason } from './classify.js';
import { newMemory, observePool, type Observation, type ObservedRunner } from './observe.js';
import { Backoff, holdingProblem, PoolJournal } from './pool-journal.js';
import { nextRunnerName } from './pool-rules.js';
import { retireRunner } from './retire.js';
import { poolView } from './pool-view.js';

export interface PoolControllerDeps {
  /** The pool's settings now; undefined once it was removed (the controller then drains it). */
  config: () => PoolConfig | undefined;
  pools: () => readonly PoolConfig[];
  records: () => readonly RunnerRecord[];
  bitbucket: () => Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null>;
  runners: () => Promise<RunnerService>;
  backend: RunnerBackend;
  /** For a local start: connected before the create, so no runner is made in Bitbucket while Docker is down. */
  engine?: () => Promise<unknown>;
  log: (line: string) => void;
  pollMs: number;
  maxBackoffMs?: number;
  now?: () => number;
  onChange?: (view: PoolView) => void;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function seen(o: Observation): string {
  const c = o.plan.counts;
  return `${plural(c.waiting, 'step')} waiting, ${c.busy} busy, ${c.idle} idle, ${c.starting} starting`;
}

export class PoolController {
  readonly name: string;
  readonly journal: PoolJournal;
  readonly #deps: PoolControllerDeps;
  readonly #memory = newMemory();
  readonly #backoff: Backoff;
  readonly #now: () => number;
  #config: PoolConfig;
  #last: Observation | null = null;
  #status: PoolView['status'] = 'inactive';
  #problem: string | null = null;
  #stuckProblem: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #running = false;
  #draining = false;
  #round: Promise<void> = Promise.resolve();

  constructor(config: PoolConfig, deps: PoolControllerDeps) {
    this.name = config.name;
    this.#config = config;
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
    this.journal = new PoolJournal(config.name, deps.log);
    this.#backoff = new Backoff(deps.pollMs, deps.maxBackoffMs ?? 15 * 60_000);
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Poll from now on: the first round at once. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#status = 'active';
    this.#schedule(0);
  }

  /** No more rounds; the one in flight finishes. */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#round;
  }

  /** Retire every runner of the pool from now on: idle ones at once, busy ones once their step ends. */
  async drain(): Promise<{ retired: number; waitingForSteps: number }> {
    this.#draining = true;
    let result = { retired: 0, waitingForSteps: 0 };
    await this.#exclusive(async () => {
      result = await this.#drainRound();
    });
    return result;
  }

  view(): PoolView {
    return poolView({
      config: this.#config,
      status: this.#status,
      problem: this.#problem ?? this.#stuckProblem,
      observation: this.#last,
      journal: this.journal,
    });
  }

  /** One observation and plan, acting on nothing (`pool show` on the one-shot CLI). */
  async inspect(): Promise<PoolView> {
    await this.#exclusive(async () => {
      const opened = await this.#open();
      if (!opened) return;
      this.#last = await this.#observe(opened);
      this.#problem = null;
    }).catch((e: unknown) => {
      this.#problem = e instanceof Error ? e.message : String(e);
    });
    return this.view();
  }

  /** One round now (tests and `tick` both go through here). */
  async tick(): Promise<void> {
    let next = this.#deps.pollMs;
    await this.#exclusive(async () => {
      try {
        next = await this.#roundOnce();
      } catch (e) {
        next = this.#backoff.failed(e);
        this.#status = 'holding';
        this.#problem = holdingProblem(e, next);
        if (this.#backoff.failures === 1) this.journal.note(`holding the pool as it is: ${this.#problem}`);
      }
    });
    this.#deps.onChange?.(this.view());
    if (this.#running) this.#schedule(next);
  }

  #schedule(ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.tick();
    }, ms);
    this.#timer.unref?.();
  }

  #exclusive(fn: () => Promise<void>): Promise<void> {
    const run = this.#round.then(fn);
    this.#round = run.catch(() => undefined);
    return run;
  }

  async #open(): Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null> {
    const config = this.#deps.config();
    if (config) this.#config = config;
    const opened = await this.#deps.bitbucket();
    if (!opened) this.#problem = 'Bitbucket is not connected: run runner-tray bitbucket connect (the pool needs its API to create runners).';
    return opened;
  }

  #observe(opened: { client: BitbucketClient; connection: BitbucketConnection }): Promise<Observation> {
    const config = this.#draining ? { ...this.#config, min: 0, max: Math.max(1, this.#config.max), idle: 0, coolDownMs: 0 } : this.#config;
    return observePool({
      config,
      ...opened,
      backend: this.#deps.backend,
      records: this.#deps.records(),
      pools: this.#deps.pools(),
      now: this.#now(),
      memory: this.#memory,
      runnersOnly: this.#draining,
    });
  }

  /** Returns the delay to the next round. */
  async #roundOnce(): Promise<number> {
    if (!this.#deps.config() && !this.#draining) this.#draining = true;
    const opened = await this.#open();
    if (!opened) return this.#backoff.failed(new BitbucketError('BITBUCKET_CONFIG', 'not connected'));
    if (this.#draining) {
      await this.#drainRound(opened);
      return this.#backoff.succeeded();
    }
    const o = await this.#observe(opened);
    const before = this.#status;
    this.#last = o;
    this.#status = 'active';
    this.#problem = null;
    if (before === 'holding') this.journal.note('Bitbucket answers again: the pool follows the queue again');
    // A starter that did not come online stays the problem until its replacement is no starter any more.
    if (o.plan.counts.starting === 0 && !o.plan.retire.some((r) => r.reason === 'did-not-come-online')) this.#stuckProblem = null;
    await this.#act(opened.client, opened.connection, o);
    this.journal.sample({ desired: o.plan.desired, busy: o.plan.counts.busy, waiting: o.plan.counts.waiting }, new Date(o.at));
    return this.#backoff.succeeded();
  }

  async #act(client: BitbucketClient, connection: BitbucketConnection, o: Observation): Promise<void> {
    const runners = await this.#deps.runners();
    const byUuid = new Map(o.runners.map((r) => [key(r.record.spec.runnerUuid), r]));
    if (o.plan.cappedBy === 'host' && o.plan.create === 0 && o.plan.counts.waiting > 0) this.#problem = o.plan.notes[0] ?? null;
    for (const r of o.plan.retire) {
      const runner = byUuid.get(key(r.uuid));
      if (runner) await this.#retire(client, runners, o, runner, r.reason);
    }
    for (const orphan of o.orphans) {
      const owner = { workspace: o.config.workspace, ...(o.config.repository ? { repository: o.config.repository } : {}) };
      const outcome = await deleteRunner(client, owner, orphan.uuid);
      this.journal.note(
        `deleted orphan runner ${orphan.name} ${orphan.uuid} in Bitbucket ${ownerText(owner)}: it exists nowhere here (${orphan.status})${outcome === 'already-gone' ? '; it was already gone' : ''}`,
      );
    }
    for (let i = 0; i < o.plan.create; i++) await this.#create(client, connection, runners, o);
  }

  async #retire(client: BitbucketClient, runners: RunnerService, o: Observation, r: ObservedRunner, reason: string): Promise<void> {
    const name = r.record.displayName;
    const why =
      reason === 'idle-past-cool-down'
        ? `idle past the ${Math.round(o.config.coolDownMs / 1000)} s cool-down (${seen(o)}, desired ${o.plan.desired})`
        : reason === 'did-not-come-online'
          ? stuckReason(r.facts, o.config.startTimeoutMs)
          : (r.judged.reason ?? 'offline');
    if (reason === 'did-not-come-online') {
      this.#stuckProblem = `Runner ${name} ${why}; it was retired and one new runner is made in its place.`;
    }
    const log = (line: string) => this.journal.note(line);
    const outcome = await retireRunner({ client, runners, backend: this.#deps.backend, log }, r.record, { checkSteps: reason === 'idle-past-cool-down', why });
    if (outcome.retired) this.journal.note(`retired runner ${name}: ${why}`);
    else this.journal.note(`kept runner ${name}: ${outcome.why} during the retire window`);
  }

  async #create(client: BitbucketClient, connection: BitbucketConnection, runners: RunnerService, o: Observation): Promise<void> {
    const c = o.config;
    const taken = [...this.#deps.records().map((r) => r.displayName), ...o.bitbucket.map((r) => r.name)];
    const name = nextRunnerName(c.name, taken);
    const local = this.#deps.backend.startsLocally;
    try {
      const created = await createBitbucketRunner(
        { client, connection, runners, log: (line) => this.journal.note(line), ...(local && this.#deps.engine ? { engine: this.#deps.engine } : {}) },
        {
          workspace: c.workspace,
          ...(c.repository ? { repository: c.repository } : {}),
          name,
          labels: c.labels,
          workDir: c.workDir ? `${c.workDir.replace(/\/+$/, '')}/${name}` : 'auto',
          start: local,
          pool: c.name,
        },
      );
      if (!local) await this.#place(client, runners, created.record);
      this.journal.note(`created runner ${name}: ${seen(o)}, desired ${o.plan.desired}`);
    } catch (e) {
      this.journal.note(`creating runner ${name} failed: ${(e as Error).message}`);
      throw e;
    }
  }

  /** A cluster pool: the workload after the create; a failure deletes the runner again (here and in Bitbucket). */
  async #place(client: BitbucketClient, runners: RunnerService, record: RunnerRecord): Promise<void> {
    try {
      await this.#deps.backend.place(record);
    } catch (e) {
      await retireRunner({ client, runners, backend: this.#deps.backend, log: (line) => this.journal.note(line) }, record, {
        checkSteps: false,
        why: 'its workload could not be applied',
      }).catch(() => undefined);
      throw e;
    }
  }

  async #drainRound(given?: { client: BitbucketClient; connection: BitbucketConnection }): Promise<{ retired: number; waitingForSteps: number }> {
    const opened = given ?? (await this.#open());
    if (!opened) throw new BitbucketError('BITBUCKET_CONFIG', this.#problem ?? 'Bitbucket is not connected.');
    const o = await this.#observe(opened);
    this.#last = o;
    const runners = await this.#deps.runners();
    let retired = 0;
    let waitingForSteps = 0;
    for (const r of o.runners) {
      if (r.judged.state === 'busy') {
        waitingForSteps += 1;
        continue;
      }
      const log = (line: string) => this.journal.note(line);
      const outcome = await retireRunner({ client: opened.client, runners, backend: this.#deps.backend, log }, r.record, {
        checkSteps: r.judged.state === 'idle',
        why: 'the pool is being removed',
      });
      if (outcome.retired) {
        retired += 1;
        this.journal.note(`retired runner ${r.record.displayName}: the pool is being removed`);
      } else waitingForSteps += 1;
    }
    return { retired, waitingForSteps };
  }

  /** Runners of the pool still stored here. */
  remaining(): number {
    return this.#deps.records().filter((r) => r.pool === this.name).length;
  }
}
