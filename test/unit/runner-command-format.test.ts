import { describe, expect, it } from 'vitest';
import {
  describeParseResult,
  describeSpec,
  formatParseJson,
  looksLikeRunnerCommand,
  parseRunnerCommand,
  redactPaste,
} from '../../src/shared/runner-command/index.js';
import { IDS, IMAGE, allPastes, command, paste } from '../support/pastes.js';

describe('formatParseJson: the `parse-command --json` shape', () => {
  it('a repository runner: every field, env in the order given with the secret redacted', () => {
    const json = formatParseJson(parseRunnerCommand(paste('wizard-oneline-repository.txt')));
    expect(json).toEqual({
      ok: true,
      runner: {
        kind: 'repository',
        accountUuid: IDS.account,
        repositoryUuid: IDS.repository,
        runnerUuid: IDS.runner,
        name: IDS.name,
        image: IMAGE,
        oauthClientId: IDS.clientId,
        workingDirectory: '/tmp',
        env: {
          ACCOUNT_UUID: IDS.account,
          REPOSITORY_UUID: IDS.repository,
          RUNNER_UUID: IDS.runner,
          RUNTIME_PREREQUISITES_ENABLED: 'true',
          OAUTH_CLIENT_ID: IDS.clientId,
          OAUTH_CLIENT_SECRET: '<redacted>',
          WORKING_DIRECTORY: '/tmp',
        },
        binds: ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/containers:/var/lib/docker/containers:ro'],
        args: [],
      },
      warnings: [],
    });
    if (!json.ok) return;
    expect(Object.keys(json.runner.env)).toEqual([
      'ACCOUNT_UUID',
      'REPOSITORY_UUID',
      'RUNNER_UUID',
      'RUNTIME_PREREQUISITES_ENABLED',
      'OAUTH_CLIENT_ID',
      'OAUTH_CLIENT_SECRET',
      'WORKING_DIRECTORY',
    ]);
  });

  it('a workspace runner has repositoryUuid null; warnings carry code and message only', () => {
    const json = formatParseJson(parseRunnerCommand(command({ after: '--restart=always' })));
    expect(json.ok && json.runner.repositoryUuid).toBeNull();
    expect(json.ok && json.runner.kind).toBe('workspace');
    expect(json.ok && json.warnings).toEqual([{ code: 'ARGS_AFTER_IMAGE', message: expect.stringContaining('--restart=always') }]);
  });

  it('errors: code, message and variable when there is one', () => {
    expect(formatParseJson(parseRunnerCommand(command({ env: [`-e ACCOUNT_UUID=${IDS.account}`] })))).toEqual({
      ok: false,
      error: { code: 'MISSING_ENV', message: expect.stringContaining('RUNNER_UUID'), variable: 'RUNNER_UUID' },
    });
    const noVariable = formatParseJson(parseRunnerCommand('hello'));
    expect(noVariable).toEqual({ ok: false, error: { code: 'NOT_A_RUNNER_COMMAND', message: expect.any(String) } });
    expect(Object.keys(noVariable.ok ? {} : noVariable.error)).toEqual(['code', 'message']);
  });
});

describe('describeSpec / describeParseResult: the human-readable summary', () => {
  it('shows every field, the secret only as a mask with its length', () => {
    const r = parseRunnerCommand(paste('multiline-quoted.txt'));
    if (!r.ok) throw new Error(r.error.message);
    const text = describeSpec(r.spec, r.secret);
    expect(text).toContain('workspace runner');
    for (const value of [IDS.runner, IDS.account, IDS.name, IMAGE, IDS.clientId, '/tmp:/tmp', 'JAVA_OPTS=-Xmx256m -Xms128m']) {
      expect(text).toContain(value);
    }
    expect(text).toMatch(/OAuth secret\s+••••••••\(64\)/);
    expect(text).not.toContain(IDS.secret);
  });

  it('includes warnings with their codes, or the error', () => {
    const withWarning = describeParseResult(parseRunnerCommand(command({ after: '--restart=always' })));
    expect(withWarning).toMatch(/Warnings:\n {2}- .*--restart=always.*\[ARGS_AFTER_IMAGE\]/);
    expect(describeParseResult(parseRunnerCommand('docker ps'))).toMatch(/^Error \(NOT_A_RUNNER_COMMAND\): This is `docker ps`/);
  });
});

describe('looksLikeRunnerCommand: the cheap clipboard check', () => {
  it.each(allPastes().filter(([name]) => !name.endsWith('-runner.txt')))('recognises %s', (_name, text) => {
    expect(looksLikeRunnerCommand(text)).toBe(true);
  });

  it.each(['', 'docker run hello-world', 'hello RUNNER_UUID', 'git commit -m "docker run"', 'x'.repeat(200_000)])('ignores %j', (text) => {
    expect(looksLikeRunnerCommand(text)).toBe(false);
  });
});

describe('redactPaste: a preview of what was pasted', () => {
  it('masks the secret, keeps everything else as pasted', () => {
    const text = paste('multiline-quoted.txt');
    const preview = redactPaste(text);
    expect(preview).toBe(text.replace(IDS.secret, '••••••••(64)'));
  });

  it('masks the secrets of the Linux Shell, macOS and Windows runner commands too', () => {
    for (const name of ['linux-shell-runner.txt', 'macos-runner.txt', 'windows-runner.txt']) {
      const preview = redactPaste(paste(name));
      expect(preview, name).not.toContain(IDS.secret);
      expect(preview, name).toContain('••••••••(64)');
      expect(preview, name).toContain(IDS.clientId);
    }
  });

  it('masks a secret separated from its name by a damaged paste, but not the client id', () => {
    const damaged = command().replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, `OAUTH_CLIENT_SECRET= ${IDS.secret}`);
    const preview = redactPaste(damaged);
    expect(preview).not.toContain(IDS.secret);
    expect(preview).toContain(`OAUTH_CLIENT_ID=${IDS.clientId}`);
    expect(preview).toContain(IDS.name);
  });
});

describe('a secret written anywhere besides OAUTH_CLIENT_SECRET is refused', () => {
  const secretEnv = [
    `-e ACCOUNT_UUID=${IDS.account}`,
    `-e RUNNER_UUID=${IDS.runner}`,
    `-e OAUTH_CLIENT_ID=${IDS.clientId}`,
    `-e OAUTH_CLIENT_SECRET=${IDS.secret}`,
  ];
  it.each([
    ['another variable', command({ env: [...secretEnv, `-e NOTE=${IDS.secret}`] }), '`-e NOTE`'],
    ['the arguments', command({ env: secretEnv, after: IDS.secret }), 'the arguments after the image'],
    ['a bind', command({ env: secretEnv, before: `-v /tmp/${IDS.secret}:/x` }), 'a `-v` bind'],
  ])('in %s: UNSAFE_COMMAND, because the spec is stored in plain text', (_where, text, place) => {
    const r = parseRunnerCommand(text);
    expect(!r.ok && r.error.code).toBe('UNSAFE_COMMAND');
    expect(!r.ok && r.error.message).toContain(`also appears in ${place}`);
    expect(JSON.stringify(r)).not.toContain(IDS.secret);
  });
});
