/**
 * "Move to cluster…" and "Bring back to this machine" as a user does them: `runner-tray serve`
 * (the built CLI, started with --allow-reveal) over the k8s project's private dockerd and the real
 * cluster, the page in real Chromium. The preview masks the secret until Reveal; the move leaves a
 * workload on the cluster and no local container; bring back the reverse. The secret reaches the
 * page only in Reveal's answer, and nothing else (replies, events, serve's output).
 */
import { AppsV1Api, KubeConfig } from '@kubernetes/client-node';
import Docker from 'dockerode';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { workloadName } from '../../src/shared/k8s/index.js';
import { launchChromium } from '../support/chromium.js';
import { adminCore, newRunnerUuid, runnerPaste, SECRET, tokenOf, until } from '../support/k8s-runners.js';
import { screenshotDir } from '../support/screenshots.js';
import { recordEvents, startServe, type ServeChild } from '../support/serve-child.js';

const SHOTS = screenshotDir();
const kubeconfig = inject('kubeconfig');
const dockerSocket = inject('dockerSocket');
const docker = new Docker({ socketPath: dockerSocket });
const kubeToken = tokenOf(kubeconfig);
const core = adminCore(kubeconfig);
const TOKEN = 'k8s-dashboard-test-token-Wq7Zr2Lp';
const apps = (() => {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(AppsV1Api);
})();

let browser: Browser;
let closeBrowser: () => Promise<void>;
let serve: ServeChild;
let events: Awaited<ReturnType<typeof recordEvents>>;
const replies: Array<{ path: string; text: string }> = [];

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
  serve = await startServe({ dockerSocket, token: TOKEN, extraEnv: { KUBECONFIG: kubeconfig }, args: ['--allow-reveal'] });
  events = await recordEvents(serve.origin, TOKEN);
});

afterAll(async () => {
  events?.close();
  await closeBrowser?.();
  expect(await serve?.stop()).toBe(0);
});

async function api<T>(channel: string, payload: unknown): Promise<T> {
  const r = await fetch(`${serve.origin}/api/${channel}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(payload),
  });
  const body = (await r.json()) as { ok: boolean; value: T; error?: { message: string } };
  if (!body.ok) throw new Error(body.error?.message);
  return body.value;
}

async function openPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', colorScheme: 'light', viewport: { width: 1180, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: serve.origin });
  const page = await context.newPage();
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith('/api/') && path !== '/api/events')
      void r.text().then(
        (text) => replies.push({ path, text }),
        () => undefined,
      );
  });
  await page.goto(serve.pageUrl);
  await page.getByRole('navigation').waitFor();
  return page;
}

const localStates = async (uuid: string) =>
  (await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${uuid}`] } })).map((c) => c.State);
const pageText = (p: Page) => p.evaluate(() => document.body.innerText + document.documentElement.outerHTML);

/** For a failed wait: the card, the cluster's pods and the service's last words (secrets cut out). */
async function whatWasThere(item: Locator): Promise<string> {
  const pods = (await core.listPodForAllNamespaces()).items.map(
    (p) =>
      `${p.metadata?.namespace}/${p.metadata?.name} ${p.status?.phase}${p.metadata?.deletionTimestamp ? ` deleting since ${p.metadata.deletionTimestamp.toISOString()}` : ''} ` +
      (p.status?.containerStatuses ?? []).map((c) => `${c.name}:${Object.keys(c.state ?? {}).join()}`).join(' '),
  );
  const text = `The card said: ${await item.innerText()}\nPods (${new Date().toISOString()}):\n${pods.join('\n')}\nServe said:\n${(serve.stdout() + serve.stderr()).slice(-3000)}`;
  return text.split(SECRET).join('<secret>').split(kubeToken).join('<token>');
}

