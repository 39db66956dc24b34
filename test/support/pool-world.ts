/**
 * STAND-IN for what Bitbucket Cloud does between its API and the runners, for pool scenarios:
 * the Bitbucket stand-in (bitbucket-standin.ts) holds runners and queued steps; this world
 * watches the real containers on the private dockerd and moves the stand-in's state as
 * Bitbucket would (see /work/shared/BITBUCKET-RUNNERS-API.md):
 * - a running container whose env has a stand-in runner's RUNNER_UUID + OAUTH_CLIENT_ID/SECRET
 *   makes that runner ONLINE (after `onlineDelayMs`); its container gone or exited → OFFLINE.
 *   Wrong credentials: Bitbucket's OAuth 404, the runner crashes (or hangs, as chosen).
 * - a waiting step is handed to an idle ONLINE runner that serves its repository and has every
 *   label the step runs on: the step goes IN_PROGRESS (it leaves the queue), the runner shows it
 *   in `state.step`, and the stand-in runner image replays the recorded step log with the step's
 *   UUIDs (so the app's monitor sees BUSY); after `seconds` it completes with its result.
 * - failure switches: Bitbucket down (5xx or connections dropped; no step is handed out while
 *   down), 429 with Retry-After, slow ONLINE, runners that never come ONLINE.
 * The stand-in image learns of the world through a Docker volume of a known name (runner.sh):
 * its ONLINE line waits for the world's word, which `docker exec` brings, as it brings the steps.
 * Everything goes through the Docker API (dockerode); the world never prints a secret.
 * It can follow a cluster node's dockerd too (the k8s pool scenario): the kubelet runs the pods'
 * containers there with the Secret's values in their environment. A pod has no Docker socket,
 * so runner.sh is not gated: it prints its ONLINE line itself, the world's ONLINE exec returns
 * at once, and steps come by `docker exec` as on the private dockerd.
 *
 * API: PoolWorld.start(options) / close(); queueSteps(ws, slug, n, {labels, showRunsOn, seconds,
 * result, onePipeline, names}); finishStep(uuid) for `seconds: 'hold'`; configure({stepSeconds,
 * onlineDelayMs, unknownCredentials}); slowOnline(match, ms); neverOnline(match, 'hang'|'crash');
 * bitbucketDown({status} | 'unreachable') / bitbucketUp(); rateLimit(retryAfterSeconds, times);
 * stepOnDisable(ws, slug, options): a step handed to the runner the app's disable PUT is about to hit;
 * runners() and `events` (online, offline, held, rejected, dispatched, completed, lost) to assert
 * on; until(check, what). The stand-in's own stepStatus() / runnersOf() say the rest. In a test
 * file, usePoolWorld() (pool-world-fixture.ts) starts one per test and cleans up after it:
 *
 *   const bb = usePoolWorld({ tmpPrefix: 'rt-pool-', email: EMAIL, token: TOKEN });
 *   bb.world.queueSteps('acme', 'web-app', 3, { labels: ['self.hosted', 'linux'] });
 *   await bb.world.until(() => bb.world.runners().filter((r) => r.busy).length === 2, 'two busy');
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { BitbucketStandin, WaitingStandinStep } from './bitbucket-standin.js';
import type { StoredRunner } from './bitbucket-standin-runners.js';
import { ContainerFollower, type RunnerContainer } from './pool-world-containers.js';
import { execIn, WORLD_VOLUME, type StepRun } from './pool-world-exec.js';

export { WORLD_VOLUME } from './pool-world-exec.js';

export interface PoolWorldOptions {
  standin: BitbucketStandin;
  /** A client of the private dockerd the runners run on. */
  docker: Docker;
  /** From a runner's container running to Bitbucket calling it ONLINE (default 0). */
  onlineDelayMs?: number;
  /** How long a step's RUNNING phase lasts unless its queueSteps says otherwise; `hold` = until finishStep (default 2). */
  stepSeconds?: number | 'hold';
  /** A container whose credentials Bitbucket does not know: `crash` (OAuth 404 and exit 1, the default) or `hang` (never ONLINE). */
  unknownCredentials?: 'crash' | 'hang';
  /** How often waiting steps are matched with idle runners, in ms (default 200). */
  dispatchEveryMs?: number;
}

