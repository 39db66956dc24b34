/**
 * The dashboard's `kubernetes.*` channels through the host's dispatch (as the window and
 * `runner-tray serve` call them): a real data directory and file vault, the private dockerd as
 * "this machine" and the real cluster. What a user checks: the workload is there and the local
 * container gone after a move, the reverse after bring back, the preview never holds the secret
 * unless revealed (and only where the host allows it), and an unreachable cluster said in plain words.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import Docker from 'dockerode';
import { describe, expect, inject, it } from 'vitest';
import { AppContext } from '../../src/main/app-context.js';
import { startHost, type Host } from '../../src/main/host.js';
import type { Result } from '../../src/shared/contract/result.js';
import type { ManifestPreviewView, MovedRunnerView, RevealedManifestView, RunnerView, KubeContextsView } from '../../src/shared/contract/index.js';
import { secretName, workloadName } from '../../src/shared/k8s/index.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { adminCore, newRunnerUuid, runnerPaste, SECRET, testEnv, tokenOf, until } from '../support/k8s-runners.js';

const kubeconfig = inject('kubeconfig');
const dockerSocket = inject('dockerSocket');
const docker = new Docker({ socketPath: dockerSocket });
const core = adminCore(kubeconfig);
const token = tokenOf(kubeconfig);
const apps = (() => {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(AppsV1Api);
})();

interface World {
  uuid: string;
  dataDir: string;
  host: Host;
  ctx: AppContext;
  lines: string[];
  /** Every answer, as text, for the leak checks. */
  answers: string[];
  call<T>(channel: string, payload: unknown): Promise<Result<T>>;
  close(): Promise<void>;
}

