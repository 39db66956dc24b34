import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { discoverCandidates, socketPathOf, type DiscoveryEnv } from '../../../src/main/docker/candidates.js';

function env(over: Partial<DiscoveryEnv> & { files?: Record<string, string> } = {}): DiscoveryEnv {
  const files = over.files ?? {};
  return {
    env: over.env ?? {},
    platform: over.platform ?? 'linux',
    homedir: over.homedir ?? '/home/ann',
    readFile: (p) => files[p],
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('discoverCandidates', () => {
  it('uses DOCKER_HOST alone when set, as the docker CLI does', () => {
    const d = discoverCandidates(env({ env: { DOCKER_HOST: 'unix:///srv/d.sock' } }));
    expect(d.candidates).toEqual([{ host: 'unix:///srv/d.sock', source: 'DOCKER_HOST' }]);
    expect(d.explicit).toBe(true);
  });

  it('takes TLS settings for tcp:// from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH', () => {
    const d = discoverCandidates(env({ env: { DOCKER_HOST: 'tcp://10.0.0.5:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: '/certs' } }));
    expect(d.candidates[0]?.tls).toEqual({ verify: true, certPath: '/certs' });
  });

  it('follows the current context from ~/.docker/config.json to its meta.json endpoint', () => {
    const d = discoverCandidates(
      env({
        files: {
          '/home/ann/.docker/config.json': JSON.stringify({ currentContext: 'colima' }),
          [`/home/ann/.docker/contexts/meta/${sha('colima')}/meta.json`]: JSON.stringify({
            Name: 'colima',
            Endpoints: { docker: { Host: 'unix:///home/ann/.colima/default/docker.sock' } },
          }),
        },
      }),
    );
    expect(d.candidates).toEqual([{ host: 'unix:///home/ann/.colima/default/docker.sock', source: 'docker context "colima"' }]);
  });

  it('honours DOCKER_CONFIG and DOCKER_CONTEXT', () => {
    const d = discoverCandidates(
      env({
        env: { DOCKER_CONFIG: '/etc/dk', DOCKER_CONTEXT: 'remote' },
        files: {
          [`/etc/dk/contexts/meta/${sha('remote')}/meta.json`]: JSON.stringify({ Endpoints: { docker: { Host: 'tcp://build:2375' } } }),
        },
      }),
    );
    expect(d.candidates[0]?.host).toBe('tcp://build:2375');
  });

  it('notes a context without meta file and falls back to the defaults', () => {
    const d = discoverCandidates(env({ files: { '/home/ann/.docker/config.json': '{"currentContext":"gone"}' } }));
    expect(d.notes.join('\n')).toContain('docker context "gone"');
    expect(d.candidates[0]?.host).toBe('unix:///var/run/docker.sock');
  });

  it('treats the "default" context as no context', () => {
    const d = discoverCandidates(env({ files: { '/home/ann/.docker/config.json': '{"currentContext":"default"}' } }));
    expect(d.explicit).toBe(false);
    expect(d.notes).toEqual([]);
  });

  it('tries the system socket, Docker Desktop and rootless sockets on Linux', () => {
    const d = discoverCandidates(env({ env: { XDG_RUNTIME_DIR: '/run/user/1000' } }));
    expect(d.candidates.map((c) => c.host)).toEqual([
      'unix:///var/run/docker.sock',
      'unix:///home/ann/.docker/run/docker.sock',
      'unix:///home/ann/.docker/desktop/docker.sock',
      'unix:///run/user/1000/docker.sock',
    ]);
  });

  it('tries Docker Desktop on macOS', () => {
    const hosts = discoverCandidates(env({ platform: 'darwin', homedir: '/Users/ann' })).candidates.map((c) => c.host);
    expect(hosts).toContain('unix:///Users/ann/.docker/run/docker.sock');
  });

  it('uses the named pipe on Windows', () => {
    const d = discoverCandidates(env({ platform: 'win32', homedir: 'C:\\Users\\ann' }));
    expect(d.candidates[0]?.host).toBe('npipe:////./pipe/docker_engine');
    expect(socketPathOf(d.candidates[0]!.host)).toBe('//./pipe/docker_engine');
  });
});