describe('the Runners screen and a real cluster', () => {
  it('moves a runner to the cluster with a masked preview, and brings it back', { timeout: 480_000 }, async () => {
    const uuid = newRunnerUuid();
    const name = `runner-${uuid.slice(1, -1)}`;
    await api('runners.add', { command: runnerPaste(uuid), displayName: 'k8s-ui', startNow: true });
    await until('the local container to run', async () => (await localStates(uuid)).join() === 'running');

    const p = await openPage();
    const item = p.getByRole('listitem', { name: 'k8s-ui' });
    await item.getByText('This machine', { exact: true }).waitFor();
    await item.getByRole('button', { name: 'Move to cluster…' }).click();

    const dialog = p.getByRole('dialog', { name: 'Move “k8s-ui” to a Kubernetes cluster' });
    await dialog.waitFor();
    const contextSelect = dialog.getByLabel('Cluster (kubeconfig context)');
    await expect.poll(() => contextSelect.inputValue()).toBe('test');
    expect(await contextSelect.locator('option').allInnerTexts()).toEqual([expect.stringMatching(/^test — https:\/\/127\.0\.0\.1:\d+ \(current\)$/)]);
    await dialog.getByLabel('Namespace').fill('rt-ui');
    await dialog.getByLabel('Image pull policy').selectOption('IfNotPresent');
    const yaml = dialog.getByLabel('Manifest YAML');
    await expect.poll(() => yaml.innerText(), { timeout: 30_000 }).toContain('namespace: rt-ui');
    await expect.poll(() => yaml.innerText()).toContain('imagePullPolicy: IfNotPresent');
    expect(await yaml.innerText()).toContain('oauthClientSecret: •••••••• (hidden)');
    expect(await dialog.innerText()).toContain(`Docker-in-Docker image ${inject('standinDindImage')}: matches the nodes' Docker`);
    expect((await pageText(p)).includes(SECRET)).toBe(false);
    await dialog.screenshot({ path: `${SHOTS}move-to-cluster.png` });

    // Reveal is explicit, copy takes what is shown, and Hide takes the secret off the page again.
    await dialog.getByRole('button', { name: 'Reveal secret' }).click();
    await expect.poll(async () => (await yaml.innerText()).includes(`oauthClientSecret: ${SECRET}`)).toBe(true);
    await dialog.getByRole('button', { name: 'Copy YAML' }).click();
    await dialog.getByRole('button', { name: 'Copied' }).waitFor();
    expect((await p.evaluate(() => navigator.clipboard.readText())).includes(`oauthClientSecret: ${SECRET}`)).toBe(true);
    await dialog.getByRole('button', { name: 'Hide secret' }).click();
    expect((await pageText(p)).includes(SECRET)).toBe(false);

    await dialog.getByRole('button', { name: 'Move to cluster' }).click();
    await dialog.waitFor({ state: 'detached', timeout: 120_000 });
    await item.getByText('Kubernetes: test · namespace rt-ui').waitFor();
    await p.getByText('k8s-ui now runs on context "test"').waitFor();
    expect(await localStates(uuid)).toEqual([]);
    const deployment = await apps.readNamespacedDeployment({ name: workloadName(uuid), namespace: 'rt-ui' });
    expect(deployment.metadata?.managedFields?.map((f) => f.manager)).toContain('runner-tray');
    expect(await item.getByRole('button', { name: 'Start' }).count()).toBe(0);
    await p.screenshot({ path: `${SHOTS}runner-on-cluster.png`, fullPage: true });

    await item.getByRole('button', { name: 'Bring back to this machine' }).click();
    // Exact: the placed card's hint says "…once it runs on this machine again".
    await item
      .getByText('This machine', { exact: true })
      // A 1.20 kubelet keeps a deleted pod's object until its next container GC (each minute), and longer under load.
      .waitFor({ timeout: 270_000 })
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await whatWasThere(item)}`);
      });
    // The answer comes once the local container started; a failure would be said on the card.
    await p
      .getByText('k8s-ui is back on this machine and starting.')
      .waitFor({ timeout: 90_000 })
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await whatWasThere(item)}`);
      });
    expect(await item.getByRole('alert').count()).toBe(0);
    await until('the Deployment to go', () =>
      apps.readNamespacedDeployment({ name: workloadName(uuid), namespace: 'rt-ui' }).then(
        () => false,
        (e: { code?: number }) => e.code === 404,
      ),
    );
    await until('the local container to run again', async () => (await localStates(uuid)).join() === 'running');
    expect((await docker.getContainer(name).inspect()).State.Running).toBe(true);

    // The secret went out once, in Reveal's answer; never elsewhere, and no kubeconfig token anywhere.
    const withSecret = replies.filter((r) => r.text.includes(SECRET)).map((r) => r.path);
    expect(withSecret).toEqual(['/api/kubernetes.reveal']);
    for (const r of replies) expect(r.text.includes(kubeToken)).toBe(false);
    const out = serve.stdout() + serve.stderr() + events.text();
    expect(out.includes(SECRET)).toBe(false);
    expect(out.includes(kubeToken)).toBe(false);
    expect(events.text()).toContain('"namespace":"rt-ui"');
    await api('runners.remove', { runnerUuid: uuid, force: true });
  });
});
