/**
 * `runner-tray steps --watch --queued`: Bitbucket's queued steps stream as NDJSON while the watch
 * runs, against the local Bitbucket stand-in (shaped like Bitbucket Cloud's documented API), and
 * polling stops when the watch ends.
 */
import { beforeEach, describe, expect, inject, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { useBitbucketHome } from '../support/bitbucket-home.js';
import { CliCapture } from '../support/cli-capture.js';
import { cliEnv } from '../support/cli.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpQueuedToken_Zx8Cv6Bn4Mm2Ll0Kk8Jj6Hh4Gg2Ff0Dd8Ss6Aa4Qq2Ww0Ee8Rr6';

const bb = useBitbucketHome({ tmpPrefix: 'rt-queued-', email: EMAIL, token: TOKEN });
let cap: CliCapture;

function io(stdin = ''): CliIo {
  return cap.io({ ...cliEnv(bb.dir, inject('dockerSocket')), RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl }, stdin);
}

beforeEach(() => {
  cap = new CliCapture();
});

describe('runner-tray steps --watch --queued against the Bitbucket stand-in', () => {
  it('streams the waiting steps of the watched repositories, and stops asking Bitbucket when the watch ends', async () => {
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
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
    cap.out = '';

    const exit = main(['steps', '--watch', '--queued', '--json'], io());
    await expect.poll(() => cap.out, { timeout: 30_000 }).toContain('"type":"queued.changed"');
    const queued = cap.out
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type?: string; connected?: boolean; steps?: Array<{ stepName?: string; buildNumber?: number }> })
      .find((e) => e.type === 'queued.changed');
    expect(queued).toMatchObject({ connected: true, steps: [expect.objectContaining({ stepName: 'Deploy to staging', buildNumber: 42 })] });

    cap.signal('SIGINT');
    expect(await exit).toBe(0);
    const asked = bb.server.requests.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(bb.server.requests.length).toBe(asked);
    expect(cap.out + cap.err).not.toContain(TOKEN);
  });
});
