/**
 * "Add runner" → "Create in Bitbucket", and Remove → "Also delete it in Bitbucket", end to end:
 * `runner-tray serve` (the built CLI, real services, file vault, private dockerd) talking to the
 * Bitbucket stand-in's runner endpoints, driven in real Chromium. The runner's one-time secret
 * exists in the stand-in's answer and the vault only: never on the page, in a reply or an event.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import Docker from 'dockerode';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { BitbucketStandin } from '../support/bitbucket-standin.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { recordEvents, startServe, type ServeChild } from '../support/serve-child.js';

const SHOTS = screenshotDir();

const EMAIL = 'dev@example.com';
const API_TOKEN = 'ATATT-made-up-create-e2e-token-7Qm2Vx9';
const TOKEN = 'e2e-create-dashboard-token-Lp4Rz8Tq';

let browser: Browser;
let closeBrowser: () => Promise<void>;
let standin: BitbucketStandin;
let serve: ServeChild;
let events: Awaited<ReturnType<typeof recordEvents>>;
let context: BrowserContext;
let page: Page;
/** Every /api/ reply body the page received. */
const replies: string[] = [];

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
  standin = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: API_TOKEN });
  standin.addRepository('acme', 'web-app');
  serve = await startServe({ dockerSocket: inject('dockerSocket'), token: TOKEN, extraEnv: { RUNNER_TRAY_BITBUCKET_API: standin.baseUrl } });
  events = await recordEvents(serve.origin, TOKEN);
  context = await browser.newContext({ locale: 'en-GB', colorScheme: 'light', viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
  page = await context.newPage();
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/') && !r.url().endsWith('/api/events')) {
      void r.text().then(
        (t) => replies.push(t),
        () => undefined,
      );
    }
  });
  await page.goto(serve.pageUrl);
  await page.getByRole('navigation').waitFor();
});

afterAll(async () => {
  events?.close();
  await context?.close();
  await closeBrowser?.();
  expect(await serve?.stop()).toBe(0);
  await standin?.close();
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  const ours = await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } });
  for (const c of ours)
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
});

const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name });
const pageText = () => page.evaluate(() => document.body.innerText + document.documentElement.outerHTML);
const createTab = async () => {
  await page.getByRole('button', { name: 'Add runner' }).click();
  await page.getByRole('tab', { name: 'Create in Bitbucket' }).click();
  return page.getByRole('form', { name: 'Create in Bitbucket' });
};

