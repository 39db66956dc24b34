/**
 * `GET /metrics` of a real `runner-tray serve` (the built CLI in a child process) on the private
 * dockerd: a step waits in the Bitbucket stand-in's queue, a stand-in runner takes it and passes,
 * and Prometheus' view of that (parsed by an independent text-format parser) says so: steps
 * started and completed by result, step duration, queue wait, the pool's gauges, the runner's
 * state. Behind the API token on the dashboard port, and without one on --metrics-listen only.
 */
import { describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { CliCapture } from '../support/cli-capture.js';
import { cliEnv } from '../support/cli.js';
import { parseScrape, type Scrape } from '../support/prometheus-scrape.js';
import { recordEvents, startServe, type ServeChild } from '../support/serve-child.js';
import { CLIENT_ID, paste, runnerUuid, SECRET } from '../support/steps-runners.js';

const EMAIL = 'dev@example.test';
const BB_TOKEN = 'ATATTmadeUpMetricsToken_Zx8Cv6Bn4Mm2Ll0Kk8Jj6Hh4Gg2Ff0Dd8Ss6Aa4Qq2Ww0Ee8Rr6';
const SERVE_TOKEN = 'metrics-test-token-0123456789abcdef';
/** The step UUID the stand-in runner's recorded log (step-passed.log) takes. */
const STEP_UUID = '{9f8e7d6c-5b4a-4392-8170-6e5d4c3b2a10}';

const bb = useBitbucketHome({ tmpPrefix: 'rt-metrics-', email: EMAIL, token: BB_TOKEN });

async function cli(...argv: string[]): Promise<CliCapture> {
  const cap = new CliCapture();
  const io: CliIo = cap.io({ ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl }, `${BB_TOKEN}\n`);
  const code = await main(argv, io);
  if (code !== 0) throw new Error(`runner-tray ${argv.join(' ')} exited ${code}: ${cap.err}`);
  return cap;
}

async function scrape(url: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string | null; text: string }> {
  const r = await fetch(url, { headers });
  return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
}

async function removeOurContainers(): Promise<void> {
  const { default: Docker } = await import('dockerode');
  const docker = new Docker({ socketPath: inject('dockerSocket') });
  const ours = await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } });
  const siblings = await docker.listContainers({ all: true, filters: { label: ['runner-tray.standin-sibling'] } });
  for (const c of [...ours, ...siblings])
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
}

