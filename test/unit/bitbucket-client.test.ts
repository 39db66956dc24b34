import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  BitbucketClient,
  BitbucketError,
  DEFAULT_BITBUCKET_API,
  apiPath,
  bitbucketApiBase,
  parseRetryAfter,
  type RequestLogEntry,
} from '../../src/main/bitbucket/client.js';
import { Secret } from '../../src/shared/secret.js';
import { BitbucketStandin, errorBody } from '../support/bitbucket-standin.js';

// Made up for these tests; shaped like an Atlassian API token.
const TOKEN = 'ATATT3xFfGF0madeUpTestToken_9f2c1e7a-not-real';
const EMAIL = 'dev@example.test';
const BASIC_PAIR_B64 = Buffer.from(`${EMAIL}:${TOKEN}`).toString('base64');

let standin: BitbucketStandin;
let logs: RequestLogEntry[];

beforeAll(async () => {
  standin = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  for (let i = 1; i <= 25; i++) {
    standin.addRepository('acme', `repo-${String(i).padStart(2, '0')}`, `2024-03-${String(i).padStart(2, '0')}T10:00:00.000000+00:00`);
  }
});
afterAll(async () => standin.close());
afterEach(() => standin.clearFaults());

function client(overrides: Partial<ConstructorParameters<typeof BitbucketClient>[0]> = {}): BitbucketClient {
  logs = [];
  return new BitbucketClient({
    auth: { kind: 'basic', email: EMAIL, token: new Secret(TOKEN) },
    baseUrl: standin.baseUrl,
    timeoutMs: 2_000,
    log: (e) => logs.push(e),
    ...overrides,
  });
}

async function failure(p: Promise<unknown>): Promise<BitbucketError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BitbucketError);
    return err as BitbucketError;
  }
  throw new Error('expected the call to fail');
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(TOKEN);
  expect(text).not.toContain(BASIC_PAIR_B64);
  expect(text).not.toContain(TOKEN.slice(0, 20));
}

