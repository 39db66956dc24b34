/**
 * The window, driven like a user in real Chromium, with a stand-in service
 * behind the real HTTP bridge (`startHttpBridge`; the real services are not the
 * point here; `runner-tray serve` gets its own end-to-end test).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { createStandInService, type StandInService } from '../support/stand-in-service.js';
import { startRendererBridge, type RendererBridge } from '../support/renderer-bridge.js';

const DIST = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
const SHOTS = screenshotDir();

// Made-up values, shaped like Bitbucket's.
const ACCOUNT = '{7e1d9c2a-4b6f-4e8a-9d3c-5a1b2c3d4e5f}';
const REPO = '{9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f}';
const RUNNER = '{3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a98}';
const CLIENT_ID = 'Tq7Yw2Rk9Lm4Nb6Vc8Xz1As3Df5Gh0Jp';
const SECRET = 'mAdEuPsEcReT-9x8w7v6u5t4s3r2q1p0o_n9m8l7k6j5i4h3g2f1e0d9c8b7a6Z5';
const COMMAND = [
  'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
  '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
  `-e ACCOUNT_UUID=${ACCOUNT}`,
  `-e REPOSITORY_UUID=${REPO}`,
  `-e RUNNER_UUID=${RUNNER}`,
  '-e RUNTIME_PREREQUISITES_ENABLED=true',
  `-e OAUTH_CLIENT_ID=${CLIENT_ID}`,
  `-e OAUTH_CLIENT_SECRET=${SECRET}`,
  '-e WORKING_DIRECTORY=/tmp',
  `--name runner-${RUNNER.slice(1, -1)}`,
  'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
].join(' ');

let browser: Browser;
let closeBrowser: () => Promise<void>;
let service: StandInService;
let bridge: RendererBridge;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
});
afterAll(async () => {
  await closeBrowser?.();
});

async function openPage(options: { locale?: string; colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    colorScheme: options.colorScheme ?? 'light',
    viewport: { width: 1180, height: 820 },
    deviceScaleFactor: 1,
  });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: bridge.url });
  page = await context.newPage();
  await page.goto(bridge.pageUrl);
  await page.getByRole('navigation').waitFor();
  return page;
}

beforeEach(async () => {
  service = createStandInService();
  bridge = await startRendererBridge(service, DIST);
});
afterEach(async () => {
  await context?.close();
  await bridge?.close();
});

const runnerItem = (p: Page, name: string) => p.getByRole('listitem', { name });
const pageText = (p: Page) => p.evaluate(() => document.body.innerText + document.documentElement.outerHTML);

describe('renderer with a stand-in service', () => {
  it('explains where the command comes from when there are no runners, and drops the token from the URL', async () => {
    const p = await openPage();
    await p.getByRole('heading', { name: 'No runners yet' }).waitFor();
    const steps = await p.getByRole('listitem').allInnerTexts();
    expect(steps.join('\n')).toMatch(/Pipelines → Runners/);
    expect(p.url()).not.toContain('#token');
    expect(p.url()).not.toContain(bridge.token);
    await p.screenshot({ path: `${SHOTS}runners-empty.png` });
  });

  it('shows the parsed fields with the secret masked, saves, and clears the paste box', async () => {
    const p = await openPage();
    await p.getByRole('button', { name: 'Add runner' }).click();
    const box = p.getByRole('textbox', { name: 'Runner command' });
    await box.fill(COMMAND);
    await p.getByText('This is a valid runner command.').waitFor();
    // The box gives way to the redacted fields; the command can be reopened.
    expect(await box.count()).toBe(0);
    await p.getByRole('button', { name: 'Edit the command' }).click();
    expect(await box.inputValue()).toBe(COMMAND);
    await p.getByRole('textbox', { name: 'Display name' }).focus();

    const parsed = p.getByRole('region', { name: 'What the command says' });
    expect(await parsed.innerText()).toContain(RUNNER);
    expect(await parsed.innerText()).toContain(CLIENT_ID);
    expect(await parsed.innerText()).toContain('hidden, 64 characters');
    expect(await pageText(p)).not.toContain(SECRET);
    await p.getByRole('textbox', { name: 'Display name' }).fill('Build box');
    expect(await box.count()).toBe(0);
    await p.screenshot({ path: `${SHOTS}add-runner.png`, fullPage: true });

    await p.getByRole('button', { name: 'Save runner' }).click();
    const item = runnerItem(p, 'Build box');
    await item.waitFor();
    await item.getByText('Online').waitFor();
    expect(await item.innerText()).toContain('Repository runner');
    expect(await item.getByRole('button', { name: 'Start' }).isDisabled()).toBe(true);

    // The form is gone and a new one starts empty: the secret left the page.
    expect(await p.getByRole('textbox', { name: 'Runner command' }).count()).toBe(0);
    await p.getByRole('button', { name: 'Add runner' }).click();
    expect(await p.getByRole('textbox', { name: 'Runner command' }).inputValue()).toBe('');
    await p.getByRole('button', { name: 'Cancel' }).click();

    await item.getByRole('button', { name: 'Stop' }).click();
    await item.getByText('Stopped').waitFor();
    await p.screenshot({ path: `${SHOTS}runners.png` });

    expect(service.secretsSeen).toContain(SECRET);
    for (const body of bridge.sent) expect(body).not.toContain(SECRET);
    expect(await pageText(p)).not.toContain(SECRET);
  });

  it("shows a bad paste redacted beside the parser's error, never the secret, with a way to edit it", async () => {
    const p = await openPage();
    await p.getByRole('button', { name: 'Add runner' }).click();
    const box = p.getByRole('textbox', { name: 'Runner command' });
    await box.fill(COMMAND.replace(`-e RUNNER_UUID=${RUNNER}`, ''));
    const alert = p.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/RUNNER_UUID/);
    // The box gives way to the redacted text: no field on the page holds the secret, by value either.
    await box.waitFor({ state: 'detached' });
    const preview = p.getByLabel('Pasted command, secret hidden');
    expect(await preview.innerText()).toContain('OAUTH_CLIENT_SECRET=••••••••(64)');
    expect(await preview.innerText()).toContain(CLIENT_ID);
    const fieldValues = () => p.evaluate(() => [...document.querySelectorAll('textarea, input')].map((e) => (e as HTMLInputElement).value).join('\n'));
    expect(await fieldValues()).not.toContain(SECRET);
    expect(await pageText(p)).not.toContain(SECRET);
    // "Next to the box": the error describes the redacted command for screen readers.
    const group = p.getByRole('group', { name: 'Runner command' });
    const describedBy = (await group.getAttribute('aria-describedby')) ?? '';
    const described = await p.evaluate(
      (ids) =>
        ids
          .split(' ')
          .map((id) => document.getElementById(id)?.innerText ?? '')
          .join(' '),
      describedBy,
    );
    expect(described).toMatch(/RUNNER_UUID/);
    expect(await p.getByRole('button', { name: 'Save runner' }).isDisabled()).toBe(true);
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Edit the command');
    await p.screenshot({ path: `${SHOTS}add-runner-error.png`, fullPage: true });

    // The user can open it again to fix it; the fix is checked once they leave the box.
    await p.getByRole('button', { name: 'Edit the command' }).click();
    expect(await box.inputValue()).toBe(COMMAND.replace(`-e RUNNER_UUID=${RUNNER}`, ''));
    await box.fill(COMMAND);
    await p.getByText('This is a valid runner command.').waitFor();
    await p.getByRole('textbox', { name: 'Display name' }).focus();
    await box.waitFor({ state: 'detached' });
    expect(await fieldValues()).not.toContain(SECRET);
  });

  it("shows the parser's error in Polish in the Polish UI", async () => {
    const p = await openPage({ locale: 'pl-PL' });
    await p.getByRole('button', { name: 'Dodaj runner' }).click();
    await p.getByRole('textbox', { name: 'Polecenie runnera' }).fill(COMMAND.replace(`-e RUNNER_UUID=${RUNNER}`, ''));
    const alert = p.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('Polecenie nie ustawia zmiennej RUNNER_UUID.');
    expect(await alert.innerText()).not.toContain('does not set');
    await p.screenshot({ path: `${SHOTS}add-runner-error-pl.png`, fullPage: true });
  });

  it('closes the form when "start now" fails after saving, and shows the error on the runner\'s item', async () => {
    service.startFailure = { code: 'DOCKER_UNAVAILABLE', message: 'Docker is not running: start it and press Start.' };
    const p = await openPage();
    await p.getByRole('button', { name: 'Add runner' }).click();
    await p.getByRole('textbox', { name: 'Runner command' }).fill(COMMAND);
    await p.getByRole('textbox', { name: 'Display name' }).fill('Build box');
    await p.getByRole('button', { name: 'Save runner' }).click();
    const item = runnerItem(p, 'Build box');
    await item.getByRole('alert').getByText('Docker is not running: start it and press Start.').waitFor();
    expect(await p.getByRole('button', { name: 'Save runner' }).count()).toBe(0);
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Add runner');
    // Saved once: Start works once Docker is back, no CONFLICT from a second save.
    service.startFailure = undefined;
    await item.getByRole('button', { name: 'Start' }).click();
    await item.getByText('Online').waitFor();
    expect(await item.getByRole('alert').count()).toBe(0);
  });

  it('returns focus to "Add runner" after Cancel and Escape', async () => {
    const p = await openPage();
    const add = p.getByRole('button', { name: 'Add runner' });
    await add.click();
    await p.getByRole('button', { name: 'Cancel' }).click();
    await p.waitForFunction(() => document.activeElement?.textContent === 'Add runner');
    await add.click();
    await p.getByRole('textbox', { name: 'Runner command' }).press('Escape');
    await p.waitForFunction(() => document.activeElement?.textContent === 'Add runner');
  });

  it('updates runners from the pushed view: CPU/memory pushes do not make screens call runners.list', async () => {
    const view = {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'repository' as const,
      name: 'runner-x',
      runnerState: 'ONLINE' as const,
      containerState: 'running' as const,
      startedAt: new Date().toISOString(),
      cpuPercent: 1,
      memoryBytes: 100 * 1024 ** 2,
      image: 'runner:1',
      workingDirectory: '/tmp',
    };
    service.runners.set(RUNNER, view);
    const p = await openPage();
    const item = runnerItem(p, 'Build box');
    await item.waitFor();
    const lists = () => bridge.calls.filter((c) => c === 'runners.list').length;
    const before = lists();
    for (let i = 2; i <= 6; i++) {
      service.emit({ type: 'runner.changed', runner: { ...view, cpuPercent: i * 10 } });
      await new Promise((r) => setTimeout(r, 150));
    }
    await item.getByText('60', { exact: false }).waitFor();
    await p.waitForTimeout(300);
    expect(lists()).toBe(before);
    // A runner the page has not seen arrives whole as well.
    service.emit({ type: 'runner.changed', runner: { ...view, uuid: '{44445555-6666-4777-8888-9999aaaabbbb}', displayName: 'Second box' } });
    await runnerItem(p, 'Second box').waitFor();
    service.emit({ type: 'runner.removed', runnerUuid: '{44445555-6666-4777-8888-9999aaaabbbb}' });
    await runnerItem(p, 'Second box').waitFor({ state: 'detached' });
    expect(lists()).toBe(before);
  });

  it('closes the event stream after 30 s hidden and resyncs when shown again', async () => {
    context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1180, height: 820 } });
    page = await context.newPage();
    await page.clock.install();
    await page.goto(bridge.pageUrl);
    await page.getByRole('navigation').waitFor();
    await expect.poll(() => bridge.streamCount).toBe(1);
    const setHidden = (hidden: boolean) =>
      page.evaluate((h) => {
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => h });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
        document.dispatchEvent(new Event('visibilitychange'));
      }, hidden);
    await setHidden(true);
    await page.clock.fastForward(20_000);
    await page.waitForTimeout(200);
    expect(bridge.streamCount).toBe(1);
    await page.clock.fastForward(11_000);
    await expect.poll(() => bridge.streamCount, { timeout: 10_000 }).toBe(0);
    const lists = bridge.calls.filter((c) => c === 'runners.list').length;
    await setHidden(false);
    await expect.poll(() => bridge.streamCount, { timeout: 10_000 }).toBe(1);
    await page.clock.fastForward(1_000);
    await expect.poll(() => bridge.calls.filter((c) => c === 'runners.list').length, { timeout: 10_000 }).toBeGreaterThan(lists);
  });

  it('asks before replacing the secret of a runner that is already saved', async () => {
    const p = await openPage();
    await p.getByRole('button', { name: 'Add runner' }).click();
    await p.getByRole('textbox', { name: 'Runner command' }).fill(COMMAND);
    await p.getByRole('checkbox', { name: 'Start the runner now' }).waitFor();
    await p.getByRole('checkbox', { name: 'Start the runner now' }).uncheck();
    await p.getByRole('textbox', { name: 'Display name' }).fill('Old name');
    await p.getByRole('button', { name: 'Save runner' }).click();
    await runnerItem(p, 'Old name').getByText('Stopped').waitFor();

    await p.getByRole('button', { name: 'Add runner' }).click();
    await p.getByRole('textbox', { name: 'Runner command' }).fill(COMMAND.replace(SECRET, SECRET.replace('mAdEuP', 'rOtAtE')));
    const replace = p.getByRole('checkbox', { name: 'Replace the secret of “Old name”' });
    await replace.waitFor();
    expect(await p.getByRole('button', { name: 'Save runner' }).isDisabled()).toBe(true);
    await replace.check();
    await p.getByRole('button', { name: 'Save runner' }).click();
    await p.getByRole('button', { name: 'Save runner' }).waitFor({ state: 'detached' });
    await p.getByText('Saved runner Old name.').waitFor({ state: 'attached' });
    expect(await p.getByRole('listitem', { name: 'Old name' }).count()).toBe(1);
  });

  it('asks before stopping a runner mid-step, and stops it only on a yes', async () => {
    service.runners.set(RUNNER, {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'repository',
      name: `runner-${RUNNER.slice(1, -1)}`,
      runnerState: 'BUSY',
      containerState: 'running',
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      image: 'runner:1',
      workingDirectory: '/tmp',
      currentStep: {
        stepUuid: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
        pipelineUuid: '{5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b}',
        stepName: 'Build and test',
        repositoryFullName: 'acme/web-app',
        startedAt: new Date().toISOString(),
      },
    });
    const p = await openPage();
    const item = runnerItem(p, 'Build box');
    await item.waitFor();
    await item.getByRole('button', { name: 'Stop' }).click();
    const confirm = item.getByRole('group', { name: 'Confirm stopping mid-step' });
    await confirm.getByText('“Build box” is running a step: stopping it fails the step.').waitFor();
    // No: it keeps running.
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    expect(service.runners.get(RUNNER)?.runnerState).toBe('BUSY');

    const from = bridge.calls.length;
    await item.getByRole('button', { name: 'Stop' }).click();
    await confirm.getByRole('button', { name: 'Stop and fail the step' }).click();
    await item.getByText('Stopped').waitFor();
    expect(bridge.calls.slice(from).filter((c) => c === 'runners.stop')).toHaveLength(2);
    await p.getByText('Build box stopped. Removed 1 step container(s) it left behind.').waitFor({ state: 'attached' });
  });

  it('says when a running runner keeps its old settings after a re-paste, and "Restart now" stops and starts it', async () => {
    service.runners.set(RUNNER, {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'repository',
      name: `runner-${RUNNER.slice(1, -1)}`,
      runnerState: 'ONLINE',
      containerState: 'running',
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      image: 'runner:1',
      workingDirectory: '/tmp',
    });
    const p = await openPage();
    const item = runnerItem(p, 'Build box');
    await item.waitFor();
    await p.getByRole('button', { name: 'Add runner' }).click();
    await p.getByRole('textbox', { name: 'Runner command' }).fill(COMMAND.replace(SECRET, SECRET.replace('mAdEuP', 'rOtAtE')));
    await p.getByRole('checkbox', { name: 'Replace the secret of “Build box”' }).check();
    await p.getByRole('button', { name: 'Save runner' }).click();
    const notice = item.getByRole('status').filter({ hasText: 'keeps the old ones until restarted' });
    await notice.waitFor();
    expect(await item.getByText('Online').count()).toBeGreaterThan(0);
    await p.screenshot({ path: `${SHOTS}runner-pending-restart.png` });

    const from = bridge.calls.length;
    await item.getByRole('button', { name: 'Restart now' }).click();
    await notice.waitFor({ state: 'detached' });
    expect(bridge.calls.slice(from).filter((c) => c.startsWith('runners.'))).toEqual(['runners.stop', 'runners.start']);
    await item.getByText('Online').waitFor();
    await p.getByText('Build box restarted with its saved settings.').waitFor({ state: 'attached' });
    // The notice's words are the UI's: the service's English notice (with the UUID) is not shown.
    expect(await item.innerText()).not.toContain('stop and start the runner');
  });

  it('renders in Polish when the browser prefers Polish, and switches language in settings', async () => {
    const p = await openPage({ locale: 'pl-PL' });
    await p.getByRole('button', { name: 'Dodaj runner' }).waitFor();
    await p.getByRole('heading', { name: 'Nie ma jeszcze runnerów' }).waitFor();
    expect(await p.evaluate(() => document.documentElement.lang)).toBe('pl');
    await p.screenshot({ path: `${SHOTS}runners-empty-pl.png` });

    await p.getByRole('button', { name: 'Dodaj runner' }).click();
    await p.getByRole('textbox', { name: 'Polecenie runnera' }).fill(COMMAND);
    await p.getByText('ukryty, 64 znaki').waitFor();

    await p.getByRole('navigation').getByRole('button', { name: 'Ustawienia' }).click();
    await p.getByRole('combobox', { name: 'Język' }).selectOption('en');
    await p.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(service.settings.language).toBe('en');
  });

  it('is usable with the keyboard: skip link, navigation, focus on the new screen', async () => {
    const p = await openPage();
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    await p.keyboard.press('Tab');
    expect(await p.evaluate(() => document.activeElement?.textContent)).toBe('Runners');
    await p.keyboard.press('Tab');
    await p.keyboard.press('Enter');
    expect(await p.evaluate(() => document.activeElement?.tagName + ':' + document.activeElement?.textContent)).toBe('H1:Steps');
    expect(await p.getByRole('navigation').getByRole('button', { name: 'Steps' }).getAttribute('aria-current')).toBe('page');
    for (const landmark of ['banner', 'navigation', 'main'] as const) expect(await p.getByRole(landmark).count()).toBe(1);
  });

  it('shows steps live, with a link to Bitbucket when the ids allow it', async () => {
    service.runners.set(RUNNER, {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'repository',
      name: 'runner-x',
      runnerState: 'BUSY',
      containerState: 'running',
      startedAt: new Date(Date.now() - 3_720_000).toISOString(),
      cpuPercent: 37.5,
      memoryBytes: 1.6 * 1024 ** 3,
      image: 'runner:1',
      workingDirectory: '/tmp',
    });
    service.settings.bitbucket = { connected: true, workspace: 'acme', email: 'dev@example.com', watchedRepositories: ['acme/web-app'] };
    service.queued = [
      {
        stepUuid: '{11112222-3333-4444-8555-666677778888}',
        pipelineUuid: '{aaaabbbb-cccc-4ddd-8eee-ffff00001111}',
        workspace: 'acme',
        repoSlug: 'web-app',
        buildNumber: 43,
        stepName: 'Deploy to staging',
        runsOn: ['self.hosted', 'linux', 'gpu'],
        queuedAt: new Date(Date.now() - 40_000).toISOString(),
      },
    ];
    const p = await openPage();
    await p.getByRole('navigation').getByRole('button', { name: 'Steps' }).click();
    await p.getByRole('heading', { name: 'Steps on Build box' }).waitFor();
    await p.getByText('No steps yet.', { exact: false }).waitFor();

    const step = {
      runnerUuid: RUNNER,
      stepUuid: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
      pipelineUuid: '{5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b}',
      repositoryUuid: REPO,
      state: 'RUNNING',
      phase: 'BUILD',
      startedAt: new Date(Date.now() - 95_000).toISOString(),
      workspace: 'acme',
      repoSlug: 'web-app',
      buildNumber: 42,
      stepName: 'Build and test',
    };
    const stepLists = () => bridge.calls.filter((c) => c === 'steps.list').length;
    const listsBefore = stepLists();
    // Only the event carries the step: the row must come from its payload, not a refetch.
    service.emit({ type: 'step.changed', step });
    const link = p.getByRole('link', { name: 'Build and test (open in Bitbucket)' });
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('https://bitbucket.org/acme/web-app/pipelines/results/42/steps/%7B0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d%7D');
    const row = p.getByRole('row').filter({ has: link });
    expect(await row.innerText()).toMatch(/running/i);

    const done = { ...step, state: 'FAILED', phase: undefined, finishedAt: new Date().toISOString() };
    const lint = {
      ...step,
      stepUuid: '{99998888-7777-4666-8555-444433332222}',
      stepName: 'Lint',
      state: 'PASSED',
      phase: undefined,
      buildNumber: 41,
      startedAt: new Date(Date.now() - 600_000).toISOString(),
      finishedAt: new Date(Date.now() - 480_000).toISOString(),
    };
    service.emit({ type: 'step.changed', step: done });
    service.emit({ type: 'step.changed', step: lint });
    await row.getByText('Failed').waitFor();
    await p.getByRole('row').filter({ hasText: 'Lint' }).getByText('Passed').waitFor();
    // Newest first, and no steps.list per event.
    expect(await p.locator('tr[data-step]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-step')))).toEqual([step.stepUuid, lint.stepUuid]);
    expect(stepLists()).toBe(listsBefore);
    // After a lost-events resync the list is asked for again.
    service.steps = [done, lint];
    service.emit({ type: 'resync' });
    await expect.poll(stepLists, { timeout: 5_000 }).toBeGreaterThan(listsBefore);
    await p.screenshot({ path: `${SHOTS}steps.png`, fullPage: true });
  });

  it('shows our runners as Bitbucket sees them on the Steps screen, and ours it does not list', async () => {
    const GONE = '{5a5a5a5a-6b6b-4c7c-8d8d-9e9e9e9e9e9e}';
    for (const [uuid, displayName] of [
      [RUNNER, 'Build box'],
      [GONE, 'Old laptop'],
    ] as const) {
      service.runners.set(uuid, {
        uuid,
        displayName,
        kind: 'repository',
        name: `runner-${uuid.slice(1, -1)}`,
        runnerState: 'BUSY',
        containerState: 'running',
        image: 'runner:1',
        workingDirectory: '/tmp',
      });
    }
    service.settings.bitbucket = { connected: true, workspace: 'acme', email: 'dev@example.com', watchedRepositories: [] };
    const listed = {
      uuid: RUNNER.toUpperCase(),
      name: 'build-box-1',
      labels: ['self.hosted', 'linux', 'gpu'],
      status: 'ONLINE',
      busy: true,
      scope: 'repository' as const,
      updatedOn: '2026-11-29T10:15:00.000Z',
    };
    service.bitbucketRunners = { listed: [listed], missing: [GONE] };
    const p = await openPage();
    await p.getByRole('navigation').getByRole('button', { name: 'Steps' }).click();
    const section = p.getByRole('region', { name: 'Your runners in Bitbucket' });
    const row = section.getByRole('row').filter({ hasText: 'Build box' });
    await row.waitFor();
    // Our name, with Bitbucket's beside it; Bitbucket's status, busy and labels.
    expect(await row.innerText()).toMatch(/Build box \(build-box-1\)\s+Online\s+Running a step\s+self\.hosted, linux, gpu/);
    await section.getByText('Old laptop is not listed by Bitbucket', { exact: false }).waitFor();

    // A poll round pushes the next view; the row follows without a reload.
    service.bitbucketRunners = { listed: [{ ...listed, status: 'OFFLINE', busy: false }], missing: [] };
    service.emit({ type: 'queued.changed', connected: true, steps: [], runners: service.bitbucketRunners });
    await row.getByText('Offline').waitFor();
    await section.getByText('Old laptop', { exact: false }).waitFor({ state: 'detached' });
    expect(await row.innerText()).toContain('Idle');
  });

  it('keeps 100,000 log lines virtualised, searchable, and shows a diagnosis with its fix', async () => {
    service.runners.set(RUNNER, {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'repository',
      name: 'runner-x',
      runnerState: 'ONLINE',
      containerState: 'running',
      image: 'runner:1',
      workingDirectory: '/tmp',
    });
    service.logBacklog = Array.from({ length: 100_000 }, (_, i) => ({
      n: i + 1,
      text: `[2026-11-29 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},000] Updating step progress to RUNNING (line ${i + 1}).`,
    }));
    const p = await openPage();
    await p.getByRole('navigation').getByRole('button', { name: 'Logs' }).click();
    await p.getByText('100,000 lines').waitFor();
    await p.waitForFunction(() => document.querySelectorAll('.log-row').length > 0);
    const rows = await p.locator('.log-row').count();
    expect(rows).toBeGreaterThan(10);
    expect(rows).toBeLessThan(200);

    const oomLine = 'Container "build" failed: OOMKilled (exit code 137); memory limit 4096 MiB reached.';
    service.emit({ type: 'logs.lines', subscriptionId: service.lastSubscriptionId!, runnerUuid: RUNNER, lines: [{ n: 100_001, text: oomLine }] });
    service.emit({
      type: 'diagnosis',
      runnerUuid: RUNNER,
      diagnosis: { code: 'STEP_OOM', message: 'The build container ran out of memory.', fix: 'size: 2x', line: oomLine, lineNumber: 100_001 },
    });
    await p.getByText('The build container ran out of memory.').first().waitFor();
    await p.locator('.log-row.diagnosed').getByText('size: 2x').waitFor();
    await p.screenshot({ path: `${SHOTS}logs.png` });

    await p.getByRole('searchbox', { name: 'Search log' }).fill('line 4242)');
    await p.getByText('1 matching line').waitFor();
    await p.getByRole('button', { name: 'Pause' }).click();
    service.emit({ type: 'logs.lines', subscriptionId: service.lastSubscriptionId!, runnerUuid: RUNNER, lines: [{ n: 100_002, text: 'later' }] });
    await p.getByText('1 new line while paused', { exact: false }).waitFor();
    await p.getByRole('button', { name: 'Resume' }).click();

    await p.getByRole('button', { name: 'Copy lines' }).click();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toContain('(line 4242).');
  });

  it("shows a step container's diagnosis in Polish with its container, in the log and in the notification", async () => {
    service.runners.set(RUNNER, {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'repository',
      name: 'runner-x',
      runnerState: 'BUSY',
      containerState: 'running',
      image: 'runner:1',
      workingDirectory: '/tmp',
    });
    service.logBacklog = [{ n: 1, text: 'Runner starting.' }];
    const p = await openPage({ locale: 'pl-PL' });
    await p.getByRole('navigation').getByRole('button', { name: 'Logi' }).click();
    await p.getByText('Runner starting.').waitFor();
    // As the service sends it: English words, plus the text key and params the UI translates by.
    const diagnosis = {
      code: 'MEMORY_LIMIT',
      textKey: 'MEMORY_LIMIT.service',
      params: { container: 'docker' },
      container: 'docker',
      message: 'The step\'s "docker" service ran out of memory and was stopped.',
      fix: "Raise the service's memory in bitbucket-pipelines.yml (definitions: services: docker: memory: …), and the step's size if the total no longer fits.",
      line: "Service 'docker' exceeded memory limit.",
    };
    service.emit({ type: 'logs.lines', subscriptionId: service.lastSubscriptionId!, runnerUuid: RUNNER, lines: [{ n: 2, text: diagnosis.line }] });
    service.emit({ type: 'diagnosis', runnerUuid: RUNNER, diagnosis: { ...diagnosis, lineNumber: 2 } });
    const summary = p.getByRole('status').filter({ hasText: 'znany problem' });
    await summary.getByText('Usłudze „docker” w kroku zabrakło pamięci i została zatrzymana.', { exact: false }).waitFor();
    expect(await summary.innerText()).toContain('w kontenerze usługi „docker”');
    const row = p.locator('.log-row.diagnosed');
    await row.getByText('Zwiększ pamięć usługi w bitbucket-pipelines.yml', { exact: false }).waitFor();
    expect(await row.innerText()).not.toContain('ran out of memory');

    service.emit({
      type: 'notification',
      kind: 'stepFailed',
      runnerUuid: RUNNER,
      runnerDisplayName: 'Build box',
      step: { stepUuid: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}', stepName: 'Testy' },
      diagnosis,
    });
    await p.locator('.toast').filter({ hasText: 'w kontenerze usługi „docker”' }).filter({ hasText: 'zabrakło pamięci' }).waitFor();
  });

  it('shows doctor findings with copyable fixes, the pipelines snippet and settings', async () => {
    service.preflight = {
      findings: [
        { id: 'engine', status: 'ok', message: 'Docker Engine 20.10.24 answers on unix:///var/run/docker.sock.' },
        {
          id: 'cgroup',
          status: 'warn',
          message: 'cgroup v1 is in use; the runner prefers cgroup v2 for memory limits.',
          fix: 'sudo grubby --update-kernel=ALL --args="systemd.unified_cgroup_hierarchy=1"',
        },
        { id: 'docker-group', status: 'fail', message: 'Your user cannot reach the Docker socket.', fix: 'sudo usermod -aG docker "$USER" && newgrp docker' },
      ],
    };
    service.settings.bitbucket.watchedRepositories = ['acme/web-app', 'acme/mobile-app'];
    const p = await openPage();
    const nav = p.getByRole('navigation');
    await nav.getByRole('button', { name: 'Doctor' }).click();
    await p.getByText('2 things need attention.').waitFor();
    const findings = p.getByRole('list', { name: 'Checks' }).getByRole('listitem');
    expect(await findings.first().innerText()).toMatch(/^Problem: Your user cannot reach|Your user cannot reach/);
    await findings.first().getByRole('button', { name: 'Copy fix' }).click();
    expect(await p.evaluate(() => navigator.clipboard.readText())).toBe('sudo usermod -aG docker "$USER" && newgrp docker');
    await p.screenshot({ path: `${SHOTS}doctor.png`, fullPage: true });

    await nav.getByRole('button', { name: 'Pipelines snippet' }).click();
    await p.getByRole('textbox', { name: 'Extra runner labels' }).fill('gpu, Bad Label!');
    await p.getByRole('combobox', { name: 'Step size' }).selectOption('2x');
    const yaml = await p.locator('pre.code-block').innerText();
    expect(yaml).toContain('runs-on: [self.hosted, linux, gpu]');
    expect(yaml).toContain('size: 2x');
    expect(await p.getByRole('alert').innerText()).toContain('label!');
    await p.getByRole('textbox', { name: 'Extra runner labels' }).fill('gpu');
    await p.screenshot({ path: `${SHOTS}pipelines-snippet.png` });

    await nav.getByRole('button', { name: 'Settings' }).click();
    await p.getByRole('textbox', { name: 'Workspace ID' }).fill('acme');
    await p.getByRole('textbox', { name: 'Atlassian account e-mail' }).fill('dev@example.com');
    const token = 'ATATT-made-up-api-token-1234567890';
    await p.getByLabel('API token').fill(token);
    // Typed into the field, but not copied into the page's markup (a controlled input would be).
    expect(await p.getByLabel('API token').inputValue()).toBe(token);
    expect(await p.evaluate(() => document.documentElement.outerHTML)).not.toContain(token);
    await p.getByRole('button', { name: 'Connect' }).click();
    await p.getByText('Connected to acme as dev@example.com.').waitFor();
    expect(await p.evaluate(() => [...document.querySelectorAll('input')].map((e) => e.value).join('\n'))).not.toContain(token);
    for (const body of bridge.sent) expect(body).not.toContain(token);
    expect(await pageText(p)).not.toContain(token);
    await p.getByRole('radio', { name: 'Dark' }).check();
    await p.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await p.screenshot({ path: `${SHOTS}settings-dark.png`, fullPage: true });
  });

  it('follows the OS dark theme', async () => {
    service.runners.set(RUNNER, {
      uuid: RUNNER,
      displayName: 'Build box',
      kind: 'workspace',
      name: 'runner-x',
      runnerState: 'BUSY',
      containerState: 'running',
      startedAt: new Date(Date.now() - 8_000_000).toISOString(),
      cpuPercent: 63.2,
      memoryBytes: 2.3 * 1024 ** 3,
      image: 'runner:1',
      workingDirectory: '/srv/runners/build-box',
      currentStep: {
        stepUuid: '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}',
        pipelineUuid: '{5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b}',
        stepName: 'Build and test',
        repositoryFullName: 'acme/web-app',
        startedAt: new Date().toISOString(),
      },
    });
    service.runners.set('{44445555-6666-4777-8888-9999aaaabbbb}', {
      uuid: '{44445555-6666-4777-8888-9999aaaabbbb}',
      displayName: 'Nightly',
      kind: 'repository',
      name: 'runner-y',
      runnerState: 'CRASHED',
      containerState: 'exited',
      image: 'runner:1',
      workingDirectory: '/srv/runners/nightly',
    });
    const p = await openPage({ colorScheme: 'dark' });
    await runnerItem(p, 'Build box').waitFor();
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(22, 26, 29)');
    service.emit({
      type: 'pull.progress',
      image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
      phase: 'pulling',
      currentBytes: 96 * 1024 ** 2,
      totalBytes: 241 * 1024 ** 2,
    });
    await p.getByRole('progressbar').waitFor();
    await p.screenshot({ path: `${SHOTS}runners-dark.png` });

    // The same, for a Polish browser.
    await context.close();
    const pl = await openPage({ colorScheme: 'dark', locale: 'pl-PL' });
    await runnerItem(pl, 'Build box').getByText('Zajęty').waitFor();
    await runnerItem(pl, 'Nightly').getByText('Awaria').waitFor();
    await pl.screenshot({ path: `${SHOTS}runners-dark-pl.png` });
  });
});
