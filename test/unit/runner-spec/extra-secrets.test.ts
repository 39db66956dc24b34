/** Secret-looking extra `-e` variables (kept in the vault) in the create request and the stale check. */
import { describe, expect, it } from 'vitest';
import type { RunnerSpec } from '../../../src/shared/runner-command/types.js';
import { RUNNER_IMAGE } from '../../../src/shared/runner-command/types.js';
import { Secret } from '../../../src/shared/secret.js';
import { containerCreateOptions, staleReasons, type EngineBindFacts } from '../../../src/shared/runner-spec.js';

// Made-up identifiers and secrets.
const RUNNER = '{2e4f6a8b-1c3d-4e5f-8a7b-9c0d1e2f3a4b}';
const SECRET = 'ATOAmadeUpExtraSecretsTest_8Hj3Kl5Mn7Pq9Rs1Tv3Wx5Yz7Ab9Cd1Ef';
const NPM_1 = 'npm_madeUpTokenOne0123456789abcdefABCDEF';
const NPM_2 = 'npm_madeUpTokenTwo9876543210fedcbaFEDCBA';

const spec: RunnerSpec = {
  kind: 'workspace',
  accountUuid: '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
  repositoryUuid: null,
  runnerUuid: RUNNER,
  name: `runner-${RUNNER.slice(1, -1)}`,
  image: RUNNER_IMAGE,
  oauthClientId: 'madeUpClientId0123456789abcdef',
  workingDirectory: '/tmp',
  env: {
    ACCOUNT_UUID: '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
    RUNNER_UUID: RUNNER,
    OAUTH_CLIENT_ID: 'madeUpClientId0123456789abcdef',
    WORKING_DIRECTORY: '/tmp',
  },
  binds: ['/tmp:/tmp'],
  args: [],
};
const engine: EngineBindFacts = { socketPath: '/var/run/docker.sock', local: true, dockerDesktop: false, dockerRootDir: '/var/lib/docker', osType: 'linux' };
const create = (extraSecrets?: Record<string, Secret>) =>
  containerCreateOptions({ spec, secret: new Secret(SECRET), engine, ...(extraSecrets ? { extraSecrets } : {}) });

describe('extra secret variables', () => {
  it('go into the container env after the pasted ones, and into no label', () => {
    const opts = create({ NPM_TOKEN: new Secret(NPM_1) });
    expect(opts.Env).toEqual([
      'ACCOUNT_UUID={aa11bb22-cc33-4d44-8e55-ff6677889900}',
      `RUNNER_UUID=${RUNNER}`,
      'OAUTH_CLIENT_ID=madeUpClientId0123456789abcdef',
      `OAUTH_CLIENT_SECRET=${SECRET}`,
      'WORKING_DIRECTORY=/tmp',
      `NPM_TOKEN=${NPM_1}`,
    ]);
    expect(JSON.stringify(opts.Labels)).not.toContain(NPM_1);
  });

  it('without any, the create request (fingerprint included) is what it was before they existed', () => {
    expect(create({})).toEqual(create());
  });

  it('a changed value makes the container stale without naming the value; a dropped or added name too', () => {
    const current = create({ NPM_TOKEN: new Secret(NPM_1) });
    const snapshot = { labels: current.Labels, env: current.Env };
    expect(staleReasons(current, snapshot)).toEqual([]);

    const rotated = staleReasons(create({ NPM_TOKEN: new Secret(NPM_2) }), snapshot);
    expect(rotated).toEqual(['secret variable changed']);
    expect(rotated.join(' ')).not.toMatch(new RegExp(`${NPM_1}|${NPM_2}`));

    expect(staleReasons(create({}), snapshot)).toEqual(['settings changed']);
    expect(staleReasons(create({ NPM_TOKEN: new Secret(NPM_1), PIP_PASSWORD: new Secret(NPM_2) }), snapshot)).toEqual(['settings changed']);
  });
});
