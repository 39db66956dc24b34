/**
 * The tray's "Add runner from clipboard…", the window's half, in real Chromium: the built page
 * behind the real HTTP bridge with the stand-in service holding a clipboard (as the desktop host
 * does). Electron sends the window there with `loadURL(app://runner-tray/index.html#add-from-clipboard)`:
 * for a loaded page a browser-initiated, fragment-only navigation, which `page.goto` makes the same
 * way (CDP's Page.navigate); for a new window the page starts with the fragment. Either way the Add
 * runner form opens with the clipboard's redacted preview, and the secret reaches neither the page
 * nor anything the bridge sent.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { createStandInService, type StandInService } from '../support/stand-in-service.js';
import { startRendererBridge, type RendererBridge } from '../support/renderer-bridge.js';

const DIST = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));

// Made-up values, shaped like Bitbucket's.
const ACCOUNT = '{5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a}';
const RUNNER = '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}';
const CLIENT_ID = 'Zx8Cv7Bn6Mq5Wl4Ek3Rj2Th1Yg0Uf9Id';
const SECRET = 'cLiPbOaRdSeCrEt-1q2w3e4r5t6y7u8i9o0p_a1s2d3f4g5h6j7k8l9zXcVbNm0';
const COMMAND = [
  'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
  '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
  `-e ACCOUNT_UUID=${ACCOUNT}`,
  `-e RUNNER_UUID=${RUNNER}`,
  '-e RUNTIME_PREREQUISITES_ENABLED=true',
  `-e OAUTH_CLIENT_ID=${CLIENT_ID}`,
  `-e OAUTH_CLIENT_SECRET=${SECRET}`,
  '-e WORKING_DIRECTORY=/tmp',
  `--name runner-${RUNNER.slice(1, -1)}`,
  'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
].join(' ');
const ROUTE = '#add-from-clipboard';

let browser: Browser;
let closeBrowser: () => Promise<void>;
let service: StandInService;
let bridge: RendererBridge;
let context: BrowserContext;

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
});
afterAll(async () => {
  await closeBrowser?.();
});
beforeEach(async () => {
  service = createStandInService();
  service.clipboardText = COMMAND;
  bridge = await startRendererBridge(service, DIST);
  context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1180, height: 820 } });
});
afterEach(async () => {
  await context?.close();
  await bridge?.close();
});

/** A window that is already open and signed in (the token link traded for the session cookie). */
async function openWindow(): Promise<Page> {
  const page = await context.newPage();
  await page.goto(bridge.pageUrl);
  await page.getByRole('navigation').waitFor();
  await page.getByRole('heading', { name: 'No runners yet' }).waitFor();
  return page;
}

const offer = (p: Page) => p.getByRole('group', { name: 'Runner command on the clipboard' });
const everything = (p: Page) => p.evaluate(() => document.documentElement.outerHTML + document.body.innerText + window.location.href);

async function expectNoSecret(p: Page): Promise<void> {
  expect(await everything(p)).not.toContain(SECRET);
  expect(bridge.sent.join('\n')).not.toContain(SECRET);
}

