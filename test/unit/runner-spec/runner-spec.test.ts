import { describe, expect, it } from 'vitest';
import type { RunnerSpec } from '../../../src/shared/runner-command/types.js';
import { RUNNER_IMAGE } from '../../../src/shared/runner-command/types.js';
import { Secret } from '../../../src/shared/secret.js';
import { containerCreateOptions, engineBinds, perRunnerWorkDir, staleReasons, withWorkDir, type EngineBindFacts } from '../../../src/shared/runner-spec.js';

// Made-up identifiers, never the article's.
const RUNNER = '{0d9a4c1e-5b7f-4e2a-9c3d-8f1e2a3b4c5d}';
const SECRET = 'ATOAx9-made-up-secret-value-7Qm2Zp4Lk8Wn3Rt6Yv1Bc5Hs0Jd';

function spec(over: Partial<RunnerSpec> = {}): RunnerSpec {
  return {
    kind: 'repository',
    accountUuid: '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
    repositoryUuid: '{12345678-9abc-4def-8123-456789abcdef}',
    runnerUuid: RUNNER,
    name: 'runner-0d9a4c1e-5b7f-4e2a-9c3d-8f1e2a3b4c5d',
    image: RUNNER_IMAGE,
    oauthClientId: 'madeUpClientId0123456789abcdef',
    workingDirectory: '/tmp',
    env: {
      ACCOUNT_UUID: '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
      REPOSITORY_UUID: '{12345678-9abc-4def-8123-456789abcdef}',
      RUNNER_UUID: RUNNER,
      RUNTIME_PREREQUISITES_ENABLED: 'true',
      OAUTH_CLIENT_ID: 'madeUpClientId0123456789abcdef',
      WORKING_DIRECTORY: '/tmp',
    },
    binds: ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/containers:/var/lib/docker/containers:ro'],
    args: [],
    ...over,
  };
}

const linuxDefault: EngineBindFacts = {
  socketPath: '/var/run/docker.sock',
  local: true,
  dockerDesktop: false,
  dockerRootDir: '/var/lib/docker',
  osType: 'linux',
};

describe('containerCreateOptions', () => {
  const opts = containerCreateOptions({ spec: spec(), secret: new Secret(SECRET), engine: linuxDefault });

  it('creates the container as the pasted command would: name, image, env in order with the secret after the client id', () => {
    expect(opts.name).toBe('runner-0d9a4c1e-5b7f-4e2a-9c3d-8f1e2a3b4c5d');
    expect(opts.Image).toBe(RUNNER_IMAGE);
    expect(opts.Env).toEqual([
      'ACCOUNT_UUID={aa11bb22-cc33-4d44-8e55-ff6677889900}',
      'REPOSITORY_UUID={12345678-9abc-4def-8123-456789abcdef}',
      `RUNNER_UUID=${RUNNER}`,
      'RUNTIME_PREREQUISITES_ENABLED=true',
      'OAUTH_CLIENT_ID=madeUpClientId0123456789abcdef',
      `OAUTH_CLIENT_SECRET=${SECRET}`,
      'WORKING_DIRECTORY=/tmp',
    ]);
    expect(opts.HostConfig?.Binds).toEqual(spec().binds);
    expect(opts.Cmd).toBeUndefined();
  });

  it('labels it as ours, bounds its log and restarts it unless stopped', () => {
    expect(opts.Labels).toMatchObject({
      'runner-tray.runner': RUNNER,
      'runner-tray.kind': 'repository',
      'runner-tray.account': '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
      'runner-tray.managed': 'true',
    });
    expect(opts.HostConfig?.LogConfig).toEqual({ Type: 'json-file', Config: { 'max-size': '10m', 'max-file': '3' } });
    expect(opts.HostConfig?.RestartPolicy?.Name).toBe('unless-stopped');
  });

  it('keeps the secret out of everything but Env', () => {
    const { Env, ...rest } = opts;
    expect(JSON.stringify(rest)).not.toContain(SECRET);
    expect(JSON.stringify(rest)).not.toContain(SECRET.slice(0, 12));
    expect(Env?.filter((e) => e.includes(SECRET))).toHaveLength(1);
  });

  it('passes tokens after the image as the container arguments', () => {
    const o = containerCreateOptions({ spec: spec({ args: ['--restart=always'] }), secret: new Secret(SECRET), engine: linuxDefault });
    expect(o.Cmd).toEqual(['--restart=always']);
  });

  it('fingerprints settings but not the secret', () => {
    const a = containerCreateOptions({ spec: spec(), secret: new Secret(SECRET), engine: linuxDefault });
    const rotated = containerCreateOptions({ spec: spec(), secret: new Secret(SECRET + 'X'), engine: linuxDefault });
    const moved = containerCreateOptions({ spec: withWorkDir(spec(), '/srv/w'), secret: new Secret(SECRET), engine: linuxDefault });
    expect(rotated.Labels?.['runner-tray.spec']).toBe(a.Labels?.['runner-tray.spec']);
    expect(moved.Labels?.['runner-tray.spec']).not.toBe(a.Labels?.['runner-tray.spec']);
  });
});

