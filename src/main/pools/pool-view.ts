/** A pool as the UI sees it: its settings, the last observation and plan, its activity and last hour. */
import type { PoolRunnerView, PoolView } from '../../shared/contract/pool-views.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import type { Observation } from './observe.js';
import type { PoolJournal } from './pool-journal.js';

export interface PoolViewInput {
  config: PoolConfig;
  status: PoolView['status'];
  problem: string | null;
  observation: Observation | null;
  journal: Pick<PoolJournal, 'activity' | 'history'> | null;
}

const iso = (ms: number | null) => (ms === null || Number.isNaN(ms) ? null : new Date(ms).toISOString());

function runnerViews(o: Observation): PoolRunnerView[] {
  const retiring = new Set(o.plan.retire.map((r) => r.uuid));
  return o.runners.map((r) => {
    const uuid = r.record.spec.runnerUuid;
    const state = retiring.has(uuid) ? 'retiring' : r.judged.state;
    return {
      runnerUuid: uuid,
      displayName: r.record.displayName,
      state,
      since: state === 'idle' ? iso(r.since) : state === 'starting' ? iso(r.facts.createdAt) : null,
      reason: r.judged.reason,
    };
  });
}

export function poolView({ config, status, problem, observation: o, journal }: PoolViewInput): PoolView {
  const counts = o?.plan.counts ?? { busy: 0, idle: 0, starting: 0, offline: 0, waiting: 0, waitingUnknownLabels: 0 };
  return {
    name: config.name,
    on: config.on,
    workspace: config.workspace,
    repository: config.repository ?? null,
    labels: [...config.labels],
    min: config.min,
    max: config.max,
    idle: config.idle,
    coolDownSeconds: Math.round(config.coolDownMs / 1000),
    startTimeoutSeconds: Math.round(config.startTimeoutMs / 1000),
    size: config.size,
    kubernetes: config.kubernetes
      ? { context: config.kubernetes.context ?? null, namespace: config.kubernetes.namespace, imagePullPolicy: config.kubernetes.imagePullPolicy ?? 'Always' }
      : null,
    status,
    desired: o?.plan.desired ?? 0,
    counts: { ...counts },
    cappedBy: o?.plan.cappedBy ?? null,
    problem,
    notes: o ? [...o.plan.notes] : [],
    runners: o ? runnerViews(o) : [],
    activity: journal ? journal.activity.map((a) => ({ ...a })) : [],
    history: journal ? journal.history.map((h) => ({ ...h })) : [],
    observedAt: o ? new Date(o.at).toISOString() : null,
  };
}

/** A pool's view from its settings alone: what the UI shows before (or without) a controller's observation. */
export function poolViewFromConfig(config: PoolConfig): PoolView {
  return poolView({ config, status: 'inactive', problem: null, observation: null, journal: null });
}
