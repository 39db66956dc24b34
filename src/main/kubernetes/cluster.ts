/**
 * One cluster, through @kubernetes/client-node: server-side apply with field manager
 * `runner-tray`, delete (foreground, waits until gone), the facts the objects are built from
 * (server version, nodes' runtimes) and the pods of a runner. No kubectl needed.
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  VersionApi,
  type KubernetesObject,
  type V1Pod,
  type V1ReplicaSet,
} from '@kubernetes/client-node';
import type { NodeRuntime } from '../../shared/k8s/dind-version.js';
import { FIELD_MANAGER, MANAGED_BY, MANAGED_BY_LABEL } from '../../shared/k8s/names.js';
import { explainK8sError, httpCodeOf, KubernetesError } from './errors.js';
import type { LoadedKubeconfig } from './kubeconfig.js';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

export interface AppliedObject extends ObjectRef {
  resourceVersion: string;
  uid: string;
}

const DELETE_TIMEOUT_MS = 120_000;

function refOf(obj: KubernetesObject): ObjectRef {
  return {
    apiVersion: obj.apiVersion ?? '',
    kind: obj.kind ?? '',
    name: obj.metadata?.name ?? '',
    ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
  };
}

export function describeRef(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

export class KubeCluster {
  readonly config: LoadedKubeconfig;
  readonly #objects: KubernetesObjectApi;
  readonly #core: CoreV1Api;
  /** The runner's secrets, scrubbed from messages along with the kubeconfig's credentials. */
  readonly #secrets: string[];

  constructor(config: LoadedKubeconfig, extraSecrets: readonly string[] = []) {
    this.config = config;
    this.#objects = KubernetesObjectApi.makeApiClient(config.kc);
    this.#core = config.kc.makeApiClient(CoreV1Api);
    this.#secrets = [...config.credentials, ...extraSecrets];
  }

  /** Also scrub these (the runner's secrets) from every message of this cluster. */
  scrub(values: readonly string[]): void {
    this.#secrets.push(...values);
  }

  async #call<T>(action: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw explainK8sError(e, { action, cluster: this.config.label, secrets: this.#secrets });
    }
  }

  serverVersion(): Promise<{ major: string; minor: string; gitVersion: string }> {
    return this.#call('read the server version', () => this.config.kc.makeApiClient(VersionApi).getCode());
  }

  /** The nodes' container runtimes; null (with why) when these credentials may not list nodes. */
  async nodeRuntimes(): Promise<{ nodes: NodeRuntime[] | null; why?: string }> {
    try {
      const list = await this.#core.listNode();
      return {
        nodes: list.items.map((n) => ({ name: n.metadata?.name ?? '?', containerRuntimeVersion: n.status?.nodeInfo?.containerRuntimeVersion ?? '' })),
      };
    } catch (e) {
      const err = explainK8sError(e, { action: 'list nodes', cluster: this.config.label, secrets: this.#secrets });
      if (err instanceof KubernetesError && err.code === 'K8S_FORBIDDEN')
        return { nodes: null, why: 'these credentials may not list nodes, so their Docker version is unknown' };
      throw err;
    }
  }

  /** Creates the namespace if it is missing; refuses one that is being deleted. */
  async ensureNamespace(name: string): Promise<'created' | 'exists'> {
    let phase: string | undefined;
    try {
      phase = (await this.#core.readNamespace({ name })).status?.phase;
    } catch (e) {
      // 403 on read: the user may still create objects in it; let those calls say what is missing.
      if (httpCodeOf(e) === 403) return 'exists';
      if (httpCodeOf(e) !== 404) throw explainK8sError(e, { action: `read namespace ${name}`, cluster: this.config.label, secrets: this.#secrets });
    }
    if (phase === 'Terminating') {
      throw new KubernetesError(
        'K8S_NAMESPACE_TERMINATING',
        `Namespace ${name} on ${this.config.label} is being deleted (Terminating), so nothing new can be created in it. Wait until it is gone and apply again, or use another --namespace.`,
      );
    }
    if (phase !== undefined) return 'exists';
    try {
      await this.#core.createNamespace({ body: { metadata: { name, labels: { [MANAGED_BY_LABEL]: MANAGED_BY } } } });
      return 'created';
    } catch (e) {
      if (httpCodeOf(e) === 409) return 'exists';
      throw explainK8sError(e, { action: `create namespace ${name}`, cluster: this.config.label, secrets: this.#secrets });
    }
  }

  /** Server-side apply as `runner-tray`; re-applying the same object changes nothing (same resourceVersion). */
  async apply(obj: KubernetesObject, force = false): Promise<AppliedObject> {
    const ref = refOf(obj);
    const out = await this.#call(`apply ${describeRef(ref)}`, () =>
      this.#objects.patch(obj, undefined, undefined, FIELD_MANAGER, force, PatchStrategy.ServerSideApply),
    );
    return { ...ref, resourceVersion: out.metadata?.resourceVersion ?? '', uid: out.metadata?.uid ?? '' };
  }

  /** The object, or null when it does not exist. */
  async read<T extends KubernetesObject>(ref: ObjectRef): Promise<T | null> {
    try {
      return (await this.#objects.read({
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) },
      })) as T;
    } catch (e) {
      if (httpCodeOf(e) === 404) return null;
      throw explainK8sError(e, { action: `read ${describeRef(ref)}`, cluster: this.config.label, secrets: this.#secrets });
    }
  }

  /**
   * Deletes (foreground: dependents first) and waits until it is gone, or until `doneWhen` says
   * what the caller waits for is over (a workload's pods gone: the object itself may linger while
   * the garbage collector, busy, removes its finalizer). False when it was not there.
   */
  async delete(ref: ObjectRef, options: { timeoutMs?: number; doneWhen?: () => Promise<boolean> } = {}): Promise<boolean> {
    const spec = { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } };
    try {
      await this.#objects.delete(spec, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (e) {
      if (httpCodeOf(e) === 404) return false;
      throw explainK8sError(e, { action: `delete ${describeRef(ref)}`, cluster: this.config.label, secrets: this.#secrets });
    }
    await this.#waitGone(ref, options.timeoutMs ?? DELETE_TIMEOUT_MS, 'after delete (a finalizer or a stuck pod?)', options.doneWhen);
    return true;
  }

  /** An object being deleted (deletionTimestamp set) is waited for: applying to it would be undone by its deletion. */
  async waitNotDeleting(ref: ObjectRef, timeoutMs = DELETE_TIMEOUT_MS): Promise<void> {
    let current: KubernetesObject | null;
    try {
      current = await this.read(ref);
    } catch (e) {
      // Credentials that may apply but not read: the apply says what else is missing.
      if (e instanceof KubernetesError && e.code === 'K8S_FORBIDDEN') return;
      throw e;
    }
    if (!current?.metadata?.deletionTimestamp) return;
    await this.#waitGone(ref, timeoutMs, 'being deleted; apply again once it is gone');
  }

  async #waitGone(ref: ObjectRef, timeoutMs: number, why: string, doneWhen?: () => Promise<boolean>): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await this.read(ref)) !== null && !(doneWhen && (await doneWhen()))) {
      if (Date.now() > until)
        throw new KubernetesError(
          'K8S_TIMEOUT',
          `${describeRef(ref)} on ${this.config.label} was still there ${Math.round(timeoutMs / 1000)} s ${why}. Check it with kubectl describe.`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** The ReplicaSets whose pods match (a Deployment's carry its pod labels). */
  replicaSets(namespace: string, labelSelector: string): Promise<V1ReplicaSet[]> {
    return this.#call(
      `list replica sets in namespace ${namespace}`,
      async () => (await this.config.kc.makeApiClient(AppsV1Api).listNamespacedReplicaSet({ namespace, labelSelector })).items,
    );
  }

  pods(namespace: string, labelSelector: string): Promise<V1Pod[]> {
    return this.#call(`list pods in namespace ${namespace}`, async () => (await this.#core.listNamespacedPod({ namespace, labelSelector })).items);
  }

  /** Waits (polling) until no pod matches: foreground deletion of a Deployment returns before its pods are gone. */
  async waitNoPods(namespace: string, labelSelector: string, timeoutMs = DELETE_TIMEOUT_MS): Promise<void> {
    const until = Date.now() + timeoutMs;
    while ((await this.pods(namespace, labelSelector)).length > 0) {
      if (Date.now() > until)
        throw new KubernetesError(
          'K8S_TIMEOUT',
          `Pods (${labelSelector}) in ${namespace} on ${this.config.label} were still there ${Math.round(timeoutMs / 1000)} s after delete.`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  get core(): CoreV1Api {
    return this.#core;
  }
}
