/**
 * `runner-tray serve` end to end: the built CLI in a child process with the real services, the
 * file vault and the private dockerd running the stand-in runner image, driven in real Chromium
 * through the page it serves. No stand-in service here: what the user sees is what Docker does.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { recordEvents, startServe, type ServeChild } from '../support/serve-child.js';
import { STANDIN_IMAGE } from '../support/standin-image.js';

const SHOTS = screenshotDir();

// Made-up values, shaped like Bitbucket's.
const ACCOUNT = '{6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d}';
const REPOSITORY = '{1f2e3d4c-5b6a-4978-8a6b-5c4d3e2f1a0b}';
const RUNNER = '{c0ffee00-1234-4abc-9def-00000000e2e1}';
const CLIENT_ID = 'Xs4Dc6Fv8Gb0Hn2Jm4Kl6Zq8Wr1Et3Yu';
const SECRET = 'sErVeE2eMadeUp_Secret-7Hq2Lw9Zx4Cv1Bn8Mk3Pj6Rt0Ys5Ud2Fg7Ha4Wq9';
const TOKEN = 'e2e-dashboard-token-Qm8Vn3Kx7Lp2Rz5T';

function command(runner: string, extraEnv: string): string {
  return [
    'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
    '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
    `-e ACCOUNT_UUID=${ACCOUNT}`,
    `-e REPOSITORY_UUID=${REPOSITORY}`,
    `-e RUNNER_UUID=${runner}`,
    '-e RUNTIME_PREREQUISITES_ENABLED=true',
    `-e OAUTH_CLIENT_ID=${CLIENT_ID}`,
    `-e OAUTH_CLIENT_SECRET=${SECRET}`,
    '-e WORKING_DIRECTORY=/tmp',
    extraEnv,
    `--name runner-${runner.slice(1, -1)}`,
    STANDIN_IMAGE,
  ].join(' ');
}

// The stand-in replays a runner start, then one step that stays RUNNING for a few seconds.
const COMMAND = command(RUNNER, '-e STANDIN_SCRIPT=one-step -e STANDIN_STEP_SECONDS=6');

let browser: Browser;
let closeBrowser: () => Promise<void>;
let serve: ServeChild;
let events: Awaited<ReturnType<typeof recordEvents>>;
let docker: Docker;
/** Every /api/ reply body the page received. */
const replies: string[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  docker = new Docker({ socketPath: inject('dockerSocket') });
  ({ browser, close: closeBrowser } = await launchChromium());
  serve = await startServe({ dockerSocket: inject('dockerSocket'), token: TOKEN });
  events = await recordEvents(serve.origin, TOKEN);
});

afterAll(async () => {
  events?.close();
  for (const c of contexts) await c.close().catch(() => undefined);
  await closeBrowser?.();
  const code = await serve?.stop();
  expect(code).toBe(0);
  const ours = await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } });
  const siblings = await docker.listContainers({ all: true, filters: { label: ['runner-tray.standin-sibling'] } });
  for (const c of [...ours, ...siblings])
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
});

async function openPage(options: { locale?: string; url?: string } = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-GB',
    colorScheme: 'light',
    viewport: { width: 1180, height: 820 },
    deviceScaleFactor: 1,
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/') && !r.url().endsWith('/api/events')) {
      void r.text().then(
        (t) => replies.push(t),
        () => undefined,
      );
    }
  });
  await page.goto(options.url ?? serve.pageUrl);
  await page.getByRole('navigation').waitFor();
  return page;
}

const pageText = (p: Page) => p.evaluate(() => document.body.innerText + document.documentElement.outerHTML);
const runnerItem = (p: Page, name: string) => p.getByRole('listitem', { name });
const nav = (p: Page, name: string) => p.getByRole('navigation').getByRole('button', { name });

