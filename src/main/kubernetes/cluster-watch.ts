/**
 * The runners placed on clusters, watched like the monitor watches local ones: per runner a pod
 * watch (`/pods?watch`, by the runner's labels) and a followed log of its runner container, both
 * through the API server. A start of the runner container (a new container id) and its end (the
 * kubelet's last termination) are folded as the engine's `start` / `die` are, so a kubelet restart
 * after a non-zero exit shows as CRASHED and then back online, with the pod's restart count.
 * A cluster that cannot be read is kept as a problem in plain words, and retried with back-off.
 */
import { Watch, type V1Pod } from '@kubernetes/client-node';
import type { PlacementView } from '../../shared/contract/views.js';
import { RUNNER_CONTAINER, runnerSelector } from '../../shared/k8s/names.js';
import { maskLogText } from '../../shared/mask-text.js';
import { bare } from '../../shared/runner-spec.js';
import type { RunnerStepsJson } from '../../shared/step-log/replay.js';
import type { MonitorEvent } from '../monitor/events.js';
import { Supervisor, type SupervisorOptions } from '../monitor/supervisor.js';
import type { RunnerSnapshot } from '../monitor/tracked.js';
import { TypedEmitter } from '../runners/events.js';
import type { RunnerStatus } from '../runners/runner-types.js';
import type { RunnerRecord, RunnerStore } from '../settings/types.js';
import type { KubeCluster } from './cluster.js';
import { explainK8sError, KubernetesError } from './errors.js';
import { PlacedRunner } from './placed-runner.js';
import { currentPod, runnerContainerStatus, runnerSecretRefs } from './pod-facts.js';
import { followPodLog, sinceSecond, type PodLogFollower } from './pod-log.js';

export interface ClusterWatchDeps {
  store: RunnerStore;
  /** The cluster of a kubeconfig context (built per context, kept by the watch). */
  cluster: (context: string) => KubeCluster;
  supervisor?: Supervisor | SupervisorOptions;
  log?: (message: string) => void;
  /** Lines of the runner container's log read on first sight. Default 5000. */
  backlogLines?: number;
  logBatchMs?: number;
  /** Back-off after the cluster could not be read: first delay and cap. Default 1 s, 30 s. */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long an exit waits for the rest of its run's log before it is judged. Default 5 s. */
  exitDrainMs?: number;
}

interface Entry {
  runner: PlacedRunner;
  pods: Map<string, V1Pod>;
  watch: AbortController | null;
  follower: PodLogFollower | null;
  /** The pod transitions are handled one at a time, in the order the API server sent them. */
  queue: Promise<void>;
  retryMs: number;
  retryTimer: NodeJS.Timeout | null;
  seen: boolean;
  /** Runner containers whose end was folded (the last few). */
  folded: string[];
  stopped: boolean;
  /** Settles once the first read (pods and backlog, or the problem) is done. */
  ready: Promise<void>;
  markReady: () => void;
}

export const KUBELET_RESTARTS = 'The kubelet keeps restarting it with growing delays (up to 5 minutes)';

export class ClusterWatch {
  readonly events = new TypedEmitter<MonitorEvent>();
  readonly supervisor: Supervisor;
  readonly #deps: ClusterWatchDeps;
  readonly #entries = new Map<string, Entry>();
  readonly #clusters = new Map<string, KubeCluster>();
  readonly #log: (m: string) => void;
  #closed = false;

  constructor(deps: ClusterWatchDeps) {
    this.#deps = deps;
    this.supervisor = deps.supervisor instanceof Supervisor ? deps.supervisor : new Supervisor({ restarter: KUBELET_RESTARTS, ...(deps.supervisor ?? {}) });
    this.#log = deps.log ?? (() => undefined);
  }

  /** Follows every placed runner; resolves once each was read once (or its problem is known). */
  async start(): Promise<void> {
    await this.sync();
  }

