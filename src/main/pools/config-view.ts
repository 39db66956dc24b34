/** A pool's view from its settings alone: what the UI shows before (or without) a controller's observation. */
import type { PoolView } from '../../shared/contract/pool-views.js';
import type { PoolConfig } from '../../shared/pools/types.js';

export function poolViewFromConfig(p: PoolConfig): PoolView {
  return {
    name: p.name,
    on: p.on,
    workspace: p.workspace,
    repository: p.repository ?? null,
    labels: [...p.labels],
    min: p.min,
    max: p.max,
    idle: p.idle,
    coolDownSeconds: Math.round(p.coolDownMs / 1000),
    startTimeoutSeconds: Math.round(p.startTimeoutMs / 1000),
    size: p.size,
    kubernetes: p.kubernetes
      ? { context: p.kubernetes.context ?? null, namespace: p.kubernetes.namespace, imagePullPolicy: p.kubernetes.imagePullPolicy ?? 'Always' }
      : null,
    status: 'inactive',
    desired: 0,
    counts: { busy: 0, idle: 0, starting: 0, offline: 0, waiting: 0, waitingUnknownLabels: 0 },
    cappedBy: null,
    problem: null,
    notes: [],
    runners: [],
    activity: [],
    history: [],
    observedAt: null,
  };
}