describe('GET /metrics on runner-tray serve', () => {
  it('reports a queued step taken and passed by a runner, and the pools, as Prometheus reads them', { timeout: 240_000 }, async () => {
    await cli('bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL, '--repos', 'acme/web-app');
    // A pool on a repository no step waits in: its gauges are its settings and a plan of nothing.
    await cli('pool', 'add', 'ci', '--repository', 'api-service', '--max', '3', '--label', 'build');
    const queuedAt = new Date(Date.now() - 20_000);
    bb.server.addPipeline('acme', 'web-app', {
      buildNumber: 7,
      state: 'IN_PROGRESS',
      stage: 'RUNNING',
      createdOn: queuedAt.toISOString(),
      steps: [{ uuid: STEP_UUID, name: 'Build', state: 'PENDING', runsOn: ['self.hosted', 'linux'] }],
    });

    let serve: ServeChild | undefined;
    let events: Awaited<ReturnType<typeof recordEvents>> | undefined;
    try {
      serve = await startServe({
        dockerSocket: inject('dockerSocket'),
        token: SERVE_TOKEN,
        args: ['--metrics-listen', '127.0.0.1:0'],
        extraEnv: { RUNNER_TRAY_HOME: bb.dir, RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl },
      });
      const listenUrl = /Runner Tray metrics \(no token\): (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(serve.stdout())?.[1];
      expect(listenUrl).toBeDefined();

      // The token guards /metrics on the dashboard's port.
      expect((await scrape(`${serve.origin}/metrics`)).status).toBe(401);
      expect((await scrape(`${serve.origin}/metrics`, { Authorization: 'Bearer wrong-token-wrong-token' })).status).toBe(401);

      // Someone watching makes the queue poll; the metrics learn when the step was queued.
      events = await recordEvents(serve.origin, SERVE_TOKEN);
      await expect
        .poll(() => events!.events().some((e) => JSON.stringify(e).includes(STEP_UUID) && (e as { type?: string }).type === 'queued.changed'), {
          timeout: 60_000,
          interval: 500,
        })
        .toBe(true);

      // A pool added from the dashboard: answered, pushed to the page, and on the metrics page.
      const poolAdded = await fetch(`${serve.origin}/api/pools.add`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${SERVE_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'web', max: 2, repository: 'api-service', coolDownSeconds: 60 }),
      });
      expect(poolAdded.status).toBe(200);
      expect(await poolAdded.json()).toMatchObject({ ok: true, value: { name: 'web', workspace: 'acme', max: 2, coolDownSeconds: 60 } });
      const tooBig = await fetch(`${serve.origin}/api/pools.add`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${SERVE_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'huge', max: 500 }),
      });
      expect(tooBig.status).toBe(400);
      expect(await tooBig.json()).toMatchObject({
        ok: false,
        error: { code: 'INVALID_INPUT', message: expect.stringContaining('Bitbucket allows 100 runners per workspace') },
      });
      await expect
        .poll(
          () =>
            events!
              .events()
              .some((e) => (e as { type?: string; pool?: { name?: string } }).type === 'pool.changed' && (e as { pool: { name: string } }).pool.name === 'web'),
          {
            timeout: 10_000,
          },
        )
        .toBe(true);

      const runner = runnerUuid(9101);
      const added = await fetch(`${serve.origin}/api/runners.add`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${SERVE_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ command: paste(runner, { STANDIN_SCRIPT: 'one-step', STANDIN_STEP_SECONDS: '2' }), displayName: 'metrics-1', startNow: true }),
      });
      expect(added.status).toBe(200);

      const auth = { Authorization: `Bearer ${SERVE_TOKEN}` };
      let page: Scrape | undefined;
      await expect
        .poll(
          async () => {
            const r = await scrape(`${serve!.origin}/metrics`, auth);
            page = await parseScrape(r.text);
            return page.samples('runner_tray_steps_completed_total').length;
          },
          { timeout: 120_000, interval: 1_000 },
        )
        .toBe(1);
      const r = await scrape(`${serve.origin}/metrics`, auth);
      expect(r.status).toBe(200);
      expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
      page = await parseScrape(r.text);

      const ours = { runner: 'metrics-1', runner_uuid: runner };
      expect(page.value('runner_tray_steps_started_total', ours)).toBe(1);
      expect(page.value('runner_tray_steps_completed_total', { ...ours, result: 'PASSED' })).toBe(1);
      const duration = page.histogram('runner_tray_step_duration_seconds', ours);
      expect(duration.count).toBe(1);
      expect(duration.sum).toBeGreaterThanOrEqual(1);
      expect(duration.sum).toBeLessThan(60);
      expect(duration.buckets['+Inf']).toBe(1);
      // Queued 20 s before serve started; taken once the runner started: at least those 20 s.
      const wait = page.histogram('runner_tray_step_queue_wait_seconds', ours);
      expect(wait.count).toBe(1);
      expect(wait.sum).toBeGreaterThanOrEqual(20);
      expect(wait.sum).toBeLessThan(200);
      expect(page.value('runner_tray_runner_state', { ...ours, state: 'ONLINE' })).toBe(1);

      expect(page.value('runner_tray_pool_max_runners', { pool: 'ci' })).toBe(3);
      expect(page.value('runner_tray_pool_min_runners', { pool: 'ci' })).toBe(0);
      expect(page.value('runner_tray_pool_desired_runners', { pool: 'ci' })).toBe(0);
      expect(page.value('runner_tray_pool_runners', { pool: 'ci', state: 'busy' })).toBe(0);
      expect(page.value('runner_tray_pool_waiting_steps', { pool: 'ci' })).toBe(0);
      expect(page.value('runner_tray_pool_max_runners', { pool: 'web' })).toBe(2);
      expect(page.samples('runner_tray_pool_max_runners').map((x) => x.labels.pool)).toEqual(['ci', 'web']);

      // The opt-in listener: the same page without a token, and nothing else there.
      const open = await scrape(listenUrl!);
      expect(open.status).toBe(200);
      expect((await parseScrape(open.text)).value('runner_tray_steps_completed_total', { ...ours, result: 'PASSED' })).toBe(1);
      expect((await scrape(listenUrl!.replace('/metrics', '/api/runners.list'))).status).toBe(404);

      for (const text of [r.text, open.text]) {
        for (const secret of [SECRET, SERVE_TOKEN, BB_TOKEN, CLIENT_ID]) expect(text).not.toContain(secret);
      }
    } finally {
      events?.close();
      await serve?.stop();
      await removeOurContainers();
    }
  });
});
