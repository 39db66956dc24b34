/**
 * One observation of a pool: its runners (records with `pool === name`) as Bitbucket, their
 * backend and their logs see them, the steps waiting for it, orphans, the host's cap; then
 * planPool's decision. Reading only: acting on it is the controller's.
 */
import { planPool } from '../../shared/pools/plan.js';
import type { PoolConfig, PoolPlan, PoolRunner, WaitingStep } from '../../shared/pools/types.js';
import type { BitbucketClient } from '../bitbucket/client.js';
import type { BitbucketConnection } from '../bitbucket/connection.js';
import { fetchQueuedSteps, fetchRunners, recentRepositories, type BitbucketRunnerView } from '../bitbucket/queued.js';
import type { RunnerRecord } from '../settings/types.js';
import { key, type RunnerBackend } from './backends.js';
import { judgeRunner, type Judged, type RunnerFacts } from './classify.js';
import { findOrphans, hostLimit } from './pool-rules.js';

export interface ObserveInput {
  config: PoolConfig;
  client: BitbucketClient;
  connection: BitbucketConnection;
  backend: RunnerBackend;
  /** Every stored runner (a runner of ours is never an orphan; other docker runners share the host's memory). */
  records: readonly RunnerRecord[];
  /** Every pool, for the sizes of other docker pools' runners. */
  pools: readonly PoolConfig[];
  now: number;
  /** What the controller remembers between observations. */
  memory: PoolMemory;
  signal?: AbortSignal;
  /** Draining (the pool is being removed): its runners only, no queue. */
  runnersOnly?: boolean;
}

/** Kept by the controller from one observation to the next. */
export interface PoolMemory {
  /** Bare UUID → epoch ms since it is idle. */
  idleSince: Map<string, number>;
  /** Bare UUIDs seen ONLINE (idle or busy) at least once. */
  seenOnline: Set<string>;
  orphanCandidates: Set<string>;
  /** Repositories a workspace pool watches when the connection names none: fetched now and then. */
  recent?: { at: number; repositories: string[] };
}

export const newMemory = (): PoolMemory => ({ idleSince: new Map(), seenOnline: new Set(), orphanCandidates: new Set() });

export interface ObservedRunner {
  record: RunnerRecord;
  facts: RunnerFacts;
  judged: Judged;
  /** Epoch ms since when it is in this state, when known. */
  since: number | null;
}

export interface Observation {
  config: PoolConfig;
  runners: ObservedRunner[];
  steps: WaitingStep[];
  bitbucket: BitbucketRunnerView[];
  orphans: BitbucketRunnerView[];
  hostLimit: number | undefined;
  plan: PoolPlan;
  at: number;
}

const RECENT_REFRESH_MS = 10 * 60_000;

/** The repositories whose queue the pool counts: its own, else the connection's watch list, else the workspace's most recently updated. */
async function poolRepositories(i: ObserveInput): Promise<string[]> {
  const { config, connection } = i;
  if (config.repository) return [`${config.workspace}/${config.repository}`];
  const watched = connection.workspace === config.workspace ? connection.watchedRepositories : [];
  if (watched.length > 0) return [...watched];
  if (!i.memory.recent || i.now - i.memory.recent.at > RECENT_REFRESH_MS) {
    i.memory.recent = { at: i.now, repositories: await recentRepositories(i.client, config.workspace, 10, i.signal) };
  }
  return i.memory.recent.repositories;
}

/** Bitbucket does not document a step's runs_on: no labels read is "unknown", counted for every pool serving the repository. */
function waitingSteps(steps: ReadonlyArray<{ stepUuid: string; repository: string; runsOn: string[]; manual: boolean }>): WaitingStep[] {
  return steps.filter((s) => !s.manual).map((s) => ({ stepUuid: s.stepUuid, repository: s.repository, labels: s.runsOn.length > 0 ? s.runsOn : null }));
}

function otherSizes(i: ObserveInput): Array<PoolConfig['size']> {
  const sizeOf = new Map(i.pools.filter((p) => p.on === 'docker').map((p) => [p.name, p.size]));
  return i.records.filter((r) => !r.placement && r.pool !== i.config.name).map((r) => (r.pool ? (sizeOf.get(r.pool) ?? '1x') : '1x'));
}

export async function observePool(i: ObserveInput): Promise<Observation> {
  const { config, memory, now } = i;
  const opts = i.signal ? { signal: i.signal } : {};
  const repositories = i.runnersOnly ? [] : await poolRepositories(i);
  const [queued, bitbucket] = await Promise.all([
    i.runnersOnly ? { steps: [] } : fetchQueuedSteps(i.client, { workspace: config.workspace, repositories, ...opts }),
    fetchRunners(i.client, { workspace: config.workspace, ...(config.repository ? { repository: config.repository } : {}), ...opts }),
  ]);
  const mine = i.records.filter((r) => r.pool === config.name);
  const placement = await i.backend.facts(mine);
  const byUuid = new Map(bitbucket.map((r) => [key(r.uuid), r]));
  const runners: ObservedRunner[] = mine.map((record) => {
    const k = key(record.spec.runnerUuid);
    const facts: RunnerFacts = {
      uuid: record.spec.runnerUuid,
      createdAt: Date.parse(record.addedAt),
      bitbucket: byUuid.get(k) ?? null,
      placement: placement.get(k) ?? { presence: 'missing', logBusy: false, reason: null },
      seenOnline: memory.seenOnline.has(k),
    };
    const judged = judgeRunner(facts);
    if (judged.state === 'idle' || judged.state === 'busy') memory.seenOnline.add(k);
    if (judged.state === 'idle') {
      if (!memory.idleSince.has(k)) memory.idleSince.set(k, now);
    } else memory.idleSince.delete(k);
    return { record, facts, judged, since: judged.state === 'idle' ? memory.idleSince.get(k)! : null };
  });
  const known = new Set(i.records.map((r) => key(r.spec.runnerUuid)));
  const orphans = findOrphans({ pool: config, bitbucket, known, creating: new Set(), previous: memory.orphanCandidates });
  memory.orphanCandidates = orphans.candidates;

  let limit: number | undefined;
  if (config.on === 'docker') {
    const mem = await i.backend.memTotalBytes();
    if (mem !== null) limit = hostLimit(mem, config.size, otherSizes(i));
  }
  const steps = waitingSteps(queued.steps);
  const planned: PoolRunner[] = runners.map((r) => ({
    uuid: r.record.spec.runnerUuid,
    state: r.judged.state,
    createdAt: r.facts.createdAt,
    ...(r.since !== null ? { idleSince: r.since } : {}),
  }));
  const plan = planPool({ pool: config, runners: planned, steps, now, ...(limit !== undefined ? { hostLimit: limit } : {}) });
  return { config, runners, steps, bitbucket, orphans: orphans.remove, hostLimit: limit, plan, at: now };
}