describe('creating and deleting runners in Bitbucket from the dashboard (serve, Bitbucket stand-in)', () => {
  it('not connected: says so and leads to Settings, where the account is connected', async () => {
    const form = await createTab();
    await form.getByText('Bitbucket is not connected.', { exact: false }).waitFor();
    expect(await form.getByRole('button', { name: 'Create runner' }).isDisabled()).toBe(true);
    await form.getByRole('button', { name: 'Connect Bitbucket in Settings' }).click();
    await page.getByRole('heading', { level: 1, name: 'Settings' }).waitFor();
    await page.getByRole('textbox', { name: 'Workspace ID' }).fill('acme');
    await page.getByRole('textbox', { name: 'Atlassian account e-mail' }).fill(EMAIL);
    await page.getByLabel('API token').fill(API_TOKEN);
    await page.getByRole('button', { name: 'Connect' }).click();
    await page.getByText(`Connected to acme as ${EMAIL}.`).waitFor();
  });

  it('creates a repository runner through the API: saved here, listed in Bitbucket, its secret nowhere on the page', async () => {
    await nav('Runners').click();
    const form = await createTab();
    // The connected workspace is the default.
    await expect.poll(() => form.getByRole('textbox', { name: 'Workspace' }).getAttribute('placeholder'), { timeout: 10_000 }).toBe('acme');
    await form.getByRole('textbox', { name: 'Repository (optional)' }).fill('web-app');
    await form.getByRole('textbox', { name: 'Runner name' }).fill('build-7');
    await form.getByRole('textbox', { name: 'Labels' }).fill('docker.large, gpu');
    await form.getByRole('checkbox', { name: 'Start the runner now' }).uncheck();
    await page.screenshot({ path: `${SHOTS}create-runner.png` });
    await form.getByRole('button', { name: 'Create runner' }).click();

    const item = page.getByRole('listitem', { name: 'build-7' });
    await item.waitFor();
    expect(await item.innerText()).toContain('Repository runner');
    const inBitbucket = standin.runnersOf('acme', 'web-app');
    expect(inBitbucket.map((r) => [r.name, [...r.labels].sort()])).toEqual([['build-7', ['docker.large', 'gpu', 'linux', 'self.hosted']]]);
    const secret = inBitbucket[0]!.oauthClientSecret;
    expect(secret.length).toBeGreaterThan(20);
    expect(await pageText()).not.toContain(secret);
    for (const body of replies) expect(body).not.toContain(secret);
    expect(events.text()).not.toContain(secret);
    expect(serve.stdout() + serve.stderr()).not.toContain(secret);
    // Every write to Bitbucket is in the host's log, in plain words.
    expect(serve.stderr()).toContain('created runner "build-7"');
  });

  it('says in plain words when the token lacks the write scope, or the runner limit is reached, and leaves nothing behind', async () => {
    const form = await createTab();
    await form.getByRole('textbox', { name: 'Runner name' }).fill('build-8');
    await form.getByRole('checkbox', { name: 'Start the runner now' }).uncheck();

    standin.setScopes(['read:runner:bitbucket', 'read:workspace:bitbucket', 'read:repository:bitbucket', 'read:pipeline:bitbucket']);
    await form.getByRole('button', { name: 'Create runner' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toContain('write:runner:bitbucket');
    standin.setScopes(null);

    standin.setRunnerLimit(0);
    await form.getByRole('button', { name: 'Create runner' }).click();
    await form.getByText('runner limit exceeded', { exact: false }).waitFor();
    standin.setRunnerLimit(100);

    expect(standin.runnersOf('acme').map((r) => r.name)).toEqual([]);
    expect(await page.getByRole('listitem', { name: 'build-8' }).count()).toBe(0);
    await form.getByRole('button', { name: 'Cancel' }).click();
  });

  it('"Start the runner now" runs its container on the private dockerd; removing it there deletes it in Bitbucket and here', async () => {
    const form = await createTab();
    await form.getByRole('textbox', { name: 'Runner name' }).fill('build-9');
    await form.getByRole('button', { name: 'Create runner' }).click();
    const item = page.getByRole('listitem', { name: 'build-9' });
    await item.waitFor();
    const [created] = standin.runnersOf('acme');
    expect(created?.name).toBe('build-9');
    const docker = new Docker({ socketPath: inject('dockerSocket') });
    const name = `runner-${created!.uuid.slice(1, -1)}`;
    const info = await docker.getContainer(name).inspect();
    expect(info.State.Running).toBe(true);
    // The secret went into the container's environment from the vault, not through the page.
    expect(info.Config.Env).toContain(`OAUTH_CLIENT_SECRET=${created!.oauthClientSecret}`);
    expect(await pageText()).not.toContain(created!.oauthClientSecret);

    await item.getByRole('button', { name: 'Remove' }).click();
    await item.getByRole('checkbox', { name: 'Also delete it in Bitbucket' }).check();
    await item.getByRole('button', { name: 'Yes, remove' }).click();
    await item.waitFor({ state: 'detached', timeout: 30_000 });
    expect(standin.runnersOf('acme')).toEqual([]);
    await expect(docker.getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('Remove with "Also delete it in Bitbucket" deletes it there too', async () => {
    const item = page.getByRole('listitem', { name: 'build-7' });
    await item.getByRole('button', { name: 'Remove' }).click();
    const confirm = item.getByRole('group', { name: 'Confirm removal' });
    await confirm.getByRole('checkbox', { name: 'Also delete it in Bitbucket' }).check();
    expect(await confirm.innerText()).toContain('delete it in Bitbucket');
    await confirm.getByRole('button', { name: 'Yes, remove' }).click();
    await page.getByRole('listitem', { name: 'build-7' }).waitFor({ state: 'detached' });
    expect(standin.runnersOf('acme', 'web-app')).toEqual([]);
    await page.getByText('build-7 removed. It was deleted in Bitbucket too.').waitFor({ state: 'attached' });
  });
});
