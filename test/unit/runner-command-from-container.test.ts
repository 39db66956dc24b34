/**
 * A runner container read back from `docker inspect` goes through the paste's own checks: same
 * spec as the pasted command that made it, secrets apart, and the same refusals, masked.
 */
import { describe, expect, it } from 'vitest';
import { asHandMade } from '../../src/main/docker/hand-made-containers.js';
import { handMadeNotice } from '../../src/main/runners/import-notice.js';
import { parseHandMadeContainer, type HandMadeContainer } from '../../src/shared/runner-command/from-container.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { command, IDS, IMAGE } from './../support/pastes.js';

const ENV = [
  `ACCOUNT_UUID=${IDS.account}`,
  `RUNNER_UUID=${IDS.runner}`,
  'RUNTIME_PREREQUISITES_ENABLED=true',
  `OAUTH_CLIENT_ID=${IDS.clientId}`,
  `OAUTH_CLIENT_SECRET=${IDS.secret}`,
  'WORKING_DIRECTORY=/tmp',
];

const container = (over: Partial<HandMadeContainer> = {}): HandMadeContainer => ({
  name: IDS.name,
  image: IMAGE,
  env: ENV,
  binds: ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock'],
  args: [],
  ...over,
});

describe('parseHandMadeContainer', () => {
  it('gives the spec the pasted command that made the container gives, the secret apart', () => {
    const fromContainer = parseHandMadeContainer(container());
    const fromPaste = parseRunnerCommand(command());
    expect(fromContainer.ok && fromPaste.ok).toBe(true);
    if (!fromContainer.ok || !fromPaste.ok) return;
    expect(fromContainer.spec).toEqual(fromPaste.spec);
    expect(fromContainer.secret.reveal()).toBe(IDS.secret);
    expect(JSON.stringify(fromContainer.spec)).not.toContain(IDS.secret);
  });

  it('keeps a secret-looking extra variable out of the spec, for the vault', () => {
    const parsed = parseHandMadeContainer(container({ env: [...ENV, `NPM_TOKEN=${IDS.npmToken}`] }));
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(Object.keys(parsed.extraSecrets)).toEqual(['NPM_TOKEN']);
    expect(parsed.spec.env).not.toHaveProperty('NPM_TOKEN');
    expect(JSON.stringify(parsed.spec)).not.toContain(IDS.npmToken);
  });

  it('refuses a container without the runner variables, naming the one missing', () => {
    const parsed = parseHandMadeContainer(container({ env: ENV.filter((e) => !e.startsWith('OAUTH_CLIENT_ID=')) }));
    expect(parsed).toMatchObject({ ok: false, error: { code: 'MISSING_ENV', variable: 'OAUTH_CLIENT_ID' } });
  });

  it('refuses the secret written elsewhere (it would land in settings), without showing it', () => {
    const parsed = parseHandMadeContainer(container({ env: [...ENV, `NOTE=${IDS.secret}`] }));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('UNSAFE_COMMAND');
    expect(parsed.error.message).not.toContain(IDS.secret);
    expect(parsed.error.message).not.toContain(IDS.secret.slice(0, 16));
  });

  it('reads values as Docker holds them: quotes, spaces and `$` are not shell text here', () => {
    const parsed = parseHandMadeContainer(container({ env: [...ENV, 'JAVA_OPTS=-Xmx2g -Dfoo="a b" $HOME'] }));
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.spec.env.JAVA_OPTS).toBe('-Xmx2g -Dfoo="a b" $HOME');
  });
});

describe('asHandMade', () => {
  const info = (env: string[], cmd: string[] | null) =>
    ({ Name: `/${IDS.name}`, Config: { Image: IMAGE, Env: env, Cmd: cmd }, HostConfig: { Binds: ['/tmp:/tmp'] } }) as never;

  it('leaves out what the image sets itself (its variables, its default command)', () => {
    const c = asHandMade(info(['PATH=/usr/bin', ...ENV], ['/run.sh']), { env: ['PATH=/usr/bin'], cmd: ['/run.sh'] });
    expect(c).toEqual({ name: IDS.name, image: IMAGE, env: ENV, binds: ['/tmp:/tmp'], args: [] });
  });

  it("keeps a variable the user changed from the image's value, and arguments given after the image", () => {
    const c = asHandMade(info(['PATH=/opt/bin', ...ENV], ['--debug']), { env: ['PATH=/usr/bin'], cmd: ['/run.sh'] });
    expect(c.env).toContain('PATH=/opt/bin');
    expect(c.args).toEqual(['--debug']);
  });
});

describe('handMadeNotice', () => {
  const candidate = { containerId: 'c1', name: 'runner-a', image: IMAGE, state: 'running', runnerUuid: IDS.runner };
  it('says nothing when there is nothing to import', () => {
    expect(handMadeNotice([])).toBeNull();
  });
  it('says how many, which, and how to import them', () => {
    const line = handMadeNotice([candidate, { ...candidate, containerId: 'c2', name: 'other', problem: 'no ACCOUNT_UUID' }]);
    expect(line).toMatch(/^2 runner container\(s\) started by hand.*runner-a, other.*runner-tray import --all.*runner-tray import runner-a/);
  });
});
