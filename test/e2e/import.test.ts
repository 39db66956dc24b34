/**
 * A runner started by hand, imported from the Runners screen: `runner-tray serve` (the built CLI)
 * on a private dockerd of this file's own (other files' containers are not ours to offer), the
 * page in real Chromium. The start-up line says it was found; the screen lists it with an Import
 * button; afterwards it is Runner Tray's runner, and its secret was in no reply, event or DOM.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { startDockerd, type PrivateDockerd } from '../support/dockerd.js';
import { screenshotDir } from '../support/screenshots.js';
import { recordEvents, startServe, type ServeChild } from '../support/serve-child.js';
import { buildStandinImage, STANDIN_IMAGE } from '../support/standin-image.js';

const SHOTS = screenshotDir();
// Made-up values, shaped like Bitbucket's.
const ACCOUNT = '{5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d}';
const RUNNER = '{e2e1a2b3-c4d5-4e6f-8a9b-0c1d2e3f4a5b}';
const CLIENT_ID = 'E2eImp0rtCl1entIdMadeUp000000000';
const SECRET = 'e2eImportMadeUp_Secret-Lq3Wz8Xc5Vb2Nm7Kj4Hg1Fd6Sa9Pq0Ow3Ie8Ur5';
const TOKEN = 'e2e-import-dashboard-token-Hn4Kd8Qw';
const NAME = `runner-${RUNNER.slice(1, -1)}`;

let daemon: PrivateDockerd;
let docker: Docker;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let serve: ServeChild;
let events: Awaited<ReturnType<typeof recordEvents>>;
let handmadeId: string;
const replies: string[] = [];

beforeAll(async () => {
  daemon = await startDockerd();
  buildStandinImage(daemon.dockerHost);
  docker = new Docker({ socketPath: daemon.socketPath });
  // The article's `docker container run -d … bitbucket-pipelines-runner:1`: none of our labels.
  const handmade = await docker.createContainer({
    name: NAME,
    Image: STANDIN_IMAGE,
    Env: [
      `ACCOUNT_UUID=${ACCOUNT}`,
      `RUNNER_UUID=${RUNNER}`,
      'RUNTIME_PREREQUISITES_ENABLED=true',
      `OAUTH_CLIENT_ID=${CLIENT_ID}`,
      `OAUTH_CLIENT_SECRET=${SECRET}`,
      'WORKING_DIRECTORY=/tmp',
      'STANDIN_SCRIPT=idle',
    ],
    HostConfig: { Binds: ['/tmp:/tmp', `${daemon.socketPath}:/var/run/docker.sock`] },
  });
  await handmade.start();
  handmadeId = handmade.id;
  ({ browser, close: closeBrowser } = await launchChromium());
  serve = await startServe({ dockerSocket: daemon.socketPath, token: TOKEN });
  events = await recordEvents(serve.origin, TOKEN);
});

afterAll(async () => {
  events?.close();
  await closeBrowser?.();
  const code = await serve?.stop();
  expect(code).toBe(0);
  await daemon?.stop();
});

async function openPage(): Promise<Page> {
  const context = await browser.newContext({ locale: 'en-GB', colorScheme: 'light', viewport: { width: 1180, height: 820 } });
  const page = await context.newPage();
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
  return page;
}

const pageText = (p: Page) => p.evaluate(() => document.body.innerText + document.documentElement.outerHTML);

describe('importing a runner started by hand, in real Chromium', () => {
  it('is announced at start-up, listed in the Runners screen, and imported with one click; the secret never reaches the page', async () => {
    await expect
      .poll(() => serve.stderr(), { timeout: 30_000 })
      .toMatch(new RegExp(`1 runner container\\(s\\) started by hand.*${NAME}.*runner-tray import --all`));

    const p = await openPage();
    const section = p.getByRole('region', { name: 'A runner started by hand was found' });
    await section.waitFor({ timeout: 30_000 });
    expect(await section.innerText()).toContain(RUNNER);
    expect(await pageText(p)).not.toContain(SECRET);
    await p.screenshot({ path: `${SHOTS}serve-import-offered.png`, fullPage: true });

    await section.getByRole('button', { name: `Import ${NAME}` }).click();
    const item = p.getByRole('listitem', { name: NAME });
    await item.waitFor({ timeout: 60_000 });
    await section.waitFor({ state: 'detached', timeout: 30_000 });
    await p.getByText(`${NAME} imported: Runner Tray manages it now.`).waitFor();
    await item.getByText(/Online|Starting/).waitFor({ timeout: 60_000 });
    await p.screenshot({ path: `${SHOTS}serve-import-done.png`, fullPage: true });

    // What Docker has agrees: the hand-made container is gone, ours runs with our policy and limits.
    await expect(docker.getContainer(handmadeId).inspect()).rejects.toMatchObject({ statusCode: 404 });
    const [ours] = await docker.listContainers({ filters: { label: [`runner-tray.runner=${RUNNER}`] } });
    expect(ours?.State).toBe('running');
    const info = await docker.getContainer(ours!.Id).inspect();
    expect(info.Name).toBe(`/${NAME}`);
    expect(info.HostConfig.RestartPolicy?.Name).toBe('unless-stopped');
    expect(info.HostConfig.LogConfig?.Config).toEqual({ 'max-size': '10m', 'max-file': '3' });

    // A reload lists it as a runner and offers nothing more to import.
    await p.reload();
    await p.getByRole('listitem', { name: NAME }).waitFor();
    expect(await p.getByRole('region', { name: /started by hand/ }).count()).toBe(0);

    // Nowhere the secret could escape to: page, replies, pushed events, serve's output, settings.
    expect(await pageText(p)).not.toContain(SECRET);
    expect(replies.some((r) => r.includes(NAME))).toBe(true);
    for (const body of replies) expect(body).not.toContain(SECRET);
    expect(events.text()).toContain(RUNNER);
    expect(events.text()).not.toContain(SECRET);
    expect(serve.stdout() + serve.stderr()).not.toContain(SECRET);
    const dataDir = join(serve.home, 'data');
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).toContain(CLIENT_ID);
    expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).not.toContain(SECRET);
    expect(readFileSync(join(dataDir, 'secrets.json'), 'utf8')).toContain(SECRET);
  });
});
