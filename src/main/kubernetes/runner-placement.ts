/**
 * A runner moved to a cluster and back. It lives in one place at a time (Bitbucket answers a
 * second process on the same runner UUID with 409 "Simultaneous state updates"): `apply` stops and
 * removes its local container first (refusing while it runs a step, unless forced) and records
 * the placement in settings; `delete` removes the workload and its Secret and clears it.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  archFromLabels,
  chooseDind,
  runnerManifests,
  runnerSelector,
  secretName,
  supportsNativeSidecar,
  workloadName,
  type DindChoice,
  type ImagePullPolicy,
  type NodeArch,
  type RunnerManifests,
  type SecretObject,
  type StepSize,
  type WorkloadKind,
} from '../../shared/k8s/index.js';
import { LABEL_MANAGED, LABEL_RUNNER } from '../../shared/runner-spec.js';
import type { Secret } from '../../shared/secret.js';
import { EngineUnreachableError, type Engine } from '../docker/engine.js';
import { resolveRunner } from '../runners/resolve.js';
import type { RunnerService } from '../runners/runner-service.js';
import { runnerStateOf } from '../runners/runner-state.js';
import type { RunnerPlacement, RunnerRecord, RunnerStore } from '../settings/types.js';
import { runnerEnvSecretKey, runnerSecretKey } from '../vault/keys.js';
import type { SecretVault } from '../vault/types.js';
import { KubeCluster, type AppliedObject, type ObjectRef } from './cluster.js';
import { KubernetesError } from './errors.js';
import { listContexts, loadKubeconfig, type KubeContextSummary } from './kubeconfig.js';
import { runnerPodStatus, type RunnerPodStatus } from './pod-status.js';

export interface PlacementDeps {
  env: NodeJS.ProcessEnv;
  store: RunnerStore;
  vault: () => Promise<SecretVault>;
  /** This machine's runners; connected only when a local container must be checked. */
  runners: () => Promise<RunnerService>;
  engine: () => Promise<Engine>;
  now?: () => Date;
}

export interface ObjectOptions {
  namespace?: string;
  kind?: WorkloadKind;
  size?: StepSize;
  dindVersion?: string;
  dindImage?: string;
  image?: string;
  imagePullPolicy?: ImagePullPolicy;
  secretRef?: string;
  /** Bitbucket's labels of the runner (linux.arm64 → arm64 nodes); unknown → amd64. */
  labels?: readonly string[] | null;
  arch?: NodeArch;
  terminationGracePeriodSeconds?: number;
}

export interface ClusterOptions {
  context?: string;
}

export interface ApplyOptions extends ObjectOptions, ClusterOptions {
  /** Take fields over from other managers, and move a runner that is running a step. */
  force?: boolean;
}

export interface PlannedRunner {
  record: RunnerRecord;
  manifests: RunnerManifests;
  dind: DindChoice;
  nativeSidecar: boolean;
  /** Where the facts came from (cluster label), or why none was asked. */
  factsFrom: string;
}

export interface ApplyResult extends PlannedRunner {
  cluster: string;
  namespace: 'created' | 'exists';
  applied: AppliedObject[];
  local: 'removed' | 'none';
  placement: RunnerPlacement;
}

export interface ClusterRunnerStatus {
  runnerUuid: string;
  displayName: string;
  placement: RunnerPlacement | null;
  workload: { kind: string; name: string; exists: boolean } | null;
  pods: RunnerPodStatus[];
}

/** The Secret as sent: `data`, encoded once here. Server-side apply of `stringData` is not a no-op
 * (1.20 rewrote the Secret on every re-apply: resourceVersion 322 → 331 here), while `data` is. */
export function secretForApply(s: SecretObject): KubernetesObject {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.stringData)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  const { stringData: _plain, ...rest } = s;
  return { ...rest, data } as KubernetesObject;
}

export class RunnerPlacements {
  readonly #deps: PlacementDeps;

  constructor(deps: PlacementDeps) {
    this.#deps = deps;
  }

