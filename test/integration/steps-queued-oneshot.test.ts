/**
 * One-shot `runner-tray steps --queued` against the Bitbucket stand-in and the private dockerd:
 * with Docker down the queue is shown all the same (and Docker's state said), a Bitbucket
 * failure leaves the runners' steps shown, and a 429 with a short Retry-After is waited out.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { CliCapture } from '../support/cli-capture.js';
import { cliEnv } from '../support/cli.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpOneShotToken_Qw8Er6Ty4Ui2Op0As8Df6Gh4Jk2Lz0Xc8Vb6Nm4Qa2Ws0Ed8Rf6';

const bb = useBitbucketHome({ tmpPrefix: 'rt-queued1-', email: EMAIL, token: TOKEN });
let cap: CliCapture;

function io(env: NodeJS.ProcessEnv = {}, stdin = ''): CliIo {
  return cap.io({ ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl, ...env }, stdin);
}

const dockerDown = () => ({ DOCKER_HOST: `unix://${bb.dir}/docker-is-down.sock` });

beforeEach(async () => {
  cap = new CliCapture();
  expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io({}, `${TOKEN}\n`))).toBe(0);
  bb.server.addPipeline('acme', 'web-app', {
    buildNumber: 42,
    state: 'IN_PROGRESS',
    stage: 'RUNNING',
    createdOn: '2026-11-29T10:00:00.000000+00:00',
    steps: [
      { name: 'Build', state: 'COMPLETED', result: 'SUCCESSFUL' },
      { name: 'Deploy to staging', state: 'PENDING', runsOn: ['self.hosted', 'linux'] },
    ],
  });
  cap = new CliCapture();
});

describe('runner-tray steps --queued, once', () => {
  it('shows the queued steps with Docker down, and says Docker is down', async () => {
    const code = await main(['steps', '--queued'], io(dockerDown()));
    expect(cap.out).toContain('Docker is down');
    expect(cap.out).toContain('acme/web-app #42 Deploy to staging [self.hosted, linux]');
    expect(cap.err).toContain('Docker is down');
    expect(code).toBe(1);
    expect(cap.out + cap.err).not.toContain(TOKEN);
  });

  it('reports both sources in --json: the queue, and Docker as not connected', async () => {
    const code = await main(['steps', '--queued', '--json'], io(dockerDown()));
    const out = JSON.parse(cap.out) as {
      docker?: { connected: boolean; error: { message: string } };
      queued: { connected: boolean; steps: Array<{ stepName: string }> };
    };
    expect(out.docker).toMatchObject({ connected: false });
    expect(out.docker!.error.message.length).toBeGreaterThan(10);
    expect(out.queued).toMatchObject({ connected: true, steps: [expect.objectContaining({ stepName: 'Deploy to staging' })] });
    expect(code).toBe(1);
  });

  it('keeps showing the runners when Bitbucket fails', async () => {
    bb.server.fault({ status: 500, times: 10 });
    const code = await main(['steps', '--queued'], io());
    expect(cap.out).toContain('No runners yet');
    expect(cap.out).toContain('Bitbucket: queued steps cannot be read');
    expect(cap.err).toContain('HTTP 500');
    expect(code).toBe(1);
  });

  it('waits out a 429 with a short Retry-After and shows the queue', async () => {
    bb.server.fault({ status: 429, retryAfter: '1', times: 1 });
    const started = Date.now();
    const code = await main(['steps', '--queued'], io());
    expect(cap.err).toContain('retrying in 1 s (try 2 of 3)');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(cap.out).toContain('acme/web-app #42 Deploy to staging');
    expect(code).toBe(0);
  });

  it('gives up after 3 tries, saying so instead of promising a retry', async () => {
    bb.server.fault({ status: 429, retryAfter: '1', times: 3 });
    const code = await main(['steps', '--queued'], io());
    expect(cap.err.match(/retrying in 1 s/g)).toHaveLength(2);
    expect(cap.err).toContain('Gave up after 3 tries');
    expect(cap.err).not.toMatch(/Retrying in/);
    expect(code).toBe(1);
  });

  it('does not wait for a long Retry-After', async () => {
    bb.server.fault({ status: 429, retryAfter: '120', times: 1 });
    const started = Date.now();
    const code = await main(['steps', '--queued'], io());
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(cap.err).toContain('run it again in 120 s');
    expect(code).toBe(1);
  });
});
