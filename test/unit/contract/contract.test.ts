import { describe, expect, it } from 'vitest';
import {
  CHANNELS,
  channelFromPath,
  dashboardUrl,
  httpStatusFor,
  isContractEvent,
  stepUrl,
  toParsedCommandView,
  validateRequest,
} from '../../../src/shared/contract/index.js';
import { Secret } from '../../../src/shared/secret.js';
import type { RunnerSpec } from '../../../src/shared/runner-command/types.js';

const RUNNER = '{0b8f2d1e-5a4c-4e3b-9c7d-1f2e3a4b5c6d}';
const FAKE_SECRET = 'ATOA-made-up-secret-5f1c9e2b7a4d8c3e';

describe('contract request validation', () => {
  it('lists every channel the issue names', () => {
    for (const c of [
      'runners.list',
      'runners.parseCommand',
      'runners.add',
      'runners.start',
      'runners.stop',
      'runners.remove',
      'runners.logs.subscribe',
      'runners.logs.unsubscribe',
      'steps.list',
      'steps.queued',
      'host.preflight',
      'settings.get',
      'settings.update',
      'bitbucket.connect',
      'bitbucket.disconnect',
      'clipboard.peek',
      'clipboard.read',
    ])
      expect(CHANNELS).toContain(c);
  });

  it('accepts a valid payload and fills defaults', () => {
    const r = validateRequest('runners.add', { command: 'docker container run …' });
    expect(r).toEqual({ ok: true, value: { command: 'docker container run …', startNow: true, replaceExisting: false } });
  });

  it('names the bad field and how to fix it', () => {
    const r = validateRequest('runners.start', { runnerUuid: 'abc' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('INVALID_INPUT');
      expect(r.error.message).toContain('"runnerUuid"');
      expect(r.error.message).toContain('in braces');
    }
  });

  it('refuses unknown fields and unknown channels', () => {
    const extra = validateRequest('runners.list', { verbose: true });
    expect(!extra.ok && extra.error.message).toContain('"verbose"');
    const unknown = validateRequest('runners.explode', {});
    expect(!unknown.ok && unknown.error.code).toBe('UNKNOWN_CHANNEL');
    expect(httpStatusFor(unknown)).toBe(404);
  });

  it('does not echo a secret from a bad payload into the error', () => {
    const r = validateRequest('bitbucket.connect', { workspace: 'acme', email: FAKE_SECRET, apiToken: FAKE_SECRET });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain(FAKE_SECRET);
    const typed = validateRequest('runners.parseCommand', { command: 42, extra: FAKE_SECRET });
    expect(JSON.stringify(typed)).not.toContain(FAKE_SECRET);
  });

  it('wants exactly one of command and draftId for runners.add', () => {
    const both = validateRequest('runners.add', { command: 'x', draftId: 'd1' });
    expect(!both.ok && both.error.message).toMatch(/either "command".*or "draftId"/);
    const none = validateRequest('runners.add', {});
    expect(none.ok).toBe(false);
  });
});

describe('parseCommand reply', () => {
  const spec: RunnerSpec = {
    kind: 'repository',
    accountUuid: '{11111111-2222-4333-8444-555555555555}',
    repositoryUuid: '{66666666-7777-4888-9999-aaaaaaaaaaaa}',
    runnerUuid: RUNNER,
    name: 'runner-0b8f2d1e-5a4c-4e3b-9c7d-1f2e3a4b5c6d',
    image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
    oauthClientId: 'madeUpClientId123',
    workingDirectory: '/tmp',
    env: { WORKING_DIRECTORY: '/tmp', EXTRA_TOKEN: 'also-secret-value-xyz' },
    binds: ['/tmp:/tmp'],
    args: [],
  };

  it('masks the secret and drops env values', () => {
    const view = toParsedCommandView({ ok: true, spec, secret: new Secret(FAKE_SECRET), extraSecrets: {}, warnings: [] }, null);
    const text = JSON.stringify(view);
    expect(text).not.toContain(FAKE_SECRET);
    expect(text).not.toContain('also-secret-value-xyz');
    expect(view.valid && view.secretMasked).toBe('•'.repeat(FAKE_SECRET.length));
    expect(view.valid && view.runner.envNames).toEqual(['WORKING_DIRECTORY', 'EXTRA_TOKEN']);
  });

  it('passes the parser error through', () => {
    const view = toParsedCommandView({ ok: false, error: { code: 'MISSING_ENV', message: 'RUNNER_UUID is missing', variable: 'RUNNER_UUID' } }, null);
    expect(view).toEqual({ valid: false, error: { code: 'MISSING_ENV', message: 'RUNNER_UUID is missing', variable: 'RUNNER_UUID' } });
  });
});

describe('step link and bridge paths', () => {
  const step = { stepUuid: '{aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee}', workspace: 'acme', repoSlug: 'web-app', buildNumber: 42 };
  it('links to the step when Bitbucket ids are known', () => {
    expect(stepUrl(step)).toBe('https://bitbucket.org/acme/web-app/pipelines/results/42/steps/%7Baaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee%7D');
  });
  it('gives no link without a build number', () => {
    expect(stepUrl({ ...step, buildNumber: undefined })).toBeNull();
  });
  it('maps paths and urls', () => {
    expect(channelFromPath('/api/runners.logs.subscribe')).toBe('runners.logs.subscribe');
    expect(channelFromPath('/api/../etc')).toBeNull();
    expect(dashboardUrl(8123, 'tok')).toBe('http://127.0.0.1:8123/#token=tok');
    expect(isContractEvent({ type: 'runner.removed', runnerUuid: RUNNER })).toBe(true);
    expect(isContractEvent({ type: 'nope' })).toBe(false);
  });
});