  resolve(runner: string): RunnerRecord {
    return resolveRunner(runner, this.#deps.store.list());
  }

  /** The kubeconfig's contexts (names and servers, no credentials), for a picker. */
  contexts(): KubeContextSummary[] {
    return listContexts(this.#deps.env);
  }

  cluster(options: ClusterOptions = {}): KubeCluster {
    return new KubeCluster(loadKubeconfig(this.#deps.env, options.context));
  }

  async #secretValues(record: RunnerRecord): Promise<{ secret: Secret; extra: Record<string, Secret> }> {
    const vault = await this.#deps.vault();
    const uuid = record.spec.runnerUuid;
    const missing = (what: string) =>
      new KubernetesError(
        'K8S_ERROR',
        `The vault (${vault.location}) has no ${what} for runner ${uuid}. Paste the runner command again with \`runner-tray add --replace\`, or use --secret-ref.`,
      );
    const secret = await vault.get(runnerSecretKey(uuid));
    if (!secret) throw missing('secret');
    const extra: Record<string, Secret> = {};
    for (const name of record.vaultEnv ?? []) {
      const v = await vault.get(runnerEnvSecretKey(uuid, name));
      if (!v) throw missing(`value of ${name}`);
      extra[name] = v;
    }
    return { secret, extra };
  }

  /**
   * The objects for a runner. With a cluster, the dind version follows its nodes and the sidecar
   * form its server version; without one (an export for GitOps), the pinned default and a plain
   * second container, which every version runs.
   */
  async plan(record: RunnerRecord, options: ObjectOptions, cluster: KubeCluster | null, unavailable?: string): Promise<PlannedRunner> {
    let nativeSidecar = false;
    let nodes: Awaited<ReturnType<KubeCluster['nodeRuntimes']>> = { nodes: null, why: unavailable ?? 'no cluster was asked' };
    if (cluster) {
      nativeSidecar = supportsNativeSidecar(await cluster.serverVersion());
      if (options.dindImage === undefined && options.dindVersion === undefined) nodes = await cluster.nodeRuntimes();
    }
    const dind = chooseDind({
      nodes: nodes.nodes,
      ...(nodes.why ? { nodesUnavailable: nodes.why } : {}),
      ...(options.dindVersion !== undefined ? { version: options.dindVersion } : {}),
      ...(options.dindImage !== undefined ? { image: options.dindImage } : {}),
    });
    const values = options.secretRef === undefined ? await this.#secretValues(record) : null;
    if (values && cluster) cluster.scrub([values.secret.reveal(), ...Object.values(values.extra).map((v) => v.reveal())]);
    const manifests = runnerManifests(record.spec, values, {
      dind,
      nativeSidecar,
      arch: options.arch ?? archFromLabels(options.labels),
      extraSecretNames: record.vaultEnv ?? [],
      ...pick(options, ['namespace', 'kind', 'size', 'image', 'imagePullPolicy', 'secretRef', 'terminationGracePeriodSeconds']),
    });
    return { record, manifests, dind, nativeSidecar, factsFrom: cluster ? cluster.config.label : (unavailable ?? 'no cluster') };
  }

  /** Export: the cluster's facts when a kubeconfig is at hand, else the defaults (and why). */
  async export(runner: string, options: ObjectOptions & ClusterOptions): Promise<PlannedRunner> {
    const record = this.resolve(runner);
    let cluster: KubeCluster | null = null;
    let why: string | undefined;
    if (options.dindImage === undefined && options.dindVersion === undefined) {
      try {
        cluster = this.cluster(options);
        await cluster.serverVersion();
      } catch (e) {
        cluster = null;
        why = `no cluster to read the nodes' Docker version from (${(e as Error).message.split('. ')[0]})`;
      }
    }
    return this.plan(record, options, cluster, why);
  }

  async apply(runner: string, options: ApplyOptions = {}): Promise<ApplyResult> {
    const record = this.resolve(runner);
    const cluster = this.cluster(options);
    // Everything that can fail before the move is asked first: the runner must not end up nowhere.
    const planned = await this.plan(record, options, cluster);
    const m = planned.manifests;
    const namespace = await cluster.ensureNamespace(m.namespace.metadata.name);
    // A delete that returned once the pods were gone may leave the object terminating a while.
    await cluster.waitNotDeleting({
      apiVersion: m.workload.apiVersion,
      kind: m.workload.kind,
      name: m.workload.metadata.name,
      namespace: m.namespace.metadata.name,
    });
    const local = await this.#removeLocal(record, Boolean(options.force));
    const applied: AppliedObject[] = [];
    if (m.secret) applied.push(await cluster.apply(secretForApply(m.secret), options.force));
    applied.push(await cluster.apply(m.workload as unknown as KubernetesObject, options.force));
    const placement: RunnerPlacement = {
      type: 'kubernetes',
      context: cluster.config.context,
      server: cluster.config.server,
      namespace: m.namespace.metadata.name,
      workload: m.workload.kind === 'Job' ? 'job' : 'deployment',
      appliedAt: (this.#deps.now ?? (() => new Date()))().toISOString(),
    };
    const current = this.#deps.store.get(record.spec.runnerUuid) ?? record;
    this.#deps.store.put({ ...current, placement });
    return { ...planned, cluster: cluster.config.label, namespace, applied, local, placement };
  }

  /** Stops and removes this machine's container of the runner; refuses while it runs a step unless forced. */
  async #removeLocal(record: RunnerRecord, force: boolean): Promise<'removed' | 'none'> {
    const uuid = record.spec.runnerUuid;
    let engine: Engine;
    try {
      engine = await this.#deps.engine();
    } catch (e) {
      if (!(e instanceof EngineUnreachableError)) throw e;
      if (force) return 'none';
      throw new KubernetesError(
        'K8S_LOCAL_UNCHECKED',
        `Could not check this machine's container of runner ${uuid}: Docker is not reachable here. Docker would restart that container when it comes back, and two processes on one runner clash. Start Docker and apply again, or apply with --force if this machine has no container of the runner.`,
      );
    }
    const ids = (await engine.docker.listContainers({ all: true, filters: { label: [`${LABEL_MANAGED}=true`, `${LABEL_RUNNER}=${uuid}`] } })).map((c) => c.Id);
    if (ids.length === 0) return 'none';
    const service = await this.#deps.runners();
    const status = await service.status(uuid);
    if (!force && (await runnerStateOf(engine.docker, status)) === 'BUSY') {
      throw new KubernetesError(
        'K8S_RUNNER_BUSY',
        `Runner ${uuid} is running a step on this machine; moving it now would fail that step. Wait until it is idle (runner-tray steps ${uuid}), or apply with --force to move it anyway.`,
      );
    }
    await service.stop(uuid);
    for (const id of ids) {
      try {
        await engine.docker.getContainer(id).remove({ force: true });
      } catch (e) {
        const code = (e as { statusCode?: number }).statusCode;
        if (code !== 404 && code !== 409) throw e;
      }
    }
    return 'removed';
  }

  /** Workload and Secret deleted (foreground, waiting until the pods are gone); the placement cleared. */
  async delete(
    runner: string,
    options: ClusterOptions & { namespace?: string } = {},
  ): Promise<{ record: RunnerRecord; deleted: ObjectRef[]; cluster: string }> {
    const record = this.resolve(runner);
    const p = record.placement;
    const namespace = options.namespace ?? p?.namespace;
    if (!namespace) {
      throw new KubernetesError(
        'K8S_NOT_PLACED',
        `Runner ${record.spec.runnerUuid} is not on a cluster (settings record no placement); give --namespace (and --context) to delete its objects anyway.`,
      );
    }
    const cluster = this.cluster({ ...((options.context ?? p?.context) ? { context: options.context ?? p?.context } : {}) });
    const uuid = record.spec.runnerUuid;
    const deleted: ObjectRef[] = [];
    const refs: ObjectRef[] = [
      { apiVersion: 'apps/v1', kind: 'Deployment', name: workloadName(uuid), namespace },
      { apiVersion: 'batch/v1', kind: 'Job', name: workloadName(uuid), namespace },
      { apiVersion: 'v1', kind: 'Secret', name: secretName(uuid), namespace },
    ];
    // A Deployment is done with once no pod is left and every ReplicaSet is being deleted (one
    // being deleted makes no pod, nor does a Deployment being deleted make a ReplicaSet): no runner
    // process is left on the cluster, even while a busy garbage collector keeps the objects.
    const selector = runnerSelector(uuid);
    const stopped = async () =>
      (await cluster.pods(namespace, selector)).length === 0 && (await cluster.replicaSets(namespace, selector)).every((rs) => rs.metadata?.deletionTimestamp);
    for (const ref of refs) if (await cluster.delete(ref, ref.kind === 'Deployment' ? { doneWhen: stopped } : {})) deleted.push(ref);
    await cluster.waitNoPods(namespace, selector);
    const current = this.#deps.store.get(uuid) ?? record;
    const { placement: _gone, ...rest } = current;
    this.#deps.store.put(rest);
    return { record: rest, deleted, cluster: cluster.config.label };
  }

  /** Pods of the runners placed on clusters (or of one runner, placed or not when a namespace is given). */
  async status(runner?: string, options: ClusterOptions & { namespace?: string } = {}): Promise<ClusterRunnerStatus[]> {
    const records = runner !== undefined ? [this.resolve(runner)] : this.#deps.store.list().filter((r) => r.placement);
    const clusters = new Map<string, KubeCluster>();
    const out: ClusterRunnerStatus[] = [];
    for (const record of records) {
      const p = record.placement ?? null;
      const namespace = options.namespace ?? p?.namespace;
      const base = { runnerUuid: record.spec.runnerUuid, displayName: record.displayName, placement: p };
      if (!namespace) {
        out.push({ ...base, workload: null, pods: [] });
        continue;
      }
      const context = options.context ?? p?.context;
      const key = context ?? '';
      if (!clusters.has(key)) clusters.set(key, this.cluster(context ? { context } : {}));
      const cluster = clusters.get(key)!;
      const kind = p?.workload === 'job' ? { apiVersion: 'batch/v1', kind: 'Job' } : { apiVersion: 'apps/v1', kind: 'Deployment' };
      const exists = (await cluster.read({ ...kind, name: workloadName(record.spec.runnerUuid), namespace })) !== null;
      const pods = (await cluster.pods(namespace, runnerSelector(record.spec.runnerUuid))).map(runnerPodStatus);
      out.push({ ...base, workload: { kind: kind.kind, name: workloadName(record.spec.runnerUuid), exists }, pods });
    }
    return out;
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}