export interface QueueOptions {
  /** The labels the step runs on (its `runs-on`; default self.hosted + linux). */
  labels?: string[];
  /** Whether the step's JSON shows `runs_on` (Bitbucket's schema does not document it; default true). */
  showRunsOn?: boolean;
  /** Its RUNNING phase in seconds, or `hold` until finishStep (default: the world's stepSeconds). */
  seconds?: number | 'hold';
  /** How it ends (default SUCCESSFUL). */
  result?: 'SUCCESSFUL' | 'FAILED';
  /** All steps in one pipeline (parallel steps) instead of one pipeline each. */
  onePipeline?: boolean;
  /** Step names (default `Step 1`…). */
  names?: string[];
}

export interface QueuedStandinStep {
  workspace: string;
  repoSlug: string;
  pipelineUuid: string;
  stepUuid: string;
  name: string;
  buildNumber: number;
}

/** Which runners a switch applies to: by UUID, by name (string or pattern), or any test. */
export type RunnerMatch = { uuid: string } | { name: string | RegExp } | ((r: StoredRunner) => boolean);

export type WorldEvent =
  | { type: 'online' | 'offline' | 'held'; runnerUuid: string; at: number }
  | { type: 'rejected'; runnerUuid: string; reason: string; at: number }
  | { type: 'dispatched' | 'completed' | 'lost'; runnerUuid: string; stepUuid: string; result?: string; at: number };

/** A runner as the world sees it: Bitbucket's state and the container that runs it. */
export interface WorldRunner {
  uuid: string;
  name: string;
  status: StoredRunner['status'];
  busy: boolean;
  stepUuid?: string;
  containerId?: string;
}

interface Session {
  container: RunnerContainer;
  runnerUuid: string;
  /** Bitbucket accepted it: ONLINE in the stand-in, the container told so. */
  approved: boolean;
  timer?: NodeJS.Timeout;
}

interface StepPlan {
  labels: string[];
  seconds: number | 'hold';
  result: 'SUCCESSFUL' | 'FAILED';
}

const bare = (uuid: string) => uuid.replace(/[{}]/g, '').toLowerCase();
const DEFAULT_LABELS = ['self.hosted', 'linux'];
/** Lets the runner's startup pass its ONLINE line (runner.sh), and returns once the line is in its log. */
const SAY_ONLINE = 'touch /dev/shm/standin-online; until [ -f /dev/shm/standin-said-online ]; do sleep 0.1; done';

function matches(m: RunnerMatch, r: StoredRunner): boolean {
  if (typeof m === 'function') return m(r);
  if ('uuid' in m) return bare(m.uuid) === bare(r.uuid);
  return typeof m.name === 'string' ? m.name === r.name : m.name.test(r.name);
}