  /**
   * Settings may have changed (a runner moved to a cluster, or brought back): watch the runners
   * placed now, stop watching the others. Resolves when the new ones were read once.
   */
  async sync(): Promise<void> {
    if (this.#closed) return;
    const placed = this.#deps.store.list().filter((r) => r.placement);
    for (const [key, e] of this.#entries) {
      const now = placed.find((r) => bare(r.spec.runnerUuid) === key);
      if (!now || !samePlace(now, e.runner.record)) this.#stop(key, e);
    }
    const fresh: Entry[] = [];
    for (const record of placed) {
      const key = bare(record.spec.runnerUuid);
      const e = this.#entries.get(key);
      if (e) e.runner.record = record;
      else fresh.push(this.#track(record));
    }
    await Promise.all(fresh.map((e) => e.ready));
  }

  isPlaced(runnerUuid: string): boolean {
    return this.#entries.has(bare(runnerUuid));
  }

  snapshot(): RunnerSnapshot[];
  snapshot(runnerUuid: string): RunnerSnapshot | undefined;
  snapshot(runnerUuid?: string): RunnerSnapshot[] | RunnerSnapshot | undefined {
    if (runnerUuid !== undefined) return this.#entries.get(bare(runnerUuid))?.runner.snapshot();
    return [...this.#entries.values()].map((e) => e.runner.snapshot());
  }

  status(runnerUuid: string): RunnerStatus | undefined {
    return this.#entries.get(bare(runnerUuid))?.runner.status();
  }

  placementView(runnerUuid: string): PlacementView | undefined {
    return this.#entries.get(bare(runnerUuid))?.runner.placementView();
  }

  stepsJson(runnerUuid: string): RunnerStepsJson | null {
    return this.#entries.get(bare(runnerUuid))?.runner.stepsJson() ?? null;
  }

  maskLogLine(runnerUuid: string, text: string): string {
    return maskLogText(text, this.#entries.get(bare(runnerUuid))?.runner.secrets ?? []);
  }

  /** The problem reading the runner's cluster, in plain words; null when it answers. */
  problem(runnerUuid: string): string | null {
    return this.#entries.get(bare(runnerUuid))?.runner.problem ?? null;
  }

  /** The runner's current pod name, once seen. */
  podName(runnerUuid: string): string | null {
    return this.#entries.get(bare(runnerUuid))?.runner.pod?.metadata?.name ?? null;
  }

  /** The last `tail` lines (all without) of the runner container's current log, unmasked: mask with `maskLogLine`. */
  async readLog(runnerUuid: string, tail: number | undefined, timestamps = true): Promise<string> {
    const e = this.#entries.get(bare(runnerUuid));
    const pod = e?.runner.pod?.metadata?.name;
    if (!e || !pod || tail === 0) return '';
    const cluster = this.#cluster(e.runner.placement.context);
    try {
      return await cluster.core.readNamespacedPodLog({
        name: pod,
        namespace: e.runner.placement.namespace,
        container: RUNNER_CONTAINER,
        timestamps,
        ...(tail !== undefined ? { tailLines: tail } : {}),
      });
    } catch {
      return '';
    }
  }

  /** Follows the runner container's log (unmasked chunks) until it exits, as `kubectl logs -f`. */
  async followLog(runnerUuid: string, onText: (text: string) => void, tail?: number): Promise<PodLogFollower> {
    const e = this.#entries.get(bare(runnerUuid));
    const pod = e?.runner.pod?.metadata?.name;
    if (!e || !pod) throw new KubernetesError('K8S_NOT_FOUND', `Runner ${runnerUuid} has no pod on its cluster yet, so no log.`);
    const p = e.runner.placement;
    try {
      return await followPodLog(this.#cluster(p.context).config.kc, p.namespace, pod, onText, {
        timestamps: false,
        ...(tail !== undefined ? { tailLines: tail } : {}),
      });
    } catch (err) {
      throw explainK8sError(err, { action: `read the log of pod ${p.namespace}/${pod}`, cluster: `context "${p.context}" (${p.server})`, secrets: [] });
    }
  }

  /** Stops every watch and log stream. */
  close(): void {
    this.#closed = true;
    for (const [key, e] of this.#entries) this.#stop(key, e);
  }

  #cluster(context: string): KubeCluster {
    let c = this.#clusters.get(context);
    if (!c) this.#clusters.set(context, (c = this.#deps.cluster(context)));
    return c;
  }

  #track(record: RunnerRecord): Entry {
    let markReady!: () => void;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const runner = new PlacedRunner(record, {
      emit: (ev) => this.events.emit(ev),
      supervisor: this.supervisor,
      batchMs: this.#deps.logBatchMs ?? 25,
      replay: {},
      log: this.#log,
    });
    const e: Entry = {
      runner,
      pods: new Map(),
      watch: null,
      follower: null,
      queue: Promise.resolve(),
      retryMs: this.#deps.retryInitialMs ?? 1000,
      retryTimer: null,
      seen: false,
      folded: [],
      stopped: false,
      ready,
      markReady,
    };
    this.#entries.set(runner.key, e);
    void this.#connect(e);
    return e;
  }

  #stop(key: string, e: Entry): void {
    e.stopped = true;
    e.watch?.abort();
    e.follower?.stop();
    if (e.retryTimer) clearTimeout(e.retryTimer);
    e.runner.close();
    e.markReady();
    this.#entries.delete(key);
  }

  /** List the runner's pods, then watch from that list's version; a failure is said and retried. */
  async #connect(e: Entry): Promise<void> {
    if (e.stopped) return;
    const p = e.runner.placement;
    const selector = runnerSelector(e.runner.runnerUuid);
    try {
      const cluster = this.#cluster(p.context);
      const list = await cluster.core.listNamespacedPod({ namespace: p.namespace, labelSelector: selector });
      if (e.stopped) return;
      e.pods = new Map(list.items.map((pod) => [pod.metadata?.name ?? '', pod]));
      this.#setProblem(e, null);
      await this.#onPods(e);
      e.markReady();
      e.retryMs = this.#deps.retryInitialMs ?? 1000;
      const watch = await new Watch(cluster.config.kc).watch(
        `/api/v1/namespaces/${p.namespace}/pods`,
        { labelSelector: selector, resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
        (type, obj: V1Pod) => this.#onWatchEvent(e, type, obj),
        (err: unknown) => this.#watchEnded(e, err),
      );
      // Stopped (a one-shot command closing) while the watch was being opened: it must not outlive us.
      if (e.stopped) watch.abort();
      else e.watch = watch;
    } catch (err) {
      this.#failed(e, err, `watch the pods of runner ${e.runner.runnerUuid} in namespace ${p.namespace}`);
    }
  }

  #onWatchEvent(e: Entry, type: string, pod: V1Pod): void {
    if (e.stopped || !pod?.metadata?.name) return;
    if (type === 'ADDED' || type === 'MODIFIED') e.pods.set(pod.metadata.name, pod);
    else if (type === 'DELETED') e.pods.delete(pod.metadata.name);
    else return;
    e.queue = e.queue.then(() => this.#onPods(e)).catch((err: unknown) => this.#log(`Runner ${e.runner.runnerUuid}: ${(err as Error).message}`));
  }

  /** A watch ends by itself every few minutes (the server's timeout): list and watch again. */
  #watchEnded(e: Entry, err: unknown): void {
    e.watch = null;
    if (e.stopped || this.#closed) return;
    if (err && (err as { name?: string }).name !== 'AbortError') {
      this.#failed(e, err, `watch the pods of runner ${e.runner.runnerUuid}`);
      return;
    }
    void this.#connect(e);
  }

  #failed(e: Entry, err: unknown, action: string): void {
    if (e.stopped) return;
    const p = e.runner.placement;
    const message = explainK8sError(err, { action, cluster: `context "${p.context}" (${p.server})`, secrets: [] }).message;
    this.#setProblem(e, message);
    e.markReady();
    e.retryTimer = setTimeout(() => void this.#connect(e), e.retryMs);
    e.retryMs = Math.min(e.retryMs * 2, this.#deps.retryMaxMs ?? 30_000);
  }

  #setProblem(e: Entry, problem: string | null): void {
    const was = e.runner.problem;
    e.runner.problem = problem;
    if (problem !== null && was === null) this.#log(`Runner ${e.runner.runnerUuid}: ${problem}`);
    if (problem === null && was !== null) this.#log(`Runner ${e.runner.runnerUuid}: the cluster answers again.`);
    if (was !== problem) this.#placementChanged(e);
  }

  /** The pod or the cluster's answer changed (restarts, node, a problem): the runner's view moves with it. */
  #placementChanged(e: Entry): void {
    this.events.emit({ type: 'placement', runnerUuid: e.runner.runnerUuid, placement: e.runner.placementView(), time: new Date().toISOString() });
  }