describe('Bitbucket client against the Bitbucket stand-in', () => {
  it('follows "next" through every page and sends the API token as Basic auth with the account email', async () => {
    const before = standin.requests.length;
    const { values, truncated } = await client().paginate<{ full_name: string }>(apiPath('repositories', 'acme'), { pagelen: 10 });
    expect(values).toHaveLength(25);
    expect(new Set(values.map((v) => v.full_name)).size).toBe(25);
    expect(truncated).toBe(false);
    const sent = standin.requests.slice(before);
    expect(sent.map((r) => r.query.get('page') ?? '1')).toEqual(['1', '2', '3']);
    expect(sent.every((r) => r.authorized)).toBe(true);
  });

  it('stops after maxPages and says the list was truncated', async () => {
    const before = standin.requests.length;
    const { values, truncated } = await client({ maxPages: 2 }).paginate(apiPath('repositories', 'acme'), { pagelen: 10 });
    expect(values).toHaveLength(20);
    expect(truncated).toBe(true);
    expect(standin.requests.length - before).toBe(2);
  });

  it('does not follow a "next" link to another host, so the token is not sent there', async () => {
    standin.fault({
      status: 200,
      body: JSON.stringify({ pagelen: 1, page: 1, size: 2, values: [{}], next: 'http://127.0.0.2:9/2.0/repositories/acme?page=2' }),
    });
    const e = await failure(client().paginate(apiPath('repositories', 'acme')));
    expect(e.code).toBe('BITBUCKET_BAD_RESPONSE');
    expect(e.message).toMatch(/not following it/);
  });

  it('keeps UUID braces in paths, percent-encoded', async () => {
    const uuid = '{3f1e0a52-7c1d-4a8e-9b7f-2d5c6e8f9a01}';
    expect(apiPath('repositories', 'acme', 'repo-01', 'pipelines', uuid, 'steps')).toBe(
      '/repositories/acme/repo-01/pipelines/%7B3f1e0a52-7c1d-4a8e-9b7f-2d5c6e8f9a01%7D/steps',
    );
    await failure(client().get(apiPath('repositories', 'acme', 'repo-01', 'pipelines', uuid, 'steps')));
    const last = standin.requests.at(-1)!;
    expect(last.rawPath).toContain('%7B3f1e0a52-7c1d-4a8e-9b7f-2d5c6e8f9a01%7D');
    expect(last.rawPath).not.toContain('{');
    expect(last.segments).toContain(uuid);
  });

  it('401 says the token is wrong or expired and how to create an API token with the right scopes', async () => {
    const e = await failure(
      new BitbucketClient({ auth: { kind: 'basic', email: EMAIL, token: new Secret('wrong-token-1234') }, baseUrl: standin.baseUrl }).get(
        apiPath('repositories', 'acme'),
      ),
    );
    expect(e.code).toBe('BITBUCKET_UNAUTHORIZED');
    expect(e.details.status).toBe(401);
    expect(e.message).toMatch(/wrong, expired or revoked/);
    expect(e.message).toContain('https://id.atlassian.com/manage-profile/security/api-tokens');
    for (const scope of ['read:repository:bitbucket', 'read:pipeline:bitbucket', 'read:runner:bitbucket']) {
      expect(e.message).toContain(scope);
    }
    expect(e.message).toMatch(/email/);
  });

  it('401 with a bearer token suggests --email when it was really an API token', async () => {
    const e = await failure(
      new BitbucketClient({ auth: { kind: 'bearer', token: new Secret(TOKEN) }, baseUrl: standin.baseUrl }).get(apiPath('repositories', 'acme')),
    );
    expect(e.code).toBe('BITBUCKET_UNAUTHORIZED');
    expect(e.message).toMatch(/--email/);
  });

  it('403 names the missing scopes and the resource', async () => {
    standin.fault({ status: 403 });
    const e = await failure(client().get(apiPath('workspaces', 'acme', 'pipelines-config', 'runners'), {}, { what: 'runners of workspace "acme"' }));
    expect(e.code).toBe('BITBUCKET_FORBIDDEN');
    expect(e.message).toContain('runners of workspace "acme"');
    expect(e.message).toContain('read:runner:bitbucket');
    expect(e.message).toContain('Your credentials lack one or more required privilege scopes.');
  });

  it('404 names the repository that does not exist', async () => {
    const e = await failure(client().get(apiPath('repositories', 'acme', 'no-such-repo', 'pipelines'), {}, { what: 'repository "acme/no-such-repo"' }));
    expect(e.code).toBe('BITBUCKET_NOT_FOUND');
    expect(e.message).toContain('repository "acme/no-such-repo"');
    expect(e.message).toContain('https://bitbucket.org/<workspace>/<repository>');
  });

  it('429 reports the rate limit and Retry-After', async () => {
    standin.fault({ status: 429, retryAfter: '120' });
    const e = await failure(client().get(apiPath('repositories', 'acme')));
    expect(e.code).toBe('BITBUCKET_RATE_LIMITED');
    expect(e.transient).toBe(true);
    expect(e.details.retryAfterMs).toBe(120_000);
    expect(e.message).toMatch(/rate limit/);
    expect(e.message).toMatch(/in 120 s/);
  });

  it('5xx is Bitbucket’s side and retried', async () => {
    standin.fault({ status: 503 });
    const e = await failure(client().get(apiPath('repositories', 'acme')));
    expect(e.code).toBe('BITBUCKET_SERVER_ERROR');
    expect(e.transient).toBe(true);
    expect(e.message).toContain('HTTP 503');
  });

  it('a slow answer ends in a timeout error naming the wait', async () => {
    standin.fault({ delayMs: 1_500 });
    const e = await failure(client({ timeoutMs: 200 }).get(apiPath('repositories', 'acme')));
    expect(e.code).toBe('BITBUCKET_TIMEOUT');
    expect(e.message).toContain('0.2 s');
  });

  it('an unreachable address is a network error naming the address and the env variable', async () => {
    const e = await failure(client({ baseUrl: 'http://127.0.0.1:9/2.0' }).get(apiPath('repositories', 'acme')));
    expect(e.code).toBe('BITBUCKET_NETWORK');
    expect(e.message).toContain('http://127.0.0.1:9');
    expect(e.message).toContain('RUNNER_TRAY_BITBUCKET_API');
  });

  it('a non-JSON success says the address may not be Bitbucket', async () => {
    standin.fault({ status: 200, body: '<html>captive portal</html>' });
    const e = await failure(client().get(apiPath('repositories', 'acme')));
    expect(e.code).toBe('BITBUCKET_BAD_RESPONSE');
  });

  it('the token never appears in errors or request logs, even when the server echoes it', async () => {
    const echoes = [
      { status: 401, body: errorBody(`Bad credentials ${EMAIL}:${TOKEN}`, `Authorization: Basic ${BASIC_PAIR_B64}`) },
      { status: 403, body: errorBody(`token ${TOKEN} lacks scope`) },
      { status: 404, body: errorBody(`nothing for ${encodeURIComponent(TOKEN)}`) },
      { status: 429, body: errorBody(`slow down ${TOKEN}`) },
      { status: 500, body: `upstream said Basic ${BASIC_PAIR_B64}` },
      { status: 418, body: errorBody(TOKEN) },
    ];
    const texts: string[] = [];
    const c = client();
    for (const f of echoes) {
      standin.fault(f);
      const e = await failure(c.get(apiPath('repositories', 'acme')));
      texts.push(e.message, inspect(e), JSON.stringify(e), String(e.stack));
    }
    texts.push(JSON.stringify(logs), inspect(c), JSON.stringify(c));
    expect(logs.length).toBe(echoes.length);
    for (const t of texts) expectNoSecret(t);
    expect(texts.join('\n')).toContain('<redacted>');
  });

  it('reads the API address from RUNNER_TRAY_BITBUCKET_API, defaulting to api.bitbucket.org', async () => {
    expect(bitbucketApiBase({})).toBe(DEFAULT_BITBUCKET_API);
    expect(bitbucketApiBase({ RUNNER_TRAY_BITBUCKET_API: standin.baseUrl })).toBe(standin.baseUrl);
    const saved = process.env.RUNNER_TRAY_BITBUCKET_API;
    process.env.RUNNER_TRAY_BITBUCKET_API = standin.baseUrl;
    try {
      const c = new BitbucketClient({ auth: { kind: 'basic', email: EMAIL, token: new Secret(TOKEN) } });
      expect(c.baseUrl).toBe(standin.baseUrl);
      const page = await c.get<{ size: number }>(apiPath('repositories', 'acme'));
      expect(page.size).toBe(25);
    } finally {
      if (saved === undefined) delete process.env.RUNNER_TRAY_BITBUCKET_API;
      else process.env.RUNNER_TRAY_BITBUCKET_API = saved;
    }
  });

  it('rejects a base address that is not a URL, naming the variable', () => {
    expect(() => client({ baseUrl: 'api.bitbucket.org/2.0' })).toThrow(/RUNNER_TRAY_BITBUCKET_API/);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('30')).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});
