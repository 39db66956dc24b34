/**
 * `runner-tray bitbucket connect/disconnect` through the CLI entry, against the local Bitbucket
 * stand-in server (shaped like Bitbucket Cloud's documented API), with the real file vault and
 * settings in a temp data dir.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { useBitbucketHome } from '../../support/bitbucket-home.js';
import { CliCapture } from '../../support/cli-capture.js';

const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpApiToken_q8W2e4R6t8Y0u2I4o6P8a0S2d4F6g8H0j2K4l6Z8x0C2v4B6n8M0';

const bb = useBitbucketHome({ tmpPrefix: 'rt-bbcli-', email: EMAIL, token: TOKEN });
let cap: CliCapture;

function io(stdin: string): CliIo {
  return cap.io({ ...process.env, RUNNER_TRAY_HOME: bb.dir, RUNNER_TRAY_VAULT: 'file', RUNNER_TRAY_BITBUCKET_API: bb.server.baseUrl }, stdin);
}

beforeEach(() => {
  cap = new CliCapture();
});

/** Settings and what the command printed; the opt-in file vault is where the token belongs. */
function everythingWritten(): string {
  return readFileSync(join(bb.dir, 'settings.json'), 'utf8') + cap.out + cap.err;
}

describe('runner-tray bitbucket', () => {
  it('connects with the token from stdin, keeps it out of settings and output, and disconnects', async () => {
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL, '--json'], io(`${TOKEN}\n`))).toBe(0);
    const result = JSON.parse(cap.out) as { connection: { workspace: string; authKind: string; watchedRepositories: string[] } };
    expect(result.connection).toMatchObject({ workspace: 'acme', authKind: 'basic', watchedRepositories: ['acme/web-app'] });
    expect(readFileSync(join(bb.dir, 'settings.json'), 'utf8')).toContain('"workspace": "acme"');
    expect(everythingWritten()).not.toContain(TOKEN);

    cap.out = '';
    expect(await main(['bitbucket', 'disconnect', '--json'], io(''))).toBe(0);
    expect(JSON.parse(cap.out)).toEqual({ workspace: 'acme', removedToken: true, removedSettings: true });
  });

  it('says which runner scopes the token lacks, and how it found out, but still connects', async () => {
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
    expect(cap.err).not.toContain('RUNNER_SCOPES');
    const runnersBefore = bb.server.runnersOf('acme').length;

    bb.server.setScopes(['read:repository:bitbucket', 'read:pipeline:bitbucket', 'read:runner:bitbucket']);
    cap.err = '';
    cap.out = '';
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL, '--json'], io(`${TOKEN}\n`))).toBe(0);
    const json = JSON.parse(cap.out) as { runnerScopes: { read: string; write: string; missing: string[] } };
    expect(json.runnerScopes).toMatchObject({ read: 'granted', write: 'missing', missing: ['write:runner:bitbucket'] });
    expect(cap.err).toMatch(/warning \[RUNNER_SCOPES\]: the token lacks write:runner:bitbucket \(.*inferred.*\)/);
    expect(cap.err).toContain('runner-tray create');

    bb.server.setScopes(['read:repository:bitbucket']);
    cap.err = '';
    expect(await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io(`${TOKEN}\n`))).toBe(0);
    expect(cap.err).toContain('lacks read:runner:bitbucket and write:runner:bitbucket');
    expect(everythingWritten()).not.toContain(TOKEN);
    expect(bb.server.runnersOf('acme').length).toBe(runnersBefore);
  });

  it('refuses a token Bitbucket rejects, storing nothing', async () => {
    const code = await main(['bitbucket', 'connect', '--workspace', 'acme', '--email', EMAIL], io('not-the-token\n'));
    expect(code).not.toBe(0);
    expect(cap.err).toMatch(/runner-tray: /);
    cap.out = '';
    await main(['bitbucket', 'disconnect', '--json'], io(''));
    expect(JSON.parse(cap.out)).toMatchObject({ workspace: null });
  });

  it('says what is missing', async () => {
    expect(await main(['bitbucket', 'connect'], io(TOKEN))).toBe(2);
    expect(cap.err).toMatch(/--workspace/);
    cap.err = '';
    expect(await main(['bitbucket', 'link'], io(''))).toBe(2);
    expect(cap.err).toMatch(/"connect", "watch" or "disconnect", not "link"/);
  });
});