describe('engineBinds', () => {
  const pasted = spec().binds;

  it('binds a private or rootless socket to /var/run/docker.sock', () => {
    const b = engineBinds(pasted, { ...linuxDefault, socketPath: '/run/user/1000/docker.sock' });
    expect(b).toContain('/run/user/1000/docker.sock:/var/run/docker.sock');
    expect(b).not.toContain('/var/run/docker.sock:/var/run/docker.sock');
  });

  it('binds <DockerRootDir>/containers read-only when the root is elsewhere', () => {
    const b = engineBinds(pasted, { ...linuxDefault, dockerRootDir: '/home/u/.local/share/docker' });
    expect(b).toContain('/home/u/.local/share/docker/containers:/var/lib/docker/containers:ro');
  });

  it('keeps the pasted paths for Docker Desktop, whose binds resolve inside its VM', () => {
    const b = engineBinds(pasted, {
      socketPath: '/Users/u/.docker/run/docker.sock',
      local: true,
      dockerDesktop: true,
      dockerRootDir: '/var/lib/docker',
      osType: 'linux',
    });
    expect(b).toEqual(pasted);
  });

  it('keeps the pasted paths for a remote engine (tcp), whose host is not ours', () => {
    expect(engineBinds(pasted, { socketPath: null, local: false, dockerDesktop: false, dockerRootDir: '/data/docker', osType: 'linux' })).toEqual(pasted);
  });
});

describe('withWorkDir', () => {
  it('moves WORKING_DIRECTORY and its same-path bind to the per-runner dir', () => {
    const dir = perRunnerWorkDir(RUNNER);
    expect(dir).toBe('/tmp/runner-tray/0d9a4c1e-5b7f-4e2a-9c3d-8f1e2a3b4c5d');
    const s = withWorkDir(spec(), dir);
    expect(s.workingDirectory).toBe(dir);
    expect(s.env.WORKING_DIRECTORY).toBe(dir);
    expect(s.binds).toContain(`${dir}:${dir}`);
    expect(s.binds).not.toContain('/tmp:/tmp');
    expect(s.binds).toContain('/var/run/docker.sock:/var/run/docker.sock');
  });
});

describe('staleReasons', () => {
  const expected = containerCreateOptions({ spec: spec(), secret: new Secret(SECRET), engine: linuxDefault });
  const labels = expected.Labels as Record<string, string>;

  it('is empty for a container created from the same spec and secret (image env merged in)', () => {
    expect(staleReasons(expected, { labels, env: ['PATH=/usr/bin', ...(expected.Env ?? [])] })).toEqual([]);
  });

  it('names a rotated secret without showing it', () => {
    const old = containerCreateOptions({ spec: spec(), secret: new Secret('old-made-up-secret-0000'), engine: linuxDefault });
    const r = staleReasons(expected, { labels, env: old.Env ?? [] });
    expect(r).toEqual(['secret changed']);
    expect(r.join(' ')).not.toContain(SECRET);
  });

  it('names changed settings', () => {
    expect(staleReasons(expected, { labels: { ...labels, 'runner-tray.spec': 'x' }, env: expected.Env ?? [] })).toEqual(['settings changed']);
  });
});
