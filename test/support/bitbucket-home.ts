/** Per test: a temp data directory and a Bitbucket stand-in (basic auth) serving repository acme/web-app; both gone after the test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { BitbucketStandin } from './bitbucket-standin.js';

export interface BitbucketHome {
  readonly dir: string;
  readonly server: BitbucketStandin;
}

export function useBitbucketHome(options: { tmpPrefix: string; email: string; token: string }): BitbucketHome {
  let dir: string | undefined;
  let server: BitbucketStandin | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), options.tmpPrefix));
    server = await BitbucketStandin.start({ kind: 'basic', email: options.email, token: options.token });
    server.addRepository('acme', 'web-app');
  });

  afterEach(async () => {
    await server?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    server = undefined;
    dir = undefined;
  });

  return {
    get dir() {
      if (dir === undefined) throw new Error('the data directory exists only during a test');
      return dir;
    },
    get server() {
      if (server === undefined) throw new Error('the Bitbucket stand-in runs only during a test');
      return server;
    },
  };
}
