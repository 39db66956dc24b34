/**
 * Runner objects against the real single-node cluster: accepted by the API server, idempotent,
 * conflicts and RBAC in plain words, the pod really running the stand-in runner, restarts shown,
 * delete leaving nothing. Secrets are compared, never printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { secretName, workloadName, runnerSelector } from '../../src/shared/k8s/index.js';
import { KubeCluster } from '../../src/main/kubernetes/cluster.js';
import { KubernetesError } from '../../src/main/kubernetes/errors.js';
import { loadKubeconfig } from '../../src/main/kubernetes/kubeconfig.js';
import { runnerSecretKey } from '../../src/main/vault/keys.js';
import { adminCore, contextWithRunner, newRunnerUuid, REPOSITORY, runnerPaste, SECRET, tokenOf, until } from '../support/k8s-runners.js';

const kubeconfig = inject('kubeconfig');
const dockerSocket = inject('dockerSocket');
const core = adminCore(kubeconfig);
const tokens = [tokenOf(kubeconfig), tokenOf(inject('kubeconfigReadonly')), tokenOf(inject('kubeconfigNobody'))];
const FAST = { imagePullPolicy: 'IfNotPresent' as const, terminationGracePeriodSeconds: 2 };

function noSecretIn(text: string): void {
  // Booleans, so a failure cannot print the value it found.
  expect(text.includes(SECRET)).toBe(false);
  for (const t of tokens) expect(text.includes(t)).toBe(false);
}

async function failure(p: Promise<unknown>): Promise<KubernetesError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(KubernetesError);
  noSecretIn((e as Error).message);
  return e as KubernetesError;
}

const cleanups: Array<() => Promise<unknown>> = [];
async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
}
// The node has 2 CPUs: a runner pod requests 1.25, so a test's pods must be gone before the next.
afterEach(cleanUp);
afterAll(cleanUp);

describe('apply to the real cluster', () => {
  it('applies a workspace runner: accepted, idempotent, the Secret exactly the vault secret, the pod running', async () => {
    const uuid = newRunnerUuid();
    const { ctx } = await contextWithRunner(dockerSocket, kubeconfig, runnerPaste(uuid));
    const k8s = ctx.kubernetes();
    cleanups.push(() => k8s.delete(uuid));
    const t0 = performance.now();
    const first = await k8s.apply(uuid, { namespace: 'rt-apply', ...FAST });
    const createMs = performance.now() - t0;
    expect(first.namespace).toBe('created');
    expect(first.applied.map((a) => a.kind)).toEqual(['Secret', 'Deployment']);
    expect(first.applied.every((a) => a.resourceVersion !== '')).toBe(true);
    // The Secret decodes to exactly the vault's secret (compared, never printed).
    const stored = await core.readNamespacedSecret({ name: secretName(uuid), namespace: 'rt-apply' });
    const vaultSecret = (await (await ctx.vault()).get(runnerSecretKey(uuid)))!.reveal();
    const decoded = Buffer.from(stored.data?.oauthClientSecret ?? '', 'base64').toString('utf8');
    expect(decoded === vaultSecret && vaultSecret === SECRET).toBe(true);
    expect(Buffer.from(stored.data?.oauthClientId ?? '', 'base64').toString()).toBe('K8sCl1entIdMadeUp00000000000000');
    expect(stored.metadata?.labels?.['app.kubernetes.io/managed-by']).toBe('runner-tray');

    // The dind tag follows the node: it reports docker://<engine version> (dockershim).
    const node = (await core.listNode()).items[0]!;
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toBe(`docker://${inject('nodeEngineVersion')}`);
    expect(first.dind.image).toBe(inject('standinDindImage'));
    expect(first.dind.reason).toContain(`docker://${inject('nodeEngineVersion')}`);
    expect(first.nativeSidecar).toBe(false);

    // The stand-in runner really runs in the pod, beside the (stand-in) dind sidecar.
    const pod = await until('the runner pod to run', async () => {
      const pods = (await core.listNamespacedPod({ namespace: 'rt-apply', labelSelector: runnerSelector(uuid) })).items;
      // The runner ready, dind past its `docker info` startup probe (1.20 never marks a probe-only
      // container ready afterwards, so `started` is what says the probe passed).
      const p = pods.find((x) => {
        const cs = x.status?.containerStatuses ?? [];
        return cs.find((c) => c.name === 'runner')?.ready && cs.find((c) => c.name === 'docker')?.started;
      });
      return p ?? null;
    });
    expect(pod.spec?.containers.map((c) => c.image)).toEqual([inject('standinRunnerImage'), inject('standinDindImage')]);
    let seen = '';
    const log = await until('the runner to log its start', async () => {
      seen = String(await core.readNamespacedPodLog({ name: pod.metadata!.name!, namespace: 'rt-apply', container: 'runner' }));
      return /Updating runner state to "ONLINE"/.test(seen) ? seen : null;
    }).catch((e: Error) => {
      throw new Error(`${e.message}; pod ${pod.metadata?.name} logged ${seen.length} characters: ${seen.slice(0, 300)}`);
    });
    expect(log).toContain('Runner starting.');
    const [status] = await k8s.status(uuid);
    expect(status?.pods[0]).toMatchObject({ phase: 'Running', ready: true, node: '127.0.0.1', restarts: 0 });
    expect(status?.placement).toMatchObject({ type: 'kubernetes', context: 'test', namespace: 'rt-apply', workload: 'deployment' });

    // Re-apply: a no-op. The Secret is written by nobody else, so its resourceVersion must stay;
    // the Deployment's status is the controller's (it may write it at any time), so there the
    // spec's generation and runner-tray's managed-fields entry (time included) must stay.
    const cluster = new KubeCluster(loadKubeconfig({ KUBECONFIG: kubeconfig }));
    type Meta = KubernetesObject;
    const ours = (o: Meta | null) => JSON.stringify((o?.metadata?.managedFields ?? []).filter((f) => f.manager === 'runner-tray'));
    const before = await Promise.all(first.applied.map((a) => cluster.read<Meta>(a)));
    const t1 = performance.now();
    const second = await k8s.apply(uuid, { namespace: 'rt-apply', ...FAST });
    const reapplyMs = performance.now() - t1;
    const after = await Promise.all(first.applied.map((a) => cluster.read<Meta>(a)));
    expect(second.namespace).toBe('exists');
    expect(second.applied[0]!.resourceVersion).toBe(before[0]!.metadata!.resourceVersion);
    expect(after[1]!.metadata!.generation).toBe(before[1]!.metadata!.generation);
    expect(ours(after[1]!)).toBe(ours(before[1]!));
    expect(ours(after[1]!)).toContain('"operation":"Apply"');
    process.stderr.write(`apply create ${createMs.toFixed(0)} ms, no-op re-apply ${reapplyMs.toFixed(0)} ms\n`);
    await k8s.delete(uuid);
    await ctx.close();
  });

  it('a repository runner carries REPOSITORY_UUID (as the server stores it), and delete leaves nothing', async () => {
    const uuid = newRunnerUuid();
    const { ctx } = await contextWithRunner(dockerSocket, kubeconfig, runnerPaste(uuid, { repository: true }));
    const k8s = ctx.kubernetes();
    await k8s.apply(uuid, { namespace: 'rt-repo', kind: 'job', ...FAST });
    const objects = KubernetesObjectApi.makeApiClient(loadKubeconfig({ KUBECONFIG: kubeconfig }).kc);
    const job = (await objects.read({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: workloadName(uuid), namespace: 'rt-repo' } })) as {
      spec: {
        backoffLimit: number;
        completions: number;
        parallelism: number;
        template: { spec: { restartPolicy: string; containers: Array<{ env: Array<{ name: string; value?: string }> }> } };
      };
      metadata: { labels: Record<string, string> };
    };
    expect(job.spec.template.spec.containers[0]!.env).toContainEqual({ name: 'REPOSITORY_UUID', value: REPOSITORY });
    expect(job.metadata.labels.repository_uuid).toBe(REPOSITORY.replace(/[{}]/g, ''));
    expect(job.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
    await until(
      'the job pod to start',
      async () => (await core.listNamespacedPod({ namespace: 'rt-repo', labelSelector: runnerSelector(uuid) })).items.length > 0,
    );

    const { deleted } = await k8s.delete(uuid);
    expect(deleted.map((d) => d.kind)).toEqual(['Job', 'Secret']);
    const left = [
      ...(await core.listNamespacedPod({ namespace: 'rt-repo', labelSelector: runnerSelector(uuid) })).items,
      ...(await core.listNamespacedSecret({ namespace: 'rt-repo', labelSelector: runnerSelector(uuid) })).items,
    ];
    expect(left.map((o) => o.metadata?.name)).toEqual([]);
    // The delete returns once no pod is left; the Job object goes when the garbage collector takes its finalizer off.
    const cluster = new KubeCluster(loadKubeconfig({ KUBECONFIG: kubeconfig }));
    await until(
      'the Job object to go',
      async () => (await cluster.read({ apiVersion: 'batch/v1', kind: 'Job', name: workloadName(uuid), namespace: 'rt-repo' })) === null,
    );
    expect((await ctx.settings().runners().get(uuid))?.placement).toBeUndefined();
    await ctx.close();
  });

  it('a field another manager changed is a conflict; --force takes it over', async () => {
    const uuid = newRunnerUuid();
    const { ctx } = await contextWithRunner(dockerSocket, kubeconfig, runnerPaste(uuid));
    const k8s = ctx.kubernetes();
    cleanups.push(() => k8s.delete(uuid));
    await k8s.apply(uuid, { namespace: 'rt-conflict', ...FAST, image: 'example.invalid/runner:1', imagePullPolicy: 'Never' });
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const theirs = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: workloadName(uuid), namespace: 'rt-conflict' },
      spec: { revisionHistoryLimit: 5 },
    };
    await objects.patch(theirs, undefined, undefined, 'gitops-tool', true, PatchStrategy.ServerSideApply);
    const e = await failure(k8s.apply(uuid, { namespace: 'rt-conflict', ...FAST, image: 'example.invalid/runner:1', imagePullPolicy: 'Never' }));
    expect(e.code).toBe('K8S_CONFLICT');
    expect(e.message).toContain('"gitops-tool" owns .spec.revisionHistoryLimit');
    expect(e.message).toContain('--force');
    const forced = await k8s.apply(uuid, { namespace: 'rt-conflict', ...FAST, image: 'example.invalid/runner:1', imagePullPolicy: 'Never', force: true });
    expect(forced.applied).toHaveLength(2);
    await k8s.delete(uuid);
    await ctx.close();
  });

  it('read-only and no-rights kubeconfigs: RBAC forbidden naming the verb and resource, no token shown', async () => {
    const uuid = newRunnerUuid();
    const ro = await contextWithRunner(dockerSocket, inject('kubeconfigReadonly'), runnerPaste(uuid));
    const e1 = await failure(ro.ctx.kubernetes().apply(uuid, { namespace: 'default', ...FAST }));
    expect(e1.code).toBe('K8S_FORBIDDEN');
    expect(e1.message).toContain('user "reader" may not patch secrets in namespace "default"');
    expect(e1.message).toContain('Role that grants "patch" on "secrets"');
    const nobody = await contextWithRunner(dockerSocket, inject('kubeconfigNobody'), runnerPaste(uuid));
    const e2 = await failure(nobody.ctx.kubernetes().apply(uuid, { namespace: 'rt-nobody', ...FAST }));
    expect(e2.code).toBe('K8S_FORBIDDEN');
    expect(e2.message).toMatch(/user "nobody" may not (create namespaces \(cluster-wide\)|patch secrets in namespace "rt-nobody")/);
    const e3 = await failure(nobody.ctx.kubernetes().status(uuid, { namespace: 'default' }));
    expect(e3.message).toContain('user "nobody" may not get deployments.apps in namespace "default"');
    // Nothing moved: the runner is still placed nowhere.
    expect(ro.ctx.settings().runners().get(uuid)?.placement).toBeUndefined();
  });

  it('unreachable cluster, rejected credentials, invalid object, terminating namespace: plain words', async () => {
    const dir = inject('kubeconfig').replace(/\/kubeconfig$/, '');
    const text = readFileSync(kubeconfig, 'utf8');
    const down = join(dir, 'kubeconfig-down');
    writeFileSync(down, text.replace(/server: "https:\/\/127\.0\.0\.1:\d+"/, 'server: "https://127.0.0.1:1"'));
    const bad = join(dir, 'kubeconfig-expired');
    writeFileSync(bad, text.replace(/token: [0-9a-f]+/, 'token: 0123456789abcdef0123456789abcdef'));
    const uuid = newRunnerUuid();
    const a = await contextWithRunner(dockerSocket, down, runnerPaste(uuid));
    const e1 = await failure(a.ctx.kubernetes().apply(uuid, FAST));
    expect(e1.code).toBe('K8S_UNREACHABLE');
    expect(e1.message).toContain('the cluster at context "test" (https://127.0.0.1:1) is not reachable (ECONNREFUSED)');
    const b = await contextWithRunner(dockerSocket, bad, runnerPaste(uuid));
    const e2 = await failure(b.ctx.kubernetes().apply(uuid, FAST));
    expect(e2.code).toBe('K8S_UNAUTHORIZED');
    expect(e2.message).toContain('expired or invalid');
    expect(e2.message.includes('0123456789abcdef0123456789abcdef')).toBe(false);

    const cluster = new KubeCluster(loadKubeconfig({ KUBECONFIG: kubeconfig }));
    const e3 = await failure(
      cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'rt-bad', namespace: 'default', labels: { 'not a label': 'x' } } }),
    );
    expect(e3.code).toBe('K8S_INVALID');
    expect(e3.message).toContain('metadata.labels: Invalid value: "not a label"');

    // A namespace held in Terminating by a finalizer on an object inside it.
    await cluster.ensureNamespace('rt-doomed');
    await cluster.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'hold', namespace: 'rt-doomed', finalizers: ['runner-tray.test/hold'] } });
    await core.deleteNamespace({ name: 'rt-doomed' });
    cleanups.push(async () => {
      await core.patchNamespacedConfigMap({ name: 'hold', namespace: 'rt-doomed', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    });
    const admin = await contextWithRunner(dockerSocket, kubeconfig, runnerPaste(uuid));
    const e4 = await failure(admin.ctx.kubernetes().apply(uuid, { namespace: 'rt-doomed', ...FAST }));
    expect(e4.code).toBe('K8S_NAMESPACE_TERMINATING');
    expect(e4.message).toContain('Namespace rt-doomed on context "test"');
    expect(e4.message).toContain('is being deleted (Terminating)');
  });

  it('a runner container that exits non-zero is restarted by the kubelet, and status shows it', async () => {
    const uuid = newRunnerUuid();
    const { ctx } = await contextWithRunner(dockerSocket, kubeconfig, runnerPaste(uuid, { env: ['STANDIN_SCRIPT=crash', 'STANDIN_EXIT_CODE=3'] }));
    const k8s = ctx.kubernetes();
    cleanups.push(() => k8s.delete(uuid));
    await k8s.apply(uuid, { namespace: 'rt-crash', ...FAST });
    const pod = await until('a restart of the runner container', async () => {
      const [s] = await k8s.status(uuid);
      const p = s?.pods[0];
      return p && p.restarts >= 1 && p.lastTermination ? p : null;
    });
    expect(pod.lastTermination).toMatchObject({ reason: 'Error', exitCode: 3 });
    expect(pod.dindRestarts).toBe(0);
    await k8s.delete(uuid);
    await ctx.close();
  });
});
