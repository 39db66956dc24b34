/**
 * Where a pool's runners run, as one small interface: this machine's Docker engine, or a
 * Kubernetes cluster (`on: kubernetes`). The controller creates the runner in Bitbucket and
 * stores it the same way for both; the backend only runs it, says how it runs, and takes it away.
 */
import type { PoolConfig } from '../../shared/pools/types.js';
import type { Engine } from '../docker/engine.js';
import { stepContainersOf } from '../docker/step-container-cleanup.js';
import type { RunnerPlacements } from '../kubernetes/runner-placement.js';
import type { RunnerMonitor } from '../monitor/runner-monitor.js';
import type { RunnerService, RunnerStatus } from '../runners/runner-service.js';
import { runnerStateOf } from '../runners/runner-state.js';
import type { RunnerRecord } from '../settings/types.js';
import type { PlacementFact } from './classify.js';

export interface RunnerBackend {
  readonly kind: PoolConfig['on'];
  /** Whether the runner is created with a local start (Docker) or placed after the create (Kubernetes). */
  readonly startsLocally: boolean;
  /** Run a runner just created and stored (Kubernetes: apply its workload; Docker starts it in the create). */
  place(record: RunnerRecord): Promise<void>;
  /** How each runner runs now, by bare lower-case UUID. */
  facts(records: readonly RunnerRecord[]): Promise<Map<string, PlacementFact>>;
  /** A fresh look, right before a retire: does its log (or a step container) say it took a step? */
  busyNow(record: RunnerRecord): Promise<boolean>;
  /** Stop it and take its container / workload away (settings and secret are the caller's). */
  remove(record: RunnerRecord): Promise<void>;
  /** The engine's memory, for the host cap; null when there is no host limit (a cluster) or it is unknown. */
  memTotalBytes(): Promise<number | null>;
}

export const key = (uuid: string): string => uuid.replace(/[{}]/g, '').toLowerCase();

export interface DockerBackendDeps {
  runners: () => Promise<RunnerService>;
  engine: () => Promise<Engine>;
  /** The host's live monitor, when one runs here: BUSY the moment the log says so. */
  monitor?: () => RunnerMonitor | undefined;
}

function dockerPresence(s: RunnerStatus): Pick<PlacementFact, 'presence' | 'reason'> {
  switch (s.containerState) {
    case 'running':
      return { presence: 'running', reason: null };
    case 'missing':
      return { presence: 'missing', reason: null };
    case 'created':
    case 'restarting':
      return { presence: 'starting', reason: `its container is ${s.containerState}` };
    default:
      return { presence: 'down', reason: `its container is ${s.containerState}${s.exitCode !== null ? ` (exit code ${s.exitCode})` : ''}` };
  }
}

export class DockerBackend implements RunnerBackend {
  readonly kind = 'docker' as const;
  readonly startsLocally = true;
  readonly #deps: DockerBackendDeps;

  constructor(deps: DockerBackendDeps) {
    this.#deps = deps;
  }

