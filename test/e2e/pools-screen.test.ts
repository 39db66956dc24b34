/**
 * The Pools screen in real Chromium, with the stand-in service behind the real HTTP bridge: a
 * pool added by the real rules (`pools.add`), then a controller's observation pushed as
 * `pool.changed`. Asserts what a user reads (the numbers, the lines, the runners, the activity)
 * and what the chart draws (one line per series, one point per sample of the last hour).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PoolSampleView, PoolView } from '../../src/shared/contract/index.js';
import { launchChromium } from '../support/chromium.js';
import { screenshotDir } from '../support/screenshots.js';
import { createStandInService, type StandInService } from '../support/stand-in-service.js';
import { startRendererBridge, type RendererBridge } from '../support/renderer-bridge.js';

const DIST = fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
const SHOTS = screenshotDir();
const RUNNER_A = '{5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a}';
const RUNNER_B = '{6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b}';

let browser: Browser;
let closeBrowser: () => Promise<void>;
let service: StandInService;
let bridge: RendererBridge;
let context: BrowserContext;
let page: Page;

/** One sample a minute for the last hour, ending `end`: a queue that fills, then drains. */
function lastHour(end: number): PoolSampleView[] {
  return Array.from({ length: 60 }, (_, i) => {
    const waiting = i >= 20 && i < 35 ? 3 : i >= 35 && i < 45 ? 1 : 0;
    const busy = i >= 22 && i < 50 ? 2 : 0;
    return { at: new Date(end - (59 - i) * 60_000).toISOString(), desired: Math.min(3, busy + waiting + 1), busy, waiting };
  });
}

function observation(now: number): Partial<PoolView> {
  return {
    status: 'active',
    desired: 3,
    counts: { busy: 2, idle: 0, starting: 1, offline: 0, waiting: 2, waitingUnknownLabels: 1 },
    cappedBy: 'max',
    problem: null,
    notes: ['1 waiting step counted for this pool because it serves acme/web-app'],
    runners: [
      { runnerUuid: RUNNER_A, displayName: 'ci-1', state: 'busy', since: new Date(now - 4 * 60_000).toISOString(), reason: null },
      { runnerUuid: RUNNER_B, displayName: 'ci-2', state: 'busy', since: new Date(now - 3 * 60_000).toISOString(), reason: null },
      {
        runnerUuid: '{7f6e5d4c-3b2a-4f1e-8d9c-8b7a6f5e4d3c}',
        displayName: 'ci-3',
        state: 'starting',
        since: new Date(now - 20_000).toISOString(),
        reason: null,
      },
    ],
    activity: [
      { at: new Date(now - 5 * 60_000).toISOString(), line: 'created runner ci-1: 2 steps waiting, 0 idle' },
      { at: new Date(now - 3 * 60_000).toISOString(), line: 'created runner ci-2: 1 step waiting, 0 idle' },
      { at: new Date(now - 20_000).toISOString(), line: 'created runner ci-3: 2 steps waiting, 0 idle (max 3 reached)' },
    ],
    history: lastHour(now),
    observedAt: new Date(now).toISOString(),
  };
}

beforeAll(async () => {
  ({ browser, close: closeBrowser } = await launchChromium());
  service = createStandInService();
  bridge = await startRendererBridge(service, DIST);
  context = await browser.newContext({ locale: 'en-GB', colorScheme: 'light', viewport: { width: 1180, height: 1000 }, deviceScaleFactor: 1 });
  page = await context.newPage();
});
afterAll(async () => {
  await context?.close();
  await bridge?.close();
  await closeBrowser?.();
});

const pool = (name: string) => page.getByRole('listitem', { name });
/** The number under a count's name, as a user reads it. */
const count = (name: string, label: string) =>
  pool(name)
    .locator('dl.pool-counts > div')
    .filter({ has: page.getByRole('term').filter({ hasText: new RegExp(`^${label}$`) }) })
    .getByRole('definition')
    .innerText();
const points = (name: string, series: string) =>
  pool(name)
    .locator(`svg polyline[data-series="${series}"]`)
    .getAttribute('points')
    .then((p) => (p ?? '').trim().split(/\s+/).filter(Boolean));

