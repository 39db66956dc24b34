import { describe, expect, it } from 'vitest';
import { toParsedCommandView } from '../../src/shared/contract/parsed-view.js';
import {
  SECRET_ENV_NAME,
  describeParseResult,
  describeSpec,
  formatParseJson,
  parseRunnerCommand,
  redactPaste,
  type ParseResult,
} from '../../src/shared/runner-command/index.js';
import { BASE_ENV, IDS, command, paste } from '../support/pastes.js';

function ok(result: ParseResult) {
  if (!result.ok) throw new Error(`expected a runner, got ${result.error.code}: ${result.error.message}`);
  return result;
}

describe('secret-looking extra variables go with the OAuth secret, not into the spec', () => {
  it('NPM_TOKEN and ARTIFACTORY_PASSWORD become extraSecrets, in the order given, with EXTRA_SECRET warnings', () => {
    const r = ok(parseRunnerCommand(paste('extra-secrets.txt')));
    expect(Object.keys(r.extraSecrets)).toEqual(['NPM_TOKEN', 'ARTIFACTORY_PASSWORD']);
    expect(r.extraSecrets.NPM_TOKEN!.reveal()).toBe(IDS.npmToken);
    expect(r.extraSecrets.ARTIFACTORY_PASSWORD!.reveal()).toBe(IDS.artifactoryPassword);
    expect(r.secret.reveal()).toBe(IDS.secret);
    // The spec is what settings store: no secret-looking name may be left in it (the settings
    // validator refuses those), and the ordinary extra variable stays.
    expect(Object.keys(r.spec.env).filter((k) => SECRET_ENV_NAME.test(k))).toEqual([]);
    expect(r.spec.env.HTTPS_PROXY).toBe('http://proxy.example.test:3128');
    expect(r.warnings.map((w) => w.code)).toEqual(['EXTRA_SECRET', 'EXTRA_SECRET', 'EXTRA_ENV']);
    const extra = r.warnings.filter((w) => w.code === 'EXTRA_SECRET').map((w) => w.message);
    expect(extra[0]).toMatch(/^`NPM_TOKEN` .*kept in the vault like the OAuth secret, passed to the runner's container/);
    expect(extra[1]).toContain('`ARTIFACTORY_PASSWORD`');
  });

  it.each([
    'NPM_TOKEN',
    'GITHUB_TOKEN',
    'ARTIFACTORY_PASSWORD',
    'DB_PASSWD',
    'AWS_SECRET_ACCESS_KEY',
    'MY_API_KEY',
    'APIKEY',
    'SSH_PRIVATE_KEY',
    'registry_credentials',
  ])('%s counts as a secret', (name) => {
    const r = ok(parseRunnerCommand(command({ env: [...BASE_ENV, `-e ${name}=made-up-value-0123456789`] })));
    expect(Object.keys(r.extraSecrets)).toEqual([name]);
    expect(r.spec.env[name]).toBeUndefined();
  });

  it("ordinary extra variables stay in the spec, and none of Bitbucket's own variables counts as extra", () => {
    const r = ok(parseRunnerCommand(command({ env: [...BASE_ENV, '-e NO_PROXY=localhost', '-e CLONE_IMAGE=registry.example.test/clone:1'] })));
    expect(r.extraSecrets).toEqual({});
    expect(r.spec.env.NO_PROXY).toBe('localhost');
    expect(ok(parseRunnerCommand(paste('multiline-quoted.txt'))).extraSecrets).toEqual({});
  });

  it('a value with blanks in a quoted word is kept whole and masked whole in the preview', () => {
    const spaced = 'made up Art1factory pass phrase';
    const text = command({ env: [...BASE_ENV, `-e "ARTIFACTORY_PASSWORD=${spaced}"`, `-e NPM_TOKEN='${IDS.npmToken}'`] });
    const r = ok(parseRunnerCommand(text));
    expect(r.extraSecrets.ARTIFACTORY_PASSWORD!.reveal()).toBe(spaced);
    const preview = redactPaste(text);
    expect(preview).toContain(`-e "ARTIFACTORY_PASSWORD=••••••••(${spaced.length})"`);
    expect(preview).toContain(`-e NPM_TOKEN='••••••••(${IDS.npmToken.length})'`);
    expect(preview).toContain(`-e OAUTH_CLIENT_SECRET=••••••••(64)`);
    expect(preview).not.toContain('pass phrase');
  });

  it('parse-command --json lists them in env where they stood, as "<redacted>"', () => {
    const json = formatParseJson(parseRunnerCommand(paste('extra-secrets.txt')));
    if (!json.ok) throw new Error(json.error.message);
    expect(json.runner.env).toEqual({
      ACCOUNT_UUID: IDS.account,
      RUNNER_UUID: IDS.runner,
      RUNTIME_PREREQUISITES_ENABLED: 'true',
      NPM_TOKEN: '<redacted>',
      OAUTH_CLIENT_ID: IDS.clientId,
      OAUTH_CLIENT_SECRET: '<redacted>',
      WORKING_DIRECTORY: '/tmp',
      ARTIFACTORY_PASSWORD: '<redacted>',
      HTTPS_PROXY: 'http://proxy.example.test:3128',
    });
    expect(Object.keys(json.runner.env)).toEqual([
      'ACCOUNT_UUID',
      'RUNNER_UUID',
      'RUNTIME_PREREQUISITES_ENABLED',
      'NPM_TOKEN',
      'OAUTH_CLIENT_ID',
      'OAUTH_CLIENT_SECRET',
      'WORKING_DIRECTORY',
      'ARTIFACTORY_PASSWORD',
      'HTTPS_PROXY',
    ]);
  });

  it('a result built by hand (no envOrder) still lists every secret redacted', () => {
    const r = ok(parseRunnerCommand(paste('extra-secrets.txt')));
    const { envOrder: _dropped, ...byHand } = r;
    const json = formatParseJson(byHand);
    if (!json.ok) throw new Error(json.error.message);
    expect(Object.keys(json.runner.env).slice(-2)).toEqual(['NPM_TOKEN', 'ARTIFACTORY_PASSWORD']);
    expect(json.runner.env.OAUTH_CLIENT_SECRET).toBe('<redacted>');
    expect(Object.keys(json.runner.env).indexOf('OAUTH_CLIENT_SECRET')).toBe(Object.keys(json.runner.env).indexOf('OAUTH_CLIENT_ID') + 1);
  });

  it('the summary shows them masked with their length; without them the summary does not mention their values', () => {
    const r = ok(parseRunnerCommand(paste('extra-secrets.txt')));
    const text = describeParseResult(r);
    expect(text).toMatch(new RegExp(`NPM_TOKEN=••••••••\\(${IDS.npmToken.length}\\) \\(in the vault\\)`));
    expect(text).toMatch(new RegExp(`ARTIFACTORY_PASSWORD=••••••••\\(${IDS.artifactoryPassword.length}\\)`));
    expect(text).toContain('HTTPS_PROXY=http://proxy.example.test:3128');
    expect(describeSpec(r.spec, r.secret, r.extraSecrets)).toContain('NPM_TOKEN=••••••••');
    expect(describeSpec(r.spec)).not.toContain('NPM_TOKEN');
  });

  it("the form's view lists their names, never their values", () => {
    const r = ok(parseRunnerCommand(paste('extra-secrets.txt')));
    const view = toParsedCommandView(r, null);
    expect(view.valid && view.runner.envNames).toEqual([
      'ACCOUNT_UUID',
      'RUNNER_UUID',
      'RUNTIME_PREREQUISITES_ENABLED',
      'NPM_TOKEN',
      'OAUTH_CLIENT_ID',
      'WORKING_DIRECTORY',
      'ARTIFACTORY_PASSWORD',
      'HTTPS_PROXY',
    ]);
    const text = JSON.stringify(view);
    for (const secret of [IDS.secret, IDS.npmToken, IDS.artifactoryPassword]) expect(text).not.toContain(secret);
  });

  it.each([
    ['another variable', { before: `-it -e NPM_TOKEN=${IDS.npmToken} -e NOTE=x${IDS.npmToken}` }, '`-e NOTE`'],
    ['a bind', { before: `-it -e NPM_TOKEN=${IDS.npmToken} -v /cache/${IDS.npmToken}:/cache` }, 'a `-v` bind'],
    ['the arguments', { before: `-it -e NPM_TOKEN=${IDS.npmToken}`, after: IDS.npmToken }, 'the arguments after the image'],
  ])('its value also written in %s is refused: that part is stored in plain text', (_where, parts, place) => {
    const r = parseRunnerCommand(command({ ...parts, env: BASE_ENV }));
    expect(!r.ok && r.error.code).toBe('UNSAFE_COMMAND');
    expect(!r.ok && r.error.message).toContain(`The value of NPM_TOKEN also appears in ${place}`);
    expect(JSON.stringify(r)).not.toContain(IDS.npmToken);
  });

  it('a secret-looking NAME=value after the image is refused: Docker would pass it as an argument, stored in plain text', () => {
    const r = parseRunnerCommand(command({ after: `-e NPM_TOKEN=${IDS.npmToken}` }));
    expect(!r.ok && r.error.code).toBe('UNSAFE_COMMAND');
    expect(!r.ok && r.error.message).toMatch(/comes after the image and looks like a credential.*move `-e …` before the image/);
    expect(JSON.stringify(r)).not.toContain(IDS.npmToken);
    // Ordinary arguments are still passed on, with the usual warning.
    expect(ok(parseRunnerCommand(command({ after: '--restart=always' }))).spec.args).toEqual(['--restart=always']);
  });

  it('the same extra secret twice: the last wins, as in Docker', () => {
    const r = ok(parseRunnerCommand(command({ env: [...BASE_ENV, '-e NPM_TOKEN=first-made-up-value', `-e NPM_TOKEN=${IDS.npmToken}`] })));
    expect(r.extraSecrets.NPM_TOKEN!.reveal()).toBe(IDS.npmToken);
    expect(r.warnings.map((w) => w.code)).toEqual(['DUPLICATE_ENV', 'EXTRA_SECRET']);
  });
});