describe('the tray opens the Add runner form with the clipboard command', () => {
  it('an open window on another screen: goes to Runners, opens the form with the redacted preview, offer focused, address clean', async () => {
    const p = await openWindow();
    await p.getByRole('navigation').getByRole('button', { name: 'Steps' }).click();
    await p.getByRole('heading', { name: 'Steps', level: 1 }).waitFor();
    const loadsBefore = await p.evaluate(() => performance.getEntriesByType('navigation').length + ':' + performance.timeOrigin);

    await p.goto(`${bridge.url}/${ROUTE}`);
    await p.getByRole('heading', { name: 'Runners', level: 1 }).waitFor();
    await p.getByRole('heading', { name: 'Add a runner' }).waitFor();
    const preview = await offer(p).locator('pre').innerText();
    expect(preview).toContain(RUNNER);
    expect(preview).toContain('OAUTH_CLIENT_SECRET=');
    expect(preview).not.toContain(SECRET);
    expect(await offer(p).innerText()).toContain('Your clipboard holds a command for a Workspace runner');
    await expect.poll(() => p.evaluate(() => document.activeElement?.textContent)).toBe('Use it');
    // Same document (no reload: nothing typed elsewhere is lost), and the route is gone from the address.
    expect(await p.evaluate(() => performance.getEntriesByType('navigation').length + ':' + performance.timeOrigin)).toBe(loadsBefore);
    expect(p.url()).toBe(`${bridge.url}/`);
    await expectNoSecret(p);
  });

  it('a window made for it (the page starts with the fragment): the form is open with the offer', async () => {
    await openWindow();
    const fresh = await context.newPage();
    await fresh.goto(`${bridge.url}/${ROUTE}`);
    await offer(fresh).waitFor();
    expect(await offer(fresh).locator('pre').innerText()).toContain(RUNNER);
    expect(fresh.url()).toBe(`${bridge.url}/`);
    // A reload does not open it again.
    await fresh.reload();
    await fresh.getByRole('heading', { name: 'No runners yet' }).waitFor();
    expect(await fresh.getByRole('heading', { name: 'Add a runner' }).count()).toBe(0);
    await expectNoSecret(fresh);
  });

  it('using the offer saves the runner from the service-held draft; the secret went to the service only', async () => {
    const p = await openWindow();
    await p.goto(`${bridge.url}/${ROUTE}`);
    await offer(p).getByRole('button', { name: 'Use it' }).click();
    await p.getByText('Using the command from your clipboard. Its secret stays with the service.').waitFor();
    const parsed = p.getByRole('region', { name: 'What the command says' });
    expect(await parsed.innerText()).toContain(RUNNER);
    expect(await parsed.innerText()).toContain(`hidden, ${SECRET.length} characters`);
    await p.getByRole('textbox', { name: 'Display name' }).fill('From the tray');
    await p.getByRole('button', { name: 'Save runner' }).click();
    await p.getByRole('listitem', { name: 'From the tray' }).getByText('Online').waitFor();

    expect(service.runners.get(RUNNER)?.displayName).toBe('From the tray');
    expect(service.secretsSeen).toContain(SECRET);
    // The page sent no command text: it asked for the clipboard and passed the draft id back.
    expect(bridge.calls).toEqual(expect.arrayContaining(['clipboard.peek', 'clipboard.read', 'runners.add']));
    expect(bridge.calls).not.toContain('runners.parseCommand');
    await expectNoSecret(p);
  });

  it('asked again while the form is open: a half-typed paste stays, the offer comes back', async () => {
    const p = await openWindow();
    await p.getByRole('button', { name: 'Add runner' }).click();
    await offer(p).getByRole('button', { name: 'Dismiss' }).click();
    const box = p.getByRole('textbox', { name: 'Runner command' });
    await box.pressSequentially('docker container run');
    await p.goto(`${bridge.url}/${ROUTE}`);
    await offer(p).waitFor();
    // Focus left the box for the offer, so the form shows the unfinished paste redacted; it is all still there.
    await p.getByRole('button', { name: 'Edit the command' }).click();
    expect(await box.inputValue()).toBe('docker container run');
    await expectNoSecret(p);
  });

  it('the clipboard changed since the tray looked: says so and leaves the box to paste into', async () => {
    const p = await openWindow();
    service.clipboardText = 'just some text the user copied meanwhile';
    await p.goto(`${bridge.url}/${ROUTE}`);
    await p.getByRole('status').filter({ hasText: 'The clipboard holds no runner command now.' }).waitFor();
    expect(await offer(p).count()).toBe(0);
    await expect.poll(() => p.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
  });

  it('the Add runner button afterwards opens a plain form', async () => {
    const p = await openWindow();
    await p.goto(`${bridge.url}/${ROUTE}`);
    await offer(p).waitFor();
    await p.getByRole('button', { name: 'Close the form' }).click();
    service.clipboardText = 'nothing useful';
    await p.getByRole('button', { name: 'Add runner' }).click();
    await p.getByRole('heading', { name: 'Add a runner' }).waitFor();
    await expect.poll(() => p.evaluate(() => document.activeElement?.tagName)).toBe('TEXTAREA');
    expect(await p.getByText('The clipboard holds no runner command now.').count()).toBe(0);
  });
});
