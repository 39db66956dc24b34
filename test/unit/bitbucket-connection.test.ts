import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BitbucketError, type RequestLogEntry } from '../../src/main/bitbucket/client.js';
import {
  connectBitbucket,
  disconnectBitbucket,
  openBitbucketClient,
  type BitbucketConnection,
  type BitbucketConnectionStore,
} from '../../src/main/bitbucket/connection.js';
import { fetchQueuedSteps } from '../../src/main/bitbucket/queued.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin } from '../support/bitbucket-standin.js';

// Made up for these tests.
const TOKEN = 'ATATT3xFfGF0-made-up-connect-token-0d9c8b7a';
const EMAIL = 'dev@example.test';

/** Settings as a real JSON file, the way the headless settings keep them. */
class JsonFileStore implements BitbucketConnectionStore {
  constructor(readonly file: string) {}
  async read(): Promise<BitbucketConnection | null> {
    try {
      return (JSON.parse(await readFile(this.file, 'utf8')) as { bitbucket: BitbucketConnection | null }).bitbucket;
    } catch {
      return null;
    }
  }
  async write(connection: BitbucketConnection | null): Promise<void> {
    await writeFile(this.file, JSON.stringify({ bitbucket: connection }, null, 2));
  }
}

let standin: BitbucketStandin;
let dir: string;
let vault: FileVault;
let store: JsonFileStore;
let logs: RequestLogEntry[];

beforeAll(async () => {
  standin = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  standin.addRepository('acme', 'web', '2024-05-03T09:00:00.000000+00:00');
  standin.addRepository('acme', 'api', '2024-05-01T09:00:00.000000+00:00');
  standin.addPipeline('acme', 'web', {
    buildNumber: 12,
    state: 'PENDING',
    createdOn: '2024-05-03T08:05:00.000Z',
    steps: [{ name: 'Build', state: 'PENDING' }],
  });
  standin.addRepository('other', 'site');
});
afterAll(async () => standin.close());

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bb-connect-'));
  vault = await FileVault.open(path.join(dir, 'data'));
  store = new JsonFileStore(path.join(dir, 'settings.json'));
  logs = [];
});
afterEach(async () => {
  standin.clearFaults();
  await rm(dir, { recursive: true, force: true });
});

const deps = () => ({ vault, store, baseUrl: standin.baseUrl, timeoutMs: 3_000, log: (e: RequestLogEntry) => logs.push(e) });