export class PoolWorld {
  readonly events: WorldEvent[] = [];
  readonly #o: Required<Omit<PoolWorldOptions, 'standin' | 'docker'>> & Pick<PoolWorldOptions, 'standin' | 'docker'>;
  readonly #follower: ContainerFollower;
  /** Container id → its run. */
  readonly #sessions = new Map<string, Session>();
  readonly #plans = new Map<string, StepPlan>();
  /** Step UUID → the run taking it (so finishStep knows the container). */
  readonly #runs = new Map<string, StepRun & { runnerUuid: string; containerId: string }>();
  readonly #delays: Array<{ match: RunnerMatch; ms: number }> = [];
  readonly #never: Array<{ match: RunnerMatch; how: 'hang' | 'crash' }> = [];
  readonly #buildNumbers = new Map<string, number>();
  readonly #seen = new Set<string>();
  #down: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  private constructor(o: PoolWorldOptions) {
    this.#o = { onlineDelayMs: 0, stepSeconds: 2, unknownCredentials: 'crash', dispatchEveryMs: 200, ...o };
    this.#follower = new ContainerFollower(o.docker, { running: (c) => this.#running(c), gone: (id) => this.#gone(id) });
  }

  static async start(options: PoolWorldOptions): Promise<PoolWorld> {
    const world = new PoolWorld(options);
    await options.docker.createVolume({ Name: WORLD_VOLUME, Labels: { 'runner-tray.standin-world': 'true' } });
    await world.#follower.start();
    world.#timer = setInterval(() => world.#dispatch(), world.#o.dispatchEveryMs);
    return world;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    this.#follower.close();
    for (const s of this.#sessions.values()) clearTimeout(s.timer);
    this.#down?.();
    await this.#o.docker
      .getVolume(WORLD_VOLUME)
      .remove()
      .catch(() => undefined);
  }

  /** Put `count` steps in the queue of a repository (added to the stand-in first), oldest first. */
  queueSteps(workspace: string, repoSlug: string, count: number, options: QueueOptions = {}): QueuedStandinStep[] {
    const out = this.#queue(workspace, repoSlug, count, options);
    this.#dispatch();
    return out;
  }

  /**
   * The retire window's race: when the next PUT that disables a runner (the app retiring it)
   * arrives, before Bitbucket applies it, one step is triggered and handed to that runner if it
   * is idle and connected, as Bitbucket's scheduler could have an instant before the PUT. The
   * disable then applies to a runner that is running the step. Resolves with that step.
   */
  stepOnDisable(workspace: string, repoSlug: string, options: Omit<QueueOptions, 'onePipeline'> = {}): Promise<QueuedStandinStep> {
    return new Promise((resolve) => {
      const off = this.#o.standin.meanwhile((r) => {
        const state = (r.body as { state?: { status?: string } } | undefined)?.state;
        if (r.method !== 'PUT' || state?.status !== 'DISABLED' || this.#closed) return;
        const runner = this.#runner(r.segments[r.segments.length - 1] ?? '');
        if (!runner || runner.status !== 'ONLINE' || runner.step || !this.#connected(runner.uuid)) return;
        off();
        const [queued] = this.#queue(workspace, repoSlug, 1, options);
        const step = this.#o.standin.waitingSteps().find((s) => s.stepUuid === queued!.stepUuid)!;
        this.#hand(runner, step);
        resolve(queued!);
      });
    });
  }

  #queue(workspace: string, repoSlug: string, count: number, options: QueueOptions): QueuedStandinStep[] {
    const labels = options.labels ?? DEFAULT_LABELS;
    const plan: StepPlan = { labels, seconds: options.seconds ?? this.#o.stepSeconds, result: options.result ?? 'SUCCESSFUL' };
    const steps = Array.from({ length: count }, (_, i) => ({ uuid: `{${randomUUID()}}`, name: options.names?.[i] ?? `Step ${i + 1}` }));
    const out: QueuedStandinStep[] = [];
    const groups = options.onePipeline ? [steps] : steps.map((s) => [s]);
    const key = `${workspace}/${repoSlug}`;
    for (const group of groups) {
      const buildNumber = (this.#buildNumbers.get(key) ?? 0) + 1;
      this.#buildNumbers.set(key, buildNumber);
      // Bitbucket's timestamp shape; the build number keeps pipelines queued in the same ms in order.
      const createdOn = new Date(Date.now() + buildNumber).toISOString().replace('Z', '000+00:00');
      const pipelineUuid = this.#o.standin.addPipeline(workspace, repoSlug, {
        buildNumber,
        state: 'PENDING',
        createdOn,
        steps: group.map((s) => ({ uuid: s.uuid, name: s.name, state: 'PENDING', ...(options.showRunsOn === false ? {} : { runsOn: labels }) })),
      });
      for (const s of group) {
        this.#plans.set(s.uuid, plan);
        out.push({ workspace, repoSlug, pipelineUuid, stepUuid: s.uuid, name: s.name, buildNumber });
      }
    }
    return out;
  }

  /** Change the defaults the world started with, for steps queued and containers seen from now on. */
  configure(change: Partial<Pick<PoolWorldOptions, 'onlineDelayMs' | 'stepSeconds' | 'unknownCredentials'>>): void {
    Object.assign(this.#o, change);
  }

  /** Runners matching `match` come ONLINE only `ms` after their container runs (the slow start). */
  slowOnline(match: RunnerMatch, ms: number): void {
    this.#delays.push({ match, ms });
  }

  /** Runners matching `match` never come ONLINE: their container hangs before connecting, or crashes with OAuth's 404. */
  neverOnline(match: RunnerMatch, how: 'hang' | 'crash' = 'hang'): void {
    this.#never.push({ match, how });
  }

  /** Bitbucket down: every API request answers `status` (default 503), or (`unreachable`) its connection is dropped; no step is handed out. */
  bitbucketDown(how: { status?: number } | 'unreachable' = {}): void {
    this.#down?.();
    this.#down = this.#o.standin.fault(how === 'unreachable' ? { drop: true, times: Infinity } : { status: how.status ?? 503, times: Infinity });
  }

  bitbucketUp(): void {
    this.#down?.();
    this.#down = undefined;
    this.#dispatch();
  }

  get down(): boolean {
    return this.#down !== undefined;
  }

  /** The next `times` API requests (default 1) answer 429 with Retry-After. */
  rateLimit(retryAfterSeconds = 1, times = 1): void {
    this.#o.standin.fault({ status: 429, retryAfter: String(retryAfterSeconds), times });
  }

  /** Ends a step queued with `seconds: 'hold'` now (its runner prints the rest of its log). */
  async finishStep(stepUuid: string): Promise<void> {
    const run = this.#runs.get(stepUuid);
    if (!run) throw new Error(`pool world: step ${stepUuid} is not running on any runner`);
    await execIn(this.#o.docker, run.containerId, ['touch', `/dev/shm/standin-finish-${bare(stepUuid)}`]);
  }

  /** Every stand-in runner with its container, as the world sees them now. */
  runners(): WorldRunner[] {
    return this.#o.standin.runnerOwners().map(({ runner: r }) => {
      const session = [...this.#sessions.values()].find((s) => bare(s.runnerUuid) === bare(r.uuid));
      return {
        uuid: r.uuid,
        name: r.name,
        status: r.status,
        busy: r.step !== null,
        ...(r.step ? { stepUuid: r.step.uuid } : {}),
        ...(session ? { containerId: session.container.id } : {}),
      };
    });
  }

  /** Ids of every stand-in runner container the world has seen run (for a test's cleanup). */
  containersSeen(): string[] {
    return [...this.#seen];
  }

  /** Resolves once `check` holds (checked every 100 ms), or rejects naming `what` after `timeoutMs`. */
  async until(check: () => boolean, what = 'the pool world to settle', timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; world events: ${JSON.stringify(this.events)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  #note(e: WorldEvent extends infer E ? (E extends WorldEvent ? Omit<E, 'at'> : never) : never): void {
    this.events.push({ ...e, at: Date.now() } as WorldEvent);
  }

  #runner(uuid: string): StoredRunner | undefined {
    return this.#o.standin.runnerOwners().find((o) => bare(o.runner.uuid) === bare(uuid))?.runner;
  }

  #running(c: RunnerContainer): void {
    if (this.#closed || !c.standin) return;
    this.#seen.add(c.id);
    const session: Session = { container: c, runnerUuid: c.runnerUuid, approved: false };
    this.#sessions.set(c.id, session);
    const runner = this.#runner(c.runnerUuid);
    if (!runner || runner.fixture || runner.oauthClientId !== c.clientId || runner.oauthClientSecret !== c.secret) {
      this.#note({ type: 'rejected', runnerUuid: c.runnerUuid, reason: runner ? 'OAuth credentials do not match' : 'no such runner in Bitbucket' });
      if (this.#o.unknownCredentials === 'crash') void execIn(this.#o.docker, c.id, ['touch', '/dev/shm/standin-reject']).catch(() => undefined);
      return;
    }
    const never = this.#never.find((n) => matches(n.match, runner));
    if (never) {
      this.#note({ type: 'held', runnerUuid: runner.uuid });
      if (never.how === 'crash') void execIn(this.#o.docker, c.id, ['touch', '/dev/shm/standin-reject']).catch(() => undefined);
      return;
    }
    const delay = this.#delays.find((d) => matches(d.match, runner))?.ms ?? this.#o.onlineDelayMs;
    session.timer = setTimeout(() => void this.#approve(session), delay);
  }

  async #approve(session: Session): Promise<void> {
    if (this.#closed || this.#sessions.get(session.container.id) !== session) return;
    // Bitbucket calls it ONLINE once its log says so: a step handed out earlier would come
    // before that line, and the app reading the log would think the runner idle again after it.
    const code = await execIn(this.#o.docker, session.container.id, ['/bin/sh', '-c', SAY_ONLINE]).catch(() => null);
    const runner = this.#runner(session.runnerUuid);
    if (code !== 0 || !runner || this.#closed || this.#sessions.get(session.container.id) !== session) return;
    session.approved = true;
    // DISABLED is Bitbucket's word, set through the API: a container connecting does not undo it.
    if (runner.status !== 'DISABLED') this.#o.standin.setRunnerState(runner.uuid, { status: 'ONLINE' });
    this.#note({ type: 'online', runnerUuid: runner.uuid });
    this.#dispatch();
  }

  #gone(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    clearTimeout(session.timer);
    this.#sessions.delete(id);
    if (!session.approved) return;
    for (const [stepUuid, run] of this.#runs) if (run.containerId === id) this.#endStep(stepUuid, 'ERROR', 'lost');
    const runner = this.#runner(session.runnerUuid);
    // Another container of the same runner still running (a swap) keeps it ONLINE.
    const still = [...this.#sessions.values()].some((s) => s.approved && bare(s.runnerUuid) === bare(session.runnerUuid));
    if (!runner || still) return;
    if (runner.status !== 'DISABLED') this.#o.standin.setRunnerState(runner.uuid, { status: 'OFFLINE', step: null });
    this.#note({ type: 'offline', runnerUuid: runner.uuid });
  }

  /** Bitbucket's scheduler: oldest waiting step first, to an idle ONLINE runner that may take it. */
  #dispatch(): void {
    if (this.#closed || this.#down) return;
    // Enabled again through the API while its container stays connected: ONLINE once more.
    for (const { runner: r } of this.#o.standin.runnerOwners()) {
      if (r.status === 'ENABLED' && this.#connected(r.uuid)) this.#o.standin.setRunnerState(r.uuid, { status: 'ONLINE' });
    }
    const taken = new Set<string>();
    for (const step of this.#o.standin.waitingSteps()) {
      const labels = this.#plans.get(step.stepUuid)?.labels ?? step.runsOn;
      // No runs-on: Bitbucket runs it on its own cloud runners, never on a self-hosted one.
      if (!labels || labels.length === 0) continue;
      const owner = this.#o.standin
        .runnerOwners()
        .find(({ runner: r, workspace, repoSlug }) => !taken.has(r.uuid) && this.#mayTake(r, workspace, repoSlug, step, labels));
      if (!owner) continue;
      taken.add(owner.runner.uuid);
      this.#hand(owner.runner, step);
    }
  }

  #mayTake(r: StoredRunner, workspace: string, repoSlug: string | undefined, step: WaitingStandinStep, labels: string[]): boolean {
    if (r.status !== 'ONLINE' || r.step || r.cordoned) return false;
    if (workspace !== step.workspace || (repoSlug !== undefined && repoSlug !== step.repoSlug)) return false;
    if (!labels.every((l) => r.labels.includes(l.toLowerCase()))) return false;
    return this.#connected(r.uuid);
  }

  /** A container of this runner runs and Bitbucket accepted it. */
  #connected(runnerUuid: string): boolean {
    return [...this.#sessions.values()].some((s) => s.approved && bare(s.runnerUuid) === bare(runnerUuid));
  }

  #hand(runner: StoredRunner, step: WaitingStandinStep): void {
    const session = [...this.#sessions.values()].find((s) => s.approved && bare(s.runnerUuid) === bare(runner.uuid))!;
    const plan = this.#plans.get(step.stepUuid) ?? { labels: [], seconds: this.#o.stepSeconds, result: 'SUCCESSFUL' };
    this.#o.standin.setStepState(step.workspace, step.repoSlug, step.pipelineUuid, step.stepUuid, { state: 'IN_PROGRESS' });
    this.#o.standin.setRunnerState(runner.uuid, { step: { uuid: step.stepUuid, pipelineUuid: step.pipelineUuid } });
    this.#note({ type: 'dispatched', runnerUuid: runner.uuid, stepUuid: step.stepUuid });
    const env = [
      'STANDIN_SCRIPT=take-step',
      `STANDIN_STEP_PIPELINE=${step.pipelineUuid}`,
      `STANDIN_STEP_UUID=${step.stepUuid}`,
      `STANDIN_STEP_REPOSITORY=${step.repositoryUuid}`,
      `STANDIN_STEP_SECONDS=${plan.seconds}`,
      `STANDIN_STEP_RESULT=${plan.result === 'FAILED' ? 'failed' : 'passed'}`,
    ];
    const run = { step, runnerUuid: runner.uuid, containerId: session.container.id };
    this.#runs.set(step.stepUuid, run);
    execIn(this.#o.docker, session.container.id, ['/bin/sh', '/runner.sh'], env).then(
      (code) => this.#endStep(step.stepUuid, code === 0 ? plan.result : 'ERROR', code === 0 ? 'completed' : 'lost'),
      () => this.#endStep(step.stepUuid, 'ERROR', 'lost'),
    );
  }

  #endStep(stepUuid: string, result: 'SUCCESSFUL' | 'FAILED' | 'ERROR', how: 'completed' | 'lost'): void {
    const run = this.#runs.get(stepUuid);
    if (!run) return;
    this.#runs.delete(stepUuid);
    const { step } = run;
    this.#o.standin.setStepState(step.workspace, step.repoSlug, step.pipelineUuid, stepUuid, { state: 'COMPLETED', result });
    const runner = this.#runner(run.runnerUuid);
    if (runner && runner.step?.uuid === stepUuid) this.#o.standin.setRunnerState(runner.uuid, { step: null });
    this.#note({ type: how, runnerUuid: run.runnerUuid, stepUuid, result });
    this.#dispatch();
  }
}
