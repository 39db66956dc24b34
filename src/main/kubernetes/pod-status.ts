/** A runner pod as `k8s status` shows it: phase, restarts, last termination, node. */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { RUNNER_CONTAINER } from '../../shared/k8s/names.js';

export interface RunnerPodStatus {
  name: string;
  phase: string;
  /** The runner container is running and ready. */
  ready: boolean;
  /** Restarts of the runner container (the kubelet restarts it when it exits non-zero). */
  restarts: number;
  /** Why it is not running now (CrashLoopBackOff, ErrImagePull, ContainerCreating…). */
  waiting: string | null;
  lastTermination: { reason: string; exitCode: number; finishedAt: string | null } | null;
  node: string | null;
  /** The scheduler's words while it cannot place the pod ("0/1 nodes are available: 1 Insufficient cpu."); null once placed. */
  unschedulable: string | null;
  startedAt: string | null;
  /** Restarts of the dind sidecar, plain container or native sidecar alike. */
  dindRestarts: number;
}

/** A pod time as the API client gives it (a Date, a string, or null) as ISO text. */
export function iso(d: Date | string | null | undefined): string | null {
  // The API sends null for a container that never started (and the client keeps it).
  if (d === undefined || d === null) return null;
  return typeof d === 'string' ? d : d.toISOString();
}

function runnerOf(statuses: V1ContainerStatus[] | undefined): V1ContainerStatus | undefined {
  return (statuses ?? []).find((s) => s.name === RUNNER_CONTAINER);
}

function unschedulableMessage(pod: V1Pod): string | null {
  const c = (pod.status?.conditions ?? []).find((x) => x.type === 'PodScheduled');
  if (!c || c.status !== 'False' || c.reason !== 'Unschedulable') return null;
  return c.message?.trim() || 'no node fits it';
}

export function runnerPodStatus(pod: V1Pod): RunnerPodStatus {
  const runner = runnerOf(pod.status?.containerStatuses);
  const dind = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name !== RUNNER_CONTAINER);
  const last = runner?.lastState?.terminated ?? runner?.state?.terminated;
  return {
    name: pod.metadata?.name ?? '?',
    phase: pod.metadata?.deletionTimestamp ? 'Terminating' : (pod.status?.phase ?? 'Unknown'),
    ready: Boolean(runner?.ready && runner.state?.running),
    restarts: runner?.restartCount ?? 0,
    waiting: runner?.state?.waiting?.reason ?? null,
    lastTermination: last
      ? { reason: last.reason ?? (last.exitCode === 0 ? 'Completed' : 'Error'), exitCode: last.exitCode, finishedAt: iso(last.finishedAt) }
      : null,
    node: pod.spec?.nodeName ?? null,
    unschedulable: unschedulableMessage(pod),
    startedAt: iso(runner?.state?.running?.startedAt),
    dindRestarts: dind?.restartCount ?? 0,
  };
}