describe('bitbucket connect / disconnect against the Bitbucket stand-in', () => {
  it('verifies the token, keeps it in the vault only, and watches the newest repositories by default', async () => {
    const { connection, repositories } = await connectBitbucket(deps(), { workspace: 'Acme', email: EMAIL, token: new Secret(`${TOKEN}`) });
    expect(connection).toEqual({ workspace: 'acme', email: EMAIL, authKind: 'basic', watchedRepositories: ['acme/web', 'acme/api'] });
    expect(repositories).toEqual(['acme/web', 'acme/api']);
    expect((await vault.get('bitbucket:acme'))?.reveal()).toBe(TOKEN);

    const settingsText = await readFile(store.file, 'utf8');
    expect(JSON.parse(settingsText)).toEqual({ bitbucket: connection });
    expect(settingsText).not.toContain(TOKEN);
    expect(JSON.stringify(logs)).not.toContain(TOKEN);

    // The stored connection is enough to poll.
    const opened = await openBitbucketClient(deps());
    expect(opened?.connection).toEqual(connection);
    const queued = await fetchQueuedSteps(opened!.client, { workspace: 'acme', repositories: opened!.connection.watchedRepositories });
    expect(queued.steps.map((s) => `${s.repository}#${s.buildNumber} ${s.stepName}`)).toEqual(['acme/web#12 Build']);
  });

  it('keeps the repositories the user picked', async () => {
    const { connection } = await connectBitbucket(deps(), {
      workspace: 'acme',
      email: EMAIL,
      token: new Secret(TOKEN),
      watchedRepositories: ['api', 'acme/web'],
    });
    expect(connection.watchedRepositories).toEqual(['acme/api', 'acme/web']);
  });

  it('stores nothing when Bitbucket rejects the token, and says how to make one', async () => {
    const err = (await connectBitbucket(deps(), { workspace: 'acme', email: EMAIL, token: new Secret('expired-token-abcdef') }).catch(
      (e: unknown) => e,
    )) as BitbucketError;
    expect(err.code).toBe('BITBUCKET_UNAUTHORIZED');
    expect(err.message).toContain('read:pipeline:bitbucket');
    expect(err.message).not.toContain('expired-token-abcdef');
    expect(await vault.get('bitbucket:acme')).toBeNull();
    expect(await store.read()).toBeNull();
  });

  it('names a workspace that does not exist', async () => {
    const err = (await connectBitbucket(deps(), { workspace: 'no-such-ws', email: EMAIL, token: new Secret(TOKEN) }).catch(
      (e: unknown) => e,
    )) as BitbucketError;
    expect(err.code).toBe('BITBUCKET_NOT_FOUND');
    expect(err.message).toContain('workspace "no-such-ws"');
    expect(await store.read()).toBeNull();
  });

  it('rejects bad input before any request, saying what to fix', async () => {
    const before = standin.requests.length;
    const cases: Array<[Parameters<typeof connectBitbucket>[1], RegExp]> = [
      [{ workspace: 'acme team', token: new Secret(TOKEN) }, /not a Bitbucket workspace ID.*bitbucket\.org\/<workspace>/],
      [{ workspace: 'acme', email: 'dev-at-example', token: new Secret(TOKEN) }, /not an email address.*--email/],
      [{ workspace: 'acme', email: EMAIL, token: new Secret('  \n') }, /token is empty/],
      [{ workspace: 'acme', email: EMAIL, token: new Secret(`${TOKEN} ${TOKEN}`) }, /spaces or line breaks/],
      [{ workspace: 'acme', email: EMAIL, token: new Secret(TOKEN), watchedRepositories: ['a/b/c'] }, /"a\/b\/c" is not a repository/],
    ];
    for (const [input, message] of cases) {
      const err = (await connectBitbucket(deps(), input).catch((e: unknown) => e)) as BitbucketError;
      expect(err).toBeInstanceOf(BitbucketError);
      expect(err.code).toBe('BITBUCKET_CONFIG');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(TOKEN);
    }
    expect(standin.requests.length).toBe(before);
  });

  it('disconnect removes both the token and the setting', async () => {
    await connectBitbucket(deps(), { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN) });
    expect(await disconnectBitbucket(deps())).toEqual({ workspace: 'acme', removedToken: true, removedSettings: true });
    expect(await vault.get('bitbucket:acme')).toBeNull();
    expect(await store.read()).toBeNull();
    expect(await openBitbucketClient(deps())).toBeNull();
    expect(await disconnectBitbucket(deps())).toEqual({ workspace: null, removedToken: false, removedSettings: false });
  });

  it('connecting another workspace drops the old workspace’s token', async () => {
    await connectBitbucket(deps(), { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN) });
    await connectBitbucket(deps(), { workspace: 'other', email: EMAIL, token: new Secret(TOKEN) });
    expect(await vault.get('bitbucket:acme')).toBeNull();
    expect((await vault.get('bitbucket:other'))?.reveal()).toBe(TOKEN);
    expect((await store.read())?.workspace).toBe('other');
  });

  it('a setting without its token in the vault says to connect again', async () => {
    await connectBitbucket(deps(), { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN) });
    await vault.delete('bitbucket:acme');
    const err = (await openBitbucketClient(deps()).catch((e: unknown) => e)) as BitbucketError;
    expect(err.code).toBe('BITBUCKET_CONFIG');
    expect(err.message).toContain('runner-tray bitbucket connect --workspace acme --email dev@example.test');
    expect(err.message).toContain(vault.location);
  });
});
