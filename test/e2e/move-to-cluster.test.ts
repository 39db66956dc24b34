/**
 * The "Move to cluster…" dialog's questions, in real Chromium over the real HTTP bridge with the
 * stand-in service (the real cluster path is test/k8s/dashboard-k8s.test.ts): a move mid-step is
 * asked first and forced only on a yes; a dashboard that may not reveal says how to get the YAML;
 * the tray's #move-to-cluster/<uuid> opens that runner's dialog; Polish words.
 */
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunnerView } from '../../src/shared/contract/index.js';
import { launchChromium } from '../support/chromium.js';
import { startRendererBridge, type RendererBridge } from '../support/renderer-bridge.js';
import { createStandInService, type StandInService } from '../support/stand-in-service.js';

const DIST = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
const RUNNER = '{4d3c2b1a-9f8e-4d7c-8b6a-5e4d3c2b1a09}';

let browser: Browser;
let closeBrowser: () => Promise<void>;
let service: StandInService;
let bridge: RendererBridge;
let context: BrowserContext;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
});
afterAll(async () => closeBrowser?.());
beforeEach(async () => {
  service = createStandInService();
  bridge = await startRendererBridge(service, DIST);
});
afterEach(async () => {
  await context?.close();
  await bridge?.close();
});

function busyRunner(): RunnerView {
  return {
    uuid: RUNNER,
    displayName: 'Build box',
    kind: 'workspace',
    name: `runner-${RUNNER.slice(1, -1)}`,
    runnerState: 'BUSY',
    containerState: 'running',
    image: 'runner:1',
    workingDirectory: '/tmp',
    currentStep: {
      stepUuid: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
      pipelineUuid: '{5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b}',
      startedAt: new Date().toISOString(),
    },
  };
}

async function openPage(locale = 'en-GB', hash = ''): Promise<Page> {
  context = await browser.newContext({ locale, viewport: { width: 1180, height: 900 } });
  const page = await context.newPage();
  await page.goto(bridge.pageUrl);
  await page.getByRole('navigation').waitFor();
  if (hash) await page.evaluate((h) => (window.location.hash = h), hash);
  return page;
}

describe('Move to cluster dialog (stand-in service)', () => {
  it('asks before moving a runner that runs a step, and moves it only on a yes', async () => {
    service.runners.set(RUNNER, busyRunner());
    const p = await openPage();
    const item = p.getByRole('listitem', { name: 'Build box' });
    await item.getByRole('button', { name: 'Move to cluster…' }).click();
    const dialog = p.getByRole('dialog', { name: 'Move “Build box” to a Kubernetes cluster' });
    await dialog.getByLabel('Manifest YAML').getByText('oauthClientSecret: •••••••• (hidden)').waitFor();
    // This dashboard may not reveal: the button is off and the way to the YAML is named.
    expect(await dialog.getByRole('button', { name: 'Reveal secret' }).isDisabled()).toBe(true);
    await dialog.getByText(`On the host, run: runner-tray k8s export ${RUNNER} --out -`).waitFor();

    await dialog.getByRole('button', { name: 'Move to cluster' }).click();
    const confirm = dialog.getByRole('group', { name: 'Confirm moving mid-step' });
    await confirm.getByText('“Build box” is running a step on this machine: moving it now fails the step. Move it anyway?').waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(service.runners.get(RUNNER)?.placement).toBeUndefined();

    await dialog.getByRole('button', { name: 'Move to cluster' }).click();
    await confirm.getByRole('button', { name: 'Move and fail the step' }).click();
    await dialog.waitFor({ state: 'detached' });
    await item.getByText('Kubernetes: stand-in · namespace bitbucket-runner').waitFor();
    // Asked, cancelled; asked again, then forced.
    expect(bridge.calls.filter((c) => c === 'kubernetes.move')).toHaveLength(3);

    await item.getByRole('button', { name: 'Bring back to this machine' }).click();
    await item.getByText('This machine', { exact: true }).waitFor();
    expect(service.runners.get(RUNNER)?.placement).toBeUndefined();
  });

  it('removes a runner on the cluster from its card, saying that its workload there goes first', async () => {
    service.runners.set(RUNNER, { ...busyRunner(), runnerState: 'ONLINE', currentStep: undefined } as RunnerView);
    const p = await openPage();
    const item = p.getByRole('listitem', { name: 'Build box' });
    await item.getByRole('button', { name: 'Move to cluster…' }).click();
    const dialog = p.getByRole('dialog', { name: 'Move “Build box” to a Kubernetes cluster' });
    await dialog.getByLabel('Manifest YAML').getByText('oauthClientSecret: •••••••• (hidden)').waitFor();
    await dialog.getByRole('button', { name: 'Move to cluster' }).click();
    await item.getByText('Kubernetes: stand-in · namespace bitbucket-runner').waitFor();
    // On the cluster: no Start or Stop here, but Remove is.
    expect(await item.getByRole('button', { name: 'Start' }).count()).toBe(0);
    await item.getByRole('button', { name: 'Remove' }).click();
    const confirm = item.getByRole('group', { name: 'Confirm removal' });
    await confirm
      .getByText(
        'Remove “Build box”? Its workload and Secret in namespace bitbucket-runner on the cluster are deleted first, then its stored secret here; the runner stays registered in Bitbucket.',
      )
      .waitFor();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(service.runners.has(RUNNER)).toBe(true);
    await item.getByRole('button', { name: 'Remove' }).click();
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await item.waitFor({ state: 'detached' });
    expect(service.runners.has(RUNNER)).toBe(false);
    expect(bridge.calls.filter((c) => c === 'runners.remove')).toHaveLength(1);
  });

  it("opens a runner's dialog when the tray sends the window to #move-to-cluster/<uuid>, in Polish", async () => {
    service.runners.set(RUNNER, { ...busyRunner(), runnerState: 'ONLINE', currentStep: undefined } as RunnerView);
    const p = await openPage('pl-PL', `#move-to-cluster/${RUNNER.slice(1, -1)}`);
    const dialog = p.getByRole('dialog', { name: 'Przenieś „Build box” do klastra Kubernetes' });
    await dialog.waitFor();
    await dialog.getByText('Podgląd manifestu', { exact: true }).waitFor();
    expect(p.url()).not.toContain('move-to-cluster');
    await dialog.getByRole('button', { name: 'Anuluj' }).click();
    await dialog.waitFor({ state: 'detached' });
  });
});