  /**
   * The pod changed. An end of the run we follow (its id now in the last termination, or the
   * pod gone) is folded as a `die` once its log has drained; a new running container as a
   * `start`, and its log followed from its beginning.
   */
  async #onPods(e: Entry): Promise<void> {
    const r = e.runner;
    const pod = currentPod([...e.pods.values()]);
    const previousPod = r.pod?.metadata?.uid;
    const before = JSON.stringify(r.placementView().pod);
    r.holding = true;
    try {
      await this.#podChanged(e, pod, previousPod);
    } finally {
      r.holding = false;
    }
    r.publish(new Date().toISOString());
    if (JSON.stringify(r.placementView().pod) !== before) this.#placementChanged(e);
  }

  async #podChanged(e: Entry, pod: V1Pod | null, previousPod: string | undefined): Promise<void> {
    const r = e.runner;
    r.setPod(pod);
    if (pod && pod.metadata?.uid !== previousPod) await this.#readSecrets(e, pod);
    const now = new Date().toISOString();
    const f = r.facts;
    const runningId = f.containerState === 'running' ? f.containerId : null;
    const cs = pod ? runnerContainerStatus(pod) : undefined;
    // The newest run that ended: the current state's termination, else the last one.
    const ended = cs?.state?.terminated ?? cs?.lastState?.terminated;
    const endedId = ended?.containerID;
    if (ended && endedId && !e.folded.includes(endedId)) {
      if (r.containerId === endedId && r.running) {
        await this.#drain(e);
        // The follow may have opened too late (a run that crashed at once), failed, or not caught
        // up (a busy API server, its last chunks still in flight): the run's log is read again,
        // past what was folded, so the exit is judged with the last lines that name its cause.
        if (pod) {
          if (r.runLines > 0) {
            // A cut-off last chunk is read again whole.
            r.lines.reset();
            r.resuming();
          }
          await this.#readRunLog(e, pod, cs?.state?.terminated === undefined);
        }
      } else if (pod) await this.#readMissedRun(e, pod, endedId, cs?.state?.terminated === undefined, ended.startedAt);
      remember(e.folded, endedId);
      const time = ended.finishedAt ? new Date(ended.finishedAt).toISOString() : now;
      r.containerEvent('die', time, { exitCode: ended.exitCode, oomKilled: ended.reason === 'OOMKilled' });
      if (!e.seen) r.settleQuiet();
    } else if (r.running && r.containerId !== null && runningId !== r.containerId && (!pod || pod.metadata?.uid !== previousPod)) {
      // The pod went (deleted, replaced): its run ended with it.
      await this.#drain(e);
      r.containerEvent('die', now);
    }
    if (runningId !== null && runningId !== r.containerId && pod) {
      e.follower?.stop();
      e.follower = null;
      r.switchContainer(runningId);
      if (!e.seen) {
        e.seen = true;
        await this.#readBacklog(e, pod);
      } else {
        r.containerEvent('start', f.startedAt ?? now);
      }
      r.running = true;
      await this.#follow(e, pod.metadata?.name ?? '', runningId);
    }
    e.seen = true;
  }

  /**
   * A run that started and ended between two looks (a runner that crashes at once): its log is
   * read whole (`previous` once the kubelet started the next one), so its diagnosis is not lost.
   * On first sight it is history: read quietly.
   */
  async #readMissedRun(e: Entry, pod: V1Pod, id: string, previous: boolean, startedAt: Date | undefined): Promise<void> {
    const r = e.runner;
    e.follower?.stop();
    e.follower = null;
    r.switchContainer(id);
    if (!e.seen) r.quiet = true;
    else r.containerEvent('start', startedAt ? new Date(startedAt).toISOString() : new Date().toISOString());
    await this.#readRunLog(e, pod, previous);
  }

  /** The whole log of the run that just ended (`previous`: the kubelet started the next one already). */
  async #readRunLog(e: Entry, pod: V1Pod, previous: boolean): Promise<void> {
    const p = e.runner.placement;
    try {
      const text = await this.#cluster(p.context).core.readNamespacedPodLog({
        name: pod.metadata?.name ?? '',
        namespace: p.namespace,
        container: RUNNER_CONTAINER,
        timestamps: true,
        previous,
        tailLines: this.#deps.backlogLines ?? 5000,
      });
      e.runner.lines.push(text);
    } catch {
      // Gone already (the kubelet keeps one previous log): the exit is still folded.
    }
  }

  /** First sight of a running runner: its log so far rebuilds steps and state quietly. */
  async #readBacklog(e: Entry, pod: V1Pod): Promise<void> {
    const r = e.runner;
    const p = r.placement;
    r.quiet = true;
    try {
      const text = await this.#cluster(p.context).core.readNamespacedPodLog({
        name: pod.metadata?.name ?? '',
        namespace: p.namespace,
        container: RUNNER_CONTAINER,
        timestamps: true,
        tailLines: this.#deps.backlogLines ?? 5000,
      });
      r.lines.push(text);
      r.lines.end();
    } catch {
      // The container went between the two calls: its log is followed (or its end seen) next.
    } finally {
      r.settleQuiet();
    }
  }

  async #follow(e: Entry, podName: string, containerId: string): Promise<void> {
    const r = e.runner;
    const p = r.placement;
    if (r.lastTs) r.resuming();
    try {
      const follower = await followPodLog(this.#cluster(p.context).config.kc, p.namespace, podName, (text) => r.lines.push(text), {
        ...(r.lastTs ? { sinceTime: sinceSecond(r.lastTs) } : {}),
      });
      if (e.stopped || r.containerId !== containerId) {
        follower.stop();
        return;
      }
      e.follower = follower;
      void follower.ended.then(() => {
        if (e.follower !== follower) return;
        e.follower = null;
        r.lines.end();
        r.flush();
      });
    } catch {
      // Not started yet or already gone: the pod's next change brings us back.
    }
  }

  /** The run's last lines before its exit is judged (its stream ends with the container), at most exitDrainMs. */
  async #drain(e: Entry): Promise<void> {
    const f = e.follower;
    if (!f) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([f.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.#deps.exitDrainMs ?? 5000)))]);
    clearTimeout(timer);
    f.stop();
    if (e.follower === f) e.follower = null;
  }

  /** The values the runner's env reads from Secrets, for masking; credentials that may not read them still get the generic masking. */
  async #readSecrets(e: Entry, pod: V1Pod): Promise<void> {
    const p = e.runner.placement;
    const values: string[] = [];
    // The client id is no secret (the local runner's log is not masked of it either).
    const refs = runnerSecretRefs(pod).filter((r) => r.env !== 'OAUTH_CLIENT_ID');
    const byName = new Map<string, Record<string, string>>();
    for (const ref of refs) {
      if (!byName.has(ref.name)) {
        try {
          byName.set(ref.name, (await this.#cluster(p.context).core.readNamespacedSecret({ name: ref.name, namespace: p.namespace })).data ?? {});
        } catch {
          byName.set(ref.name, {});
        }
      }
      const v = byName.get(ref.name)![ref.key];
      if (v) values.push(Buffer.from(v, 'base64').toString('utf8'));
    }
    e.runner.setSecrets(values);
  }
}

function remember(list: string[], id: string): void {
  list.push(id);
  if (list.length > 8) list.shift();
}

function samePlace(a: RunnerRecord, b: RunnerRecord): boolean {
  const x = a.placement;
  const y = b.placement;
  return !!x && !!y && x.context === y.context && x.namespace === y.namespace && x.appliedAt === y.appliedAt;
}