  async place(record: RunnerRecord): Promise<void> {
    await (await this.#deps.runners()).start(record.spec.runnerUuid);
  }

  async facts(records: readonly RunnerRecord[]): Promise<Map<string, PlacementFact>> {
    const out = new Map<string, PlacementFact>();
    if (records.length === 0) return out;
    const wanted = new Set(records.map((r) => key(r.spec.runnerUuid)));
    const statuses = (await (await this.#deps.runners()).list()).filter((s) => wanted.has(key(s.runnerUuid)));
    const monitor = this.#deps.monitor?.();
    for (const s of statuses) {
      const base = dockerPresence(s);
      let logBusy = false;
      let reason = base.reason;
      if (base.presence === 'running') {
        const snap = monitor?.snapshot(s.runnerUuid);
        // No monitor (a one-shot command), or it has not seen this container yet: a replay of the log tail, as `list` reads it.
        const state = snap && snap.containerId === s.containerId ? snap.runnerState : await runnerStateOf((await this.#deps.engine()).docker, s);
        logBusy = state === 'BUSY';
        if (state === 'UNHEALTHY' || state === 'CRASHED') reason = `its log says ${state}${snap?.reason ? ` (${snap.reason})` : ''}`;
      }
      out.set(key(s.runnerUuid), { presence: base.presence, logBusy, reason });
    }
    return out;
  }

  async busyNow(record: RunnerRecord): Promise<boolean> {
    const uuid = record.spec.runnerUuid;
    const service = await this.#deps.runners();
    const status = await service.status(uuid);
    const docker = (await this.#deps.engine()).docker;
    if ((await runnerStateOf(docker, status)) === 'BUSY') return true;
    return (await stepContainersOf(docker, uuid)).some((c) => c.running);
  }

  async remove(record: RunnerRecord): Promise<void> {
    await (await this.#deps.runners()).stop(record.spec.runnerUuid);
  }

  async memTotalBytes(): Promise<number | null> {
    const mem = (await this.#deps.engine()).facts.memTotalBytes;
    return mem > 0 ? mem : null;
  }
}

export interface KubernetesBackendDeps {
  placements: () => RunnerPlacements;
  pool: () => PoolConfig;
}

/** A pod that is not running yet, in words: unschedulable (with the scheduler's reason), pulling, creating. */
function podReason(pod: { phase: string; waiting: string | null; node: string | null; unschedulable: string | null }): string {
  if (pod.waiting) return `pod ${pod.waiting}${/Image|Pull/i.test(pod.waiting) ? ' (image pull)' : ''}`;
  if (pod.unschedulable) return `pod unschedulable: ${pod.unschedulable}`;
  if (pod.phase === 'Pending' && pod.node === null) return 'pod unschedulable: no node fits it yet';
  return `pod ${pod.phase}`;
}

export class KubernetesBackend implements RunnerBackend {
  readonly kind = 'kubernetes' as const;
  readonly startsLocally = false;
  readonly #deps: KubernetesBackendDeps;

  constructor(deps: KubernetesBackendDeps) {
    this.#deps = deps;
  }

  async place(record: RunnerRecord): Promise<void> {
    const pool = this.#deps.pool();
    const k = pool.kubernetes;
    // Just created, never started here: nothing local to protect, so the move needs no engine check.
    await this.#deps.placements().apply(record.spec.runnerUuid, {
      namespace: k?.namespace ?? 'default',
      size: pool.size,
      labels: pool.labels,
      force: true,
      ...(k?.context ? { context: k.context } : {}),
      ...(k?.imagePullPolicy ? { imagePullPolicy: k.imagePullPolicy } : {}),
    });
  }

  async facts(records: readonly RunnerRecord[]): Promise<Map<string, PlacementFact>> {
    const out = new Map<string, PlacementFact>();
    const placements = this.#deps.placements();
    for (const r of records) {
      if (!r.placement) {
        out.set(key(r.spec.runnerUuid), { presence: 'missing', logBusy: false, reason: 'no workload on the cluster' });
        continue;
      }
      const [s] = await placements.status(r.spec.runnerUuid);
      const pods = s?.pods.filter((p) => p.phase !== 'Terminating') ?? [];
      if (!s?.workload?.exists) out.set(key(r.spec.runnerUuid), { presence: 'missing', logBusy: false, reason: 'its workload is gone' });
      else if (pods.some((p) => p.ready)) out.set(key(r.spec.runnerUuid), { presence: 'running', logBusy: false, reason: null });
      else if (pods.length > 0 && pods.every((p) => p.phase === 'Failed'))
        out.set(key(r.spec.runnerUuid), { presence: 'down', logBusy: false, reason: podReason(pods[0]!) });
      else out.set(key(r.spec.runnerUuid), { presence: 'starting', logBusy: false, reason: pods[0] ? podReason(pods[0]) : 'no pod yet' });
    }
    return out;
  }

  /** The pod's log is not read here: Bitbucket's `state.step`, read again by the caller, is the check. */
  busyNow(): Promise<boolean> {
    return Promise.resolve(false);
  }

  async remove(record: RunnerRecord): Promise<void> {
    if (record.placement) await this.#deps.placements().delete(record.spec.runnerUuid);
  }

  memTotalBytes(): Promise<number | null> {
    return Promise.resolve(null);
  }
}
