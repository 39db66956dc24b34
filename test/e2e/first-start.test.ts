/**
 * A user's first start on a machine with no Docker and no keyring, end to end: the built
 * `runner-tray serve` in a child process with no D-Bus session (so no Secret Service) and
 * DOCKER_HOST at a socket nobody listens on yet, driven in real Chromium. It must come up, show
 * both problems with their fixes, take the user's explicit choice of the file vault, notice by
 * itself when Docker starts (a second private dockerd on that very socket), and then add and
 * start a pasted runner. The secret appears in no output, reply, pushed event or settings.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import { attachDockerd, type PrivateDockerd } from '../support/dockerd.js';
import { command, IDS } from '../support/pastes.js';
import { recordEvents, startServe, type ServeChild } from '../support/serve-child.js';
import { screenshotDir } from '../support/screenshots.js';
import { buildStandinImage } from '../support/standin-image.js';

const SHOTS = screenshotDir();
const TOKEN = 'e2e-first-start-token-Wz4Kp8Ld2Qx6';

let browser: Browser;
let closeBrowser: () => Promise<void>;
let serve: ServeChild;
let events: Awaited<ReturnType<typeof recordEvents>>;
/** The engine that "starts later": nothing listens on its socket until the test starts it. */
let later: PrivateDockerd;
let context: BrowserContext | undefined;
const replies: string[] = [];

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
  later = attachDockerd(mkdtempSync('/tmp/rtd-'));
  serve = await startServe({
    dockerSocket: later.socketPath,
    token: TOKEN,
    // No vault chosen, and no session bus: the keyring cannot be reached, as on a fresh server.
    extraEnv: { RUNNER_TRAY_VAULT: undefined, DBUS_SESSION_BUS_ADDRESS: undefined },
  });
  events = await recordEvents(serve.origin, TOKEN);
}, 120_000);

afterAll(async () => {
  events?.close();
  await context?.close().catch(() => undefined);
  await closeBrowser?.();
  const code = await serve?.stop();
  if (later) {
    const docker = new Docker({ socketPath: later.socketPath });
    const ours = await docker.listContainers({ all: true }).catch(() => []);
    for (const c of ours)
      await docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined);
    await later.stop();
  }
  expect(code).toBe(0);
}, 180_000);

async function openPage(): Promise<Page> {
  context = await browser.newContext({ locale: 'en-GB', colorScheme: 'light', viewport: { width: 1180, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/') && !r.url().endsWith('/api/events'))
      void r.text().then(
        (t) => replies.push(t),
        () => undefined,
      );
  });
  await page.goto(serve.pageUrl);
  await page.getByRole('navigation').waitFor();
  return page;
}

const banner = (p: Page) => p.locator('.host-problems-banner');
const nav = (p: Page, name: string) => p.getByRole('navigation').getByRole('button', { name });

describe('first start with no Docker and no keyring', () => {
  it(
    'comes up, shows both problems with fixes, takes the file vault, follows Docker when it starts, and adds a running runner',
    { timeout: 240_000 },
    async () => {
      // serve's own first lines: both problems, each with its fix, and it is still running.
      const stderr = serve.stderr();
      expect(stderr).toContain('runner-tray: Docker: No Docker engine answered.');
      expect(stderr).toContain(later.socketPath);
      expect(stderr).toMatch(/Secrets vault \(keyring\): Cannot probe the OS keyring/);
      expect(stderr).toContain('runner-tray vault use file');

      const p = await openPage();
      const engine = banner(p).locator('[data-problem="engine"]');
      const vault = banner(p).locator('[data-problem="vault"]');
      await engine.getByRole('heading', { name: 'Docker is not running (or not reachable)' }).waitFor();
      expect(await engine.innerText()).toContain(later.socketPath);
      expect(await engine.innerText()).toMatch(/Start that engine/);
      await vault.getByRole('heading', { name: 'No usable keyring for runner secrets' }).waitFor();
      expect(await vault.innerText()).toMatch(/not encrypted/);
      expect(await vault.innerText()).toMatch(/mode 0600/);

      // The Doctor screen says the same.
      await nav(p, 'Doctor').click();
      const doctor = p.locator('.host-problems-doctor');
      await doctor.locator('[data-problem="engine"]').waitFor();
      await doctor.locator('[data-problem="vault"]').waitFor();
      await p.screenshot({ path: `${SHOTS}first-start-problems.png`, fullPage: true });

      // Nothing was chosen for the user: no vault file, no choice in settings.
      const dataDir = join(serve.home, 'data');
      expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).vault).toBeUndefined();

      // The choice, made on the Doctor screen; the banner on the other screens follows it.
      const doctorVault = doctor.locator('[data-problem="vault"]');
      await doctorVault.getByRole('button', { name: 'Keep secrets in a file (not encrypted)' }).click();
      await doctorVault.waitFor({ state: 'detached', timeout: 30_000 });
      expect(JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')).vault).toBe('file');
      await nav(p, 'Runners').click();
      // Docker is still missing, and still said; the vault is settled.
      await engine.waitFor();
      expect(await vault.count()).toBe(0);

      // Docker starts on the socket serve was told about; serve notices by itself.
      await later.restart();
      buildStandinImage(later.dockerHost);
      await engine.waitFor({ state: 'detached', timeout: 60_000 });
      await banner(p).waitFor({ state: 'detached', timeout: 10_000 });

      await p.getByRole('button', { name: 'Add runner' }).click();
      await p.getByRole('textbox', { name: 'Runner command' }).fill(command());
      await p.getByText('This is a valid runner command.').waitFor();
      await p.getByRole('textbox', { name: 'Display name' }).fill('First day box');
      expect(await p.getByRole('checkbox', { name: 'Start the runner now' }).isChecked()).toBe(true);
      await p.getByRole('button', { name: 'Save runner' }).click();
      const item = p.getByRole('listitem', { name: 'First day box' });
      await item
        .getByText('Online')
        .waitFor({ timeout: 90_000 })
        .catch(async (e: unknown) => {
          throw new Error(`${String(e)}\nThe runner shows: ${await item.innerText().catch(() => '(no item)')}\nserve said: ${serve.stderr().slice(-3000)}`);
        });
      await p.screenshot({ path: `${SHOTS}first-start-runner-online.png`, fullPage: true });

      // Docker agrees; the secret went to the 0600 file the user chose.
      const docker = new Docker({ socketPath: later.socketPath });
      const [container] = await docker.listContainers({ filters: { label: [`runner-tray.runner=${IDS.runner}`] } });
      expect(container?.State).toBe('running');
      expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);

      // The pushed status went from both problems to none.
      const statuses = events.events().filter((e) => (e as { type: string }).type === 'host.status') as Array<{
        status: { engine: { connected: boolean }; vault: { usable: boolean } };
      }>;
      expect(statuses.some((e) => e.status.vault.usable && !e.status.engine.connected)).toBe(true);
      expect(statuses.at(-1)?.status).toMatchObject({ engine: { connected: true }, vault: { usable: true } });

      // The secret: nowhere it could escape to.
      const page = await p.evaluate(() => document.body.innerText + document.documentElement.outerHTML);
      expect(page).not.toContain(IDS.secret);
      expect(replies.length).toBeGreaterThan(3);
      for (const body of replies) expect(body).not.toContain(IDS.secret);
      expect(events.text()).not.toContain(IDS.secret);
      expect(serve.stdout() + serve.stderr()).not.toContain(IDS.secret);
      expect(readFileSync(join(dataDir, 'settings.json'), 'utf8')).not.toContain(IDS.secret);
    },
  );
});