/** A host over a data directory with one runner saved; `again` opens an existing one (same runner) instead. */
async function world(options: { kubeconfig?: string; revealSecrets: boolean; again?: { dataDir: string; uuid: string } }): Promise<World> {
  const uuid = options.again?.uuid ?? newRunnerUuid();
  const dataDir = options.again?.dataDir ?? mkdtempSync(join(tmpdir(), 'rt-k8s-api-'));
  const lines: string[] = [];
  const ctx = new AppContext({ env: testEnv(dataDir, dockerSocket, options.kubeconfig ?? kubeconfig), checkForImageUpdates: false, log: (l) => lines.push(l) });
  if (!options.again) {
    const parsed = parseRunnerCommand(runnerPaste(uuid));
    if (!parsed.ok) throw new Error(parsed.error.message);
    await (await ctx.runners()).add(parsed);
  }
  const host = await startHost({ ctx, revealSecrets: options.revealSecrets });
  const answers: string[] = [];
  return {
    uuid,
    dataDir,
    host,
    ctx,
    lines,
    answers,
    async call<T>(channel: string, payload: unknown) {
      const r = (await host.api.dispatch(channel, payload)) as Result<T>;
      answers.push(JSON.stringify(r));
      return r;
    },
    async close() {
      await host.close();
      await ctx.close();
    },
  };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const localStates = async (uuid: string) =>
  (await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${uuid}`] } })).map((c) => c.State);

/** Every file under a directory, as text: what a removal must leave without the runner's secret. */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((f) => f.isFile())
    .map((f) => readFileSync(join(f.parentPath, f.name), 'utf8'))
    .join('\n');
}

/** The same kubeconfig, pointing at a port nobody listens on. */
function deadKubeconfig(): string {
  const dead = join(mkdtempSync(join(tmpdir(), 'rt-k8s-dead-')), 'kubeconfig');
  writeFileSync(dead, readFileSync(kubeconfig, 'utf8').replace(/server: "?https:\/\/127\.0\.0\.1:\d+"?/, 'server: "https://127.0.0.1:9"'));
  expect(readFileSync(dead, 'utf8')).toContain('server: "https://127.0.0.1:9"');
  return dead;
}

/** Booleans, so a failure cannot print the value it found. */
function noSecretIn(text: string): void {
  expect(text.includes(SECRET)).toBe(false);
  expect(text.includes(token)).toBe(false);
}

describe('kubernetes.* through the host API', () => {
  it('previews masked, reveals on request, moves (workload there, local container gone) and brings back', { timeout: 240_000 }, async () => {
    const w = await world({ revealSecrets: true });
    const { uuid } = w;
    try {
      value(await w.call('runners.start', { runnerUuid: uuid }));
      expect(await localStates(uuid)).toEqual(['running']);

      const contexts = value(await w.call<KubeContextsView>('kubernetes.contexts', {}));
      expect(contexts.contexts.map((c) => [c.name, c.current])).toEqual([['test', true]]);
      expect(contexts.contexts[0]!.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

      const target = { runnerUuid: uuid, namespace: 'rt-api', imagePullPolicy: 'IfNotPresent' };
      const preview = value(await w.call<ManifestPreviewView>('kubernetes.preview', target));
      expect(preview.maskedKeys).toEqual(['oauthClientSecret']);
      expect(preview.yaml).toContain('oauthClientSecret: •••••••• (hidden)');
      expect(preview.yaml).toContain('kind: Deployment');
      expect(preview.yaml).toContain('namespace: rt-api');
      expect(preview.dind.image).toBe(inject('standinDindImage'));
      expect(preview.revealable).toBe(true);
      noSecretIn(JSON.stringify(preview));

      const revealed = value(await w.call<RevealedManifestView>('kubernetes.reveal', target));
      expect(revealed.yaml.includes(`oauthClientSecret: ${SECRET}`)).toBe(true);
      expect(revealed.yaml.replace(SECRET, '').length).toBeGreaterThan(0);

      const moved = value(await w.call<MovedRunnerView>('kubernetes.move', target));
      expect(moved).toMatchObject({ namespace: 'rt-api', localRemoved: true, cluster: expect.stringContaining('context "test"') });
      expect(moved.runner.placement).toMatchObject({ type: 'kubernetes', context: 'test', namespace: 'rt-api', workload: 'deployment' });
      expect(await localStates(uuid)).toEqual([]);
      const deployment = await apps.readNamespacedDeployment({ name: workloadName(uuid), namespace: 'rt-api' });
      expect(deployment.spec?.template.spec?.containers.map((c) => c.name)).toContain('runner');
      const listed = value(await w.call<RunnerView[]>('runners.list', {}));
      expect(listed.find((r) => r.uuid === uuid)?.placement).toMatchObject({ context: 'test', namespace: 'rt-api' });

      // While it is on the cluster, a local start is refused in words, not an internal error.
      const start = await w.call('runners.start', { runnerUuid: uuid });
      expect(start.ok).toBe(false);
      expect(!start.ok && start.error.code).toBe('CONFLICT');
      expect(!start.ok && start.error.message).toContain('runs on Kubernetes (context "test", namespace rt-api)');

      const back = value(await w.call<RunnerView>('kubernetes.bringBack', { runnerUuid: uuid }));
      expect(back.placement).toBeUndefined();
      // No pod is left at once; the Deployment object goes when the garbage collector takes its finalizer off.
      await until('the Deployment to go', () =>
        apps.readNamespacedDeployment({ name: workloadName(uuid), namespace: 'rt-api' }).then(
          () => false,
          (e: { code?: number }) => e.code === 404,
        ),
      );
      const bare = uuid.replace(/[{}]/g, '');
      expect((await core.listNamespacedPod({ namespace: 'rt-api', labelSelector: `runner_uuid=${bare}` })).items).toEqual([]);
      await until('the local container to run', async () => (await localStates(uuid)).join() === 'running');

      // The reveal's answer is the one place the secret went; not the log, not any other answer.
      noSecretIn(w.lines.join('\n'));
      expect(w.lines.some((l) => l.startsWith('kubernetes.move ok'))).toBe(true);
      const withSecret = w.answers.filter((a) => a.includes(SECRET));
      expect(withSecret.length).toBe(1);
      expect(withSecret[0]!.includes('kind: Secret')).toBe(true);
      for (const a of w.answers) expect(a.includes(token)).toBe(false);
      await w.call('runners.remove', { runnerUuid: uuid, force: true });
    } finally {
      await w.close();
    }
  });

  it('an unreachable cluster: said in plain words, the local container untouched; reveal refused where not allowed', { timeout: 120_000 }, async () => {
    const w = await world({ kubeconfig: deadKubeconfig(), revealSecrets: false });
    const { uuid } = w;
    try {
      value(await w.call('runners.start', { runnerUuid: uuid }));
      const target = { runnerUuid: uuid, namespace: 'rt-dead' };
      const preview = value(await w.call<ManifestPreviewView>('kubernetes.preview', target));
      expect(preview.dind.reason).toContain('not reachable');
      expect(preview.revealable).toBe(false);
      expect(preview.revealHint).toContain(`runner-tray k8s export ${uuid} --out -`);
      const reveal = await w.call('kubernetes.reveal', target);
      expect(!reveal.ok && reveal.error.code).toBe('CONFLICT');

      const move = await w.call('kubernetes.move', target);
      expect(move.ok).toBe(false);
      expect(!move.ok && move.error.code).toBe('KUBERNETES_UNAVAILABLE');
      expect(!move.ok && move.error.message).toMatch(/the cluster at context "test" \(https:\/\/127\.0\.0\.1:9\) is not reachable \(ECONNREFUSED\)/);
      expect(await localStates(uuid)).toEqual(['running']);
      const listed = value(await w.call<RunnerView[]>('runners.list', {}));
      expect(listed.find((r) => r.uuid === uuid)?.placement).toBeUndefined();
      for (const a of [...w.answers, w.lines.join('\n')]) noSecretIn(a);
      await w.call('runners.remove', { runnerUuid: uuid, force: true });
    } finally {
      await w.close();
    }
  });

  it(
    'removing a runner on the cluster deletes its workload and Secret there first; an unreachable cluster keeps everything',
    { timeout: 180_000 },
    async () => {
      const first = await world({ revealSecrets: false });
      const { uuid, dataDir } = first;
      const objects = async () => {
        const deployment = await apps.readNamespacedDeployment({ name: workloadName(uuid), namespace: 'rt-rm' }).then(
          () => 'there',
          (e: { code?: number }) => e.code,
        );
        const secret = await core.readNamespacedSecret({ name: secretName(uuid), namespace: 'rt-rm' }).then(
          () => 'there',
          (e: { code?: number }) => e.code,
        );
        return { deployment, secret };
      };
      try {
        value(await first.call('kubernetes.move', { runnerUuid: uuid, namespace: 'rt-rm', imagePullPolicy: 'IfNotPresent' }));
        expect(await objects()).toEqual({ deployment: 'there', secret: 'there' });
      } finally {
        await first.close();
      }

      // The cluster cannot be reached: nothing is removed, not there and not here.
      const cut = await world({ kubeconfig: deadKubeconfig(), revealSecrets: false, again: { dataDir, uuid } });
      try {
        const refused = await cut.call('runners.remove', { runnerUuid: uuid, force: true });
        expect(refused.ok).toBe(false);
        expect(!refused.ok && refused.error.code).toBe('KUBERNETES_UNAVAILABLE');
        expect(!refused.ok && refused.error.message).toMatch(/context "test" \(https:\/\/127\.0\.0\.1:9\) is not reachable/);
        const listed = value(await cut.call<RunnerView[]>('runners.list', {}));
        expect(listed.find((r) => r.uuid === uuid)?.placement).toMatchObject({ namespace: 'rt-rm' });
        expect(await objects()).toEqual({ deployment: 'there', secret: 'there' });
        for (const a of [...cut.answers, cut.lines.join('\n')]) noSecretIn(a);
      } finally {
        await cut.close();
      }

      const again = await world({ revealSecrets: false, again: { dataDir, uuid } });
      try {
        const removed = value(await again.call<{ runnerUuid: string; removed: boolean }>('runners.remove', { runnerUuid: uuid }));
        expect(removed).toMatchObject({ runnerUuid: uuid, removed: true });
        // The Secret and every pod at once; the Deployment object when the garbage collector takes its finalizer off.
        expect((await objects()).secret).toBe(404);
        await until('the Deployment to go', async () => (await objects()).deployment === 404);
        const bare = uuid.replace(/[{}]/g, '');
        expect((await core.listNamespacedPod({ namespace: 'rt-rm', labelSelector: `runner_uuid=${bare}` })).items).toEqual([]);
        expect(value(await again.call<RunnerView[]>('runners.list', {})).map((r) => r.uuid)).not.toContain(uuid);
        // Its secret is gone from this machine too (the file vault and settings under the data directory).
        expect(filesUnder(dataDir).includes(SECRET)).toBe(false);
        for (const a of [...again.answers, again.lines.join('\n')]) noSecretIn(a);
      } finally {
        await again.close();
      }
    },
  );
});
