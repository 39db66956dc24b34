/** What a pool is and what it sees, as plain data: the controller gathers it, plan.ts judges it. */

export interface PoolSpec {
  name: string;
  /** Workspace ID (slug). */
  workspace: string;
  /** Repository slug for a pool of repository runners; absent for workspace runners. */
  repository?: string;
  /** The pool's own labels; self.hosted and linux are always there. */
  labels: readonly string[];
  min: number;
  max: number;
  /** Idle runners to keep ready on top of the work (0: scale to exactly the work). */
  idle: number;
  /** An idle runner is retired only after being idle this long. */
  coolDownMs: number;
  /** A runner not ONLINE this long after its creation is reported and retired. */
  startTimeoutMs: number;
}

/** A pool as settings keep it (`pool add`): the spec plus where and at what size its runners run. */
export interface PoolConfig extends Omit<PoolSpec, 'labels'> {
  labels: string[];
  /** This machine's Docker engine, or a Kubernetes cluster (the runner's placement). */
  on: 'docker' | 'kubernetes';
  /** Step size: 1x..8x = 4/8/16/32 GB (the doctor's and the manifests' rule). */
  size: '1x' | '2x' | '4x' | '8x';
  /** Docker pools: the directory each runner's working directory is made under; absent: auto. */
  workDir?: string;
  /** Kubernetes pools: kubeconfig context (absent: current), namespace and the pods' image pull policy (absent: Always). */
  kubernetes?: { context?: string; namespace: string; imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never' };
  /** ISO-8601. */
  createdAt: string;
}

/**
 * A runner of the pool. `starting`: created, not yet ONLINE in Bitbucket (container or pod
 * starting, image pulling); `idle` / `busy`: ONLINE without / with a step (busy from its log the
 * moment it takes one); `offline`: its container is gone or Bitbucket lost it.
 */
export interface PoolRunner {
  uuid: string;
  state: 'starting' | 'idle' | 'busy' | 'offline';
  /** Epoch ms of its creation. */
  createdAt: number;
  /** Epoch ms since when it is idle (for `idle`). */
  idleSince?: number;
}

/** A step waiting in Bitbucket's queue. */
export interface WaitingStep {
  stepUuid: string;
  /** `workspace/repo_slug`. */
  repository: string;
  /**
   * Its `runs-on` labels; null when Bitbucket did not say (its step schema does not document
   * runs_on). An empty list is a step without runs-on: it runs on Bitbucket's own runners.
   */
  labels: readonly string[] | null;
}

export type RetireReason = 'idle-past-cool-down' | 'did-not-come-online' | 'offline';

export interface PoolPlan {
  desired: number;
  /** Runners to create now. */
  create: number;
  /** Runners to retire now, with why; never a busy one. */
  retire: Array<{ uuid: string; reason: RetireReason }>;
  counts: { busy: number; idle: number; starting: number; offline: number; waiting: number; waitingUnknownLabels: number };
  /** What held `desired` below the work: the pool's max, or what the host can run. */
  cappedBy: 'max' | 'host' | null;
  /** One line per decision, for the log and the pool's view. */
  notes: string[];
}