describe('runner-tray serve in real Chromium, with real services and dockerd', () => {
  it('adds a pasted runner, starts it, shows its step running and passing, and stops it; the secret never reaches the page', async () => {
    const p = await openPage();
    // The session cookie the token bought is out of reach of page scripts and of other sites.
    const [cookie] = await p.context().cookies(serve.origin);
    // Named after the server's port: cookies are not port-scoped, and two dashboards must not share one.
    expect(cookie).toMatchObject({ name: `runner_tray_session_${new URL(serve.origin).port}`, httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(p.url()).not.toContain(TOKEN);

    await p.getByRole('button', { name: 'Add runner' }).click();
    await p.getByRole('textbox', { name: 'Runner command' }).fill(COMMAND);
    await p.getByText('This is a valid runner command.').waitFor();
    const parsed = p.getByRole('region', { name: 'What the command says' });
    expect(await parsed.innerText()).toContain(RUNNER);
    expect(await parsed.innerText()).toContain(CLIENT_ID);
    expect(await parsed.innerText()).toContain(`hidden, ${SECRET.length} characters`);
    expect(await pageText(p)).not.toContain(SECRET);
    await p.getByRole('checkbox', { name: 'Start the runner now' }).uncheck();
    await p.getByRole('textbox', { name: 'Display name' }).fill('E2E box');
    await p.screenshot({ path: `${SHOTS}serve-add-runner.png`, fullPage: true });

    await p.getByRole('button', { name: 'Save runner' }).click();
    const item = runnerItem(p, 'E2E box');
    await item.getByText('Stopped').waitFor();
    expect(await item.innerText()).toContain('Repository runner');

    await item.getByRole('button', { name: 'Start' }).click();
    // The runner comes up and takes the step at once: BUSY, with the step as its current one.
    await item.getByText('Busy').waitFor({ timeout: 60_000 });
    expect(await item.innerText()).not.toMatch(/Current step\s*Idle/);
    await p.screenshot({ path: `${SHOTS}serve-runner-busy.png` });

    await nav(p, 'Steps').click();
    const stepRow = p.getByRole('row').filter({ hasText: 'Running' });
    await stepRow.first().waitFor({ timeout: 60_000 });
    await p.screenshot({ path: `${SHOTS}serve-step-running.png`, fullPage: true });
    await p.getByRole('row').filter({ hasText: 'Passed' }).first().waitFor({ timeout: 60_000 });
    await p.screenshot({ path: `${SHOTS}serve-step-passed.png`, fullPage: true });

    await nav(p, 'Runners').click();
    await item.getByText('Online').waitFor({ timeout: 60_000 });
    // Live figures from the engine's stats stream, pushed while the page listens.
    const memory = item.locator('dt', { hasText: 'Memory' }).locator('xpath=following-sibling::dd');
    await expect.poll(() => memory.innerText(), { timeout: 30_000 }).toMatch(/^\d[\d.,]*\s?(byte|kB|MB|GB)$/);
    await p.screenshot({ path: `${SHOTS}serve-runner-online-usage.png` });
    await item.getByRole('button', { name: 'Stop' }).click();
    await item.getByText('Stopped').waitFor({ timeout: 60_000 });
    // A stopped container uses nothing; no stale figure stays behind.
    await expect.poll(() => memory.innerText(), { timeout: 30_000 }).toBe('—');
    await p.screenshot({ path: `${SHOTS}serve-runner-stopped.png` });

    // What Docker has agrees with the page.
    const [container] = await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${RUNNER}`] } });
    expect(container?.State).toBe('exited');

    // Nowhere the secret could escape to: page, replies, pushed events, the service's output, settings.
    expect(await pageText(p)).not.toContain(SECRET);
    expect(replies.length).toBeGreaterThan(5);
    for (const body of replies) expect(body).not.toContain(SECRET);
    expect(events.events().some((e) => (e as { type: string }).type === 'step.changed')).toBe(true);
    expect(events.text()).not.toContain(SECRET);
    expect(serve.stdout() + serve.stderr()).not.toContain(SECRET);
    const dataDir = join(serve.home, 'data');
    const settingsText = readFileSync(join(dataDir, 'settings.json'), 'utf8');
    expect(settingsText).toContain(CLIENT_ID);
    expect(settingsText).not.toContain(SECRET);
    expect(readdirSync(dataDir)).toContain('settings.json');
  });

  it("shows a bad paste redacted beside the parser's error; the secret is in no field or text on the page", async () => {
    const p = await openPage();
    await p.getByRole('button', { name: 'Add runner' }).click();
    const box = p.getByRole('textbox', { name: 'Runner command' });
    await box.fill(command('{c0ffee00-1234-4abc-9def-00000000e2e2}', '').replace(`-e OAUTH_CLIENT_ID=${CLIENT_ID}`, ''));
    const alert = p.getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/OAUTH_CLIENT_ID/);
    await box.waitFor({ state: 'detached' });
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
    expect(described).toMatch(/OAUTH_CLIENT_ID/);
    expect(await p.getByLabel('Pasted command, secret hidden').innerText()).toContain(`OAUTH_CLIENT_SECRET=••••••••(${SECRET.length})`);
    const values = await p.evaluate(() => [...document.querySelectorAll('textarea, input')].map((e) => (e as HTMLInputElement).value).join('\n'));
    expect(values).not.toContain(SECRET);
    expect(await pageText(p)).not.toContain(SECRET);
    expect(await p.getByRole('button', { name: 'Save runner' }).isDisabled()).toBe(true);
    await p.screenshot({ path: `${SHOTS}serve-add-runner-error.png`, fullPage: true });
  });

  it('renders the Polish UI for a Polish browser', async () => {
    const p = await openPage({ locale: 'pl-PL' });
    await p.getByRole('button', { name: 'Dodaj runner' }).waitFor();
    expect(await p.evaluate(() => document.documentElement.lang)).toBe('pl');
    await runnerItem(p, 'E2E box').getByText('Zatrzymany').waitFor();
    await p.screenshot({ path: `${SHOTS}serve-runners-pl.png` });
  });

  it('masks a secret the runner prints in its own log: not in logs.lines events, the Logs screen, or any reply', async () => {
    const leaky = '{c0ffee00-1234-4abc-9def-00000000e2e3}';
    const api = (channel: string, body: unknown) =>
      fetch(`${serve.origin}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
    const added = await api('runners.add', { command: command(leaky, '-e STANDIN_SCRIPT=leaky'), displayName: 'Leaky box', startNow: false });
    expect(added.status).toBe(200);

    // Followed lines: the Logs screen is open when the runner prints the secret.
    const p = await openPage();
    await nav(p, 'Logs').click();
    await p.getByRole('combobox', { name: 'Runner' }).selectOption({ label: 'Leaky box' });
    const started = await api('runners.start', { runnerUuid: leaky });
    expect(started.status).toBe(200);
    await p.getByText('Leaky stand-in: secret printed.').waitFor({ timeout: 60_000 });
    await p.getByText('client_secret=<redacted>').waitFor();

    // Backlog: a page opened afterwards reads the same line from Docker's log.
    const later = await openPage();
    await nav(later, 'Logs').click();
    await later.getByRole('combobox', { name: 'Runner' }).selectOption({ label: 'Leaky box' });
    await later.getByText('client_secret=<redacted>').waitFor({ timeout: 30_000 });
    await later.screenshot({ path: `${SHOTS}serve-logs-masked.png` });

    // Docker does hold the secret in the log: the masking is ours.
    const [c] = await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${leaky}`] } });
    const raw = (await docker.getContainer(c!.Id).logs({ stdout: true, stderr: true })).toString('utf8');
    expect(raw).toContain(SECRET);

    const lineEvents = events.events().filter((e) => (e as { type: string }).type === 'logs.lines');
    expect(JSON.stringify(lineEvents)).toContain('client_secret=<redacted>');
    expect(events.text()).not.toContain(SECRET);
    for (const page of [p, later]) expect(await pageText(page)).not.toContain(SECRET);
    for (const body of replies) expect(body).not.toContain(SECRET);
    await api('runners.stop', { runnerUuid: leaky });
    expect((await api('runners.remove', { runnerUuid: leaky })).status).toBe(200);
  });

  it('says in runners.add / runners.start replies when a running runner keeps its old settings, until stopped and started', async () => {
    const busy = '{c0ffee00-1234-4abc-9def-00000000e2e4}';
    const rotated = SECRET.replace('sErVeE2e', 'rOtAtEd2');
    const api = async (channel: string, body: unknown) => {
      const r = await fetch(`${serve.origin}/api/${channel}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify(body),
      });
      const text = await r.text();
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain(rotated);
      return JSON.parse(text) as { ok: boolean; value: { containerState: string; pendingRestart?: boolean; notice?: string }; error?: { message: string } };
    };
    const first = await api('runners.add', { command: command(busy, '-e STANDIN_SCRIPT=idle'), displayName: 'Busy box', startNow: true });
    expect(first.ok, first.error?.message).toBe(true);
    expect(first.value.containerState).toBe('running');
    expect(first.value.pendingRestart).toBeUndefined();
    // Starting it again unchanged: nothing pending.
    expect((await api('runners.start', { runnerUuid: busy })).value.pendingRestart).toBeUndefined();

    // A new secret for the running runner: saved, not applied (a step could be running).
    const again = await api('runners.add', {
      command: command(busy, '-e STANDIN_SCRIPT=idle').replace(SECRET, rotated),
      replaceExisting: true,
      startNow: true,
    });
    expect(again.ok, again.error?.message).toBe(true);
    expect(again.value).toMatchObject({ containerState: 'running', pendingRestart: true, notice: expect.stringContaining('stop and start the runner') });
    expect((await api('runners.start', { runnerUuid: busy })).value.pendingRestart).toBe(true);

    await api('runners.stop', { runnerUuid: busy });
    const restarted = await api('runners.start', { runnerUuid: busy });
    expect(restarted.value.containerState).toBe('running');
    expect(restarted.value.pendingRestart).toBeUndefined();
    await api('runners.stop', { runnerUuid: busy });
    expect((await api('runners.remove', { runnerUuid: busy })).ok).toBe(true);
  });

  it('refuses requests without the token or session (401) and from another origin (403)', async () => {
    const list = (headers: Record<string, string>) =>
      fetch(`${serve.origin}/api/runners.list`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: '{}' });

    const anonymous = await list({});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect((await list({ Authorization: 'Bearer not-the-token-at-all' })).status).toBe(401);
    expect((await list({ Cookie: `runner_tray_session_${new URL(serve.origin).port}=made-up-session` })).status).toBe(401);
    expect((await fetch(`${serve.origin}/api/events`)).status).toBe(401);
    expect((await fetch(`${serve.origin}/api/session`, { method: 'POST', headers: { Authorization: 'Bearer wrong' } })).status).toBe(401);

    const scripted = await list({ Authorization: `Bearer ${TOKEN}` });
    expect(scripted.status).toBe(200);
    expect(await scripted.json()).toMatchObject({ ok: true, value: [{ uuid: RUNNER, displayName: 'E2E box' }] });

    const foreign = await list({ Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' });
    expect(foreign.status).toBe(403);
    // A tunnel on another local port is the same origin as far as the page is concerned.
    // (fetch always sends the real Host, so this one goes through node:http.)
    const port = Number(new URL(serve.origin).port);
    const asTunnel = (origin: string) => statusOf(port, { Authorization: `Bearer ${TOKEN}`, Host: 'localhost:9999', Origin: origin });
    expect(await asTunnel('http://localhost:9999')).toBe(200);
    expect(await asTunnel(`http://127.0.0.1:${port}`)).toBe(403);

    // A page without the token in its link gets no data, and says how to get in.
    const p = await openPage({ url: `${serve.origin}/` });
    await p.getByText('Open the link `runner-tray serve` printed', { exact: false }).first().waitFor();
    expect(await p.getByRole('listitem', { name: 'E2E box' }).count()).toBe(0);
  });
});

function statusOf(port: number, headers: Record<string, string>): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/api/runners.list', method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        resolve(res.statusCode);
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}
