/**
 * A runner pod read as a local runner's container: the runner container's state in Docker's words
 * (so `shared/runner-state`'s one rule judges both), its env as `NAME=value` strings (TZ), and the
 * Secret keys its env reads (the values the log must be masked of).
 */
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import type { PlacementView } from '../../shared/contract/views.js';
import { RUNNER_CONTAINER } from '../../shared/k8s/names.js';
import type { ContainerState, RunnerContainerFacts } from '../../shared/runner-state.js';
import type { RunnerPlacement } from '../settings/types.js';
import { iso, type RunnerPodStatus } from './pod-status.js';

/** Waiting reasons that are a start in progress, not a problem. */
const STARTING_REASONS = new Set(['ContainerCreating', 'PodInitializing']);

export interface RunnerPodFacts extends RunnerContainerFacts {
  /** The kubelet's reason when the runner container waits on something other than its start (ErrImagePull…). */
  problemReason: string | null;
  /** ISO-8601 start of the running container. */
  startedAt: string | null;
  image: string | null;
}

export function runnerContainerStatus(pod: V1Pod): V1ContainerStatus | undefined {
  return (pod.status?.containerStatuses ?? []).find((s) => s.name === RUNNER_CONTAINER);
}

/**
 * The kubelet restarts a runner container that exits (restartPolicy Always / OnFailure) after a
 * back-off, as Docker's `unless-stopped` does: a container waiting after an exit is `restarting`.
 */
export function runnerPodFacts(pod: V1Pod | null): RunnerPodFacts {
  const none = { problemReason: null, startedAt: null, image: null };
  if (!pod) return { containerId: null, containerState: 'missing', exitCode: null, ...none };
  const cs = runnerContainerStatus(pod);
  const image = cs?.image ?? pod.spec?.containers.find((c) => c.name === RUNNER_CONTAINER)?.image ?? null;
  const base = { problemReason: null, startedAt: null, image };
  if (pod.metadata?.deletionTimestamp) return { containerId: cs?.containerID ?? null, containerState: 'removing', exitCode: null, ...base };
  if (!cs) return { containerId: null, containerState: 'created', exitCode: null, ...base };
  const s = cs.state ?? {};
  const last = cs.lastState?.terminated;
  if (s.running) return { containerId: cs.containerID ?? null, containerState: 'running', exitCode: null, ...base, startedAt: iso(s.running.startedAt) };
  if (s.terminated) {
    // A Job's runner that finished, or a pod that failed for good: nothing restarts it.
    const state: ContainerState = pod.status?.phase === 'Running' || pod.status?.phase === 'Pending' ? 'restarting' : 'exited';
    return { containerId: s.terminated.containerID ?? cs.containerID ?? null, containerState: state, exitCode: s.terminated.exitCode, ...base };
  }
  const reason = s.waiting?.reason ?? null;
  if (last) {
    return {
      containerId: last.containerID ?? null,
      containerState: 'restarting',
      exitCode: last.exitCode,
      ...base,
      problemReason: reason === 'CrashLoopBackOff' || reason === null ? null : reason,
    };
  }
  return { containerId: null, containerState: 'created', exitCode: null, ...base, problemReason: reason && !STARTING_REASONS.has(reason) ? reason : null };
}

/** The runner container's literal env as `NAME=value` (values from Secrets are not read here). */
export function runnerPodEnv(pod: V1Pod): string[] {
  const c = pod.spec?.containers.find((x) => x.name === RUNNER_CONTAINER);
  return (c?.env ?? []).flatMap((e) => (e.value !== undefined ? [`${e.name}=${e.value}`] : []));
}

/** The Secret keys the runner container's env reads: their values are what its log is masked of. */
export function runnerSecretRefs(pod: V1Pod): Array<{ env: string; name: string; key: string }> {
  const c = pod.spec?.containers.find((x) => x.name === RUNNER_CONTAINER);
  return (c?.env ?? []).flatMap((e) => {
    const ref = e.valueFrom?.secretKeyRef;
    return ref?.name && ref.key ? [{ env: e.name, name: ref.name, key: ref.key }] : [];
  });
}

/** Among a runner's pods, the one that is it: not being deleted, newest first (Recreate leaves one). */
export function currentPod(pods: readonly V1Pod[]): V1Pod | null {
  const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
  const pick = (live.length > 0 ? live : [...pods]).sort((a, b) => created(b) - created(a));
  return pick[0] ?? null;
}

function created(p: V1Pod): number {
  const t = p.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

export function placementView(placement: RunnerPlacement, pod: RunnerPodStatus | null, problem: string | null): PlacementView {
  return {
    ...placement,
    pod: pod
      ? {
          name: pod.name,
          phase: pod.waiting ?? pod.phase,
          ready: pod.ready,
          restarts: pod.restarts,
          node: pod.node,
          lastTermination: pod.lastTermination ? `${pod.lastTermination.reason} (exit ${pod.lastTermination.exitCode})` : null,
        }
      : null,
    problem,
  };
}