describe('Pools screen', () => {
  it('says how to make a pool when there is none', async () => {
    await page.goto(bridge.pageUrl);
    await page.getByRole('navigation').getByRole('button', { name: 'Pools' }).click();
    await page.getByRole('heading', { name: 'No pools yet' }).waitFor();
    expect(await page.locator('pre.code-block').innerText()).toContain('runner-tray pool add');
  });

  it("shows a pool's numbers, lines, runners and activity, draws the last hour, and follows pool.changed", async () => {
    await service.handlers['pools.add']({ name: 'ci', labels: ['docker'], min: 0, max: 3, idle: 1, coolDownSeconds: 300 });
    // Added while the screen was open: the pushed view shows it without a reload.
    await pool('ci').waitFor();
    await pool('ci').getByText('Not running here', { exact: true }).waitFor();
    expect(await count('ci', 'Desired')).toBe('0');

    const now = Date.now();
    service.pools.observe('ci', observation(now));
    await pool('ci').getByText('Active', { exact: true }).waitFor();
    expect(await count('ci', 'Desired')).toBe('3');
    expect(await count('ci', 'Busy')).toBe('2');
    expect(await count('ci', 'Idle')).toBe('0');
    expect(await count('ci', 'Starting')).toBe('1');
    expect(await count('ci', 'Waiting steps')).toBe('2');
    const lines = await pool('ci').getByRole('list', { name: 'Why it has this many' }).innerText();
    expect(lines).toContain('Capped by its maximum of 3 runners.');
    expect(lines).toContain('1 waiting step counted without knowing its runs-on labels');
    expect(lines).toContain('serves acme/web-app');

    const runners = pool('ci').getByRole('table', { name: 'Runners of the pool' });
    expect(await runners.getByRole('row').count()).toBe(4);
    expect(await runners.getByRole('row', { name: /ci-3/ }).textContent()).toContain('Starting');
    const activity = await pool('ci').getByRole('list', { name: 'Activity of ci' }).getByRole('listitem').allInnerTexts();
    expect(activity).toHaveLength(3);
    expect(activity[0]).toContain('created runner ci-3: 2 steps waiting, 0 idle (max 3 reached)');

    // The chart: one line per series, one point per sample of the hour, the last one at the right edge.
    const chart = pool('ci').getByRole('img', { name: 'Last hour. Now: desired 1, busy 0, waiting 0.' });
    await chart.waitFor();
    for (const series of ['desired', 'busy', 'waiting']) expect(await points('ci', series)).toHaveLength(60);
    const busy = (await points('ci', 'busy')).map((p) => p.split(',').map(Number) as [number, number]);
    // Busy 2 in the middle of the hour is drawn higher (smaller y) than busy 0 at its start.
    expect(busy[30]![1]).toBeLessThan(busy[0]![1]);
    expect(busy[59]![0]).toBeGreaterThan(busy[0]![0]);

    await page.screenshot({ path: `${SHOTS}pools.png`, fullPage: true });

    // The next poll: one more sample, the problem line, the numbers move.
    const later = now + 60_000;
    const history = [...lastHour(now).slice(1), { at: new Date(later).toISOString(), desired: 3, busy: 3, waiting: 1 }];
    service.pools.observe('ci', {
      ...observation(later),
      history,
      counts: { busy: 3, idle: 0, starting: 0, offline: 0, waiting: 1, waitingUnknownLabels: 0 },
      problem: 'Bitbucket answered HTTP 429: holding the pool as it is until 12:31.',
      status: 'holding',
    });
    await pool('ci').getByRole('img', { name: 'Last hour. Now: desired 3, busy 3, waiting 1.' }).waitFor();
    expect(await count('ci', 'Busy')).toBe('3');
    expect(await pool('ci').getByRole('status').innerText()).toContain('HTTP 429');
    await pool('ci').getByText('Holding', { exact: true }).waitFor();
    expect(await points('ci', 'waiting')).toHaveLength(60);

    await service.handlers['pools.remove']({ name: 'ci', force: true });
    await page.getByRole('heading', { name: 'No pools yet' }).waitFor();
  });

  it('the Runners screen shows which pool made a runner', async () => {
    service.runners.set(RUNNER_A, {
      uuid: RUNNER_A,
      displayName: 'ci-1',
      kind: 'workspace',
      name: `runner-${RUNNER_A.slice(1, -1)}`,
      runnerState: 'BUSY',
      containerState: 'running',
      image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
      workingDirectory: '/tmp',
      pool: 'ci',
    });
    await page.getByRole('navigation').getByRole('button', { name: 'Runners' }).click();
    const item = page.getByRole('listitem', { name: 'ci-1' });
    await item.waitFor();
    expect(await item.getByRole('definition').filter({ hasText: /^ci$/ }).count()).toBe(1);
    expect(await item.innerText()).toMatch(/Pool\s+ci/i);
  });
});
