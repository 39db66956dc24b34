import { describe, expect, it } from 'vitest';
import { chooseDind, DEFAULT_DIND_VERSION, upstreamDockerVersion } from '../../../src/shared/k8s/index.js';

describe('dind version from the nodes', () => {
  it('maps node runtimes to upstream Docker versions', () => {
    expect(upstreamDockerVersion('docker://20.10.7')).toBe('20.10.7');
    expect(upstreamDockerVersion('docker://20.10.24+dfsg1')).toBe('20.10.24');
    expect(upstreamDockerVersion('docker://24.0.7-0ubuntu1')).toBe('24.0.7');
    expect(upstreamDockerVersion('docker://19.3.13')).toBe('19.3.13');
    expect(upstreamDockerVersion('containerd://1.7.2')).toBeNull();
    expect(upstreamDockerVersion('')).toBeNull();
  });

  it('docker://20.10.7 → docker:20.10.7-dind, with the reason', () => {
    const c = chooseDind({ nodes: [{ name: 'node-a', containerRuntimeVersion: 'docker://20.10.7' }] });
    expect(c.image).toBe('docker:20.10.7-dind');
    expect(c.reason).toBe("matches the nodes' Docker (docker://20.10.7 on node-a)");
  });

  it('distribution builds map to the upstream tag', () => {
    expect(chooseDind({ nodes: [{ name: 'a', containerRuntimeVersion: 'docker://20.10.24+dfsg1' }] }).image).toBe('docker:20.10.24-dind');
    expect(chooseDind({ nodes: [{ name: 'a', containerRuntimeVersion: 'docker://24.0.7-0ubuntu1' }] }).image).toBe('docker:24.0.7-dind');
  });

  it('mixed nodes: the most common version, the others named', () => {
    const c = chooseDind({
      nodes: [
        { name: 'a', containerRuntimeVersion: 'docker://24.0.7' },
        { name: 'b', containerRuntimeVersion: 'docker://24.0.7' },
        { name: 'c', containerRuntimeVersion: 'docker://20.10.7' },
      ],
    });
    expect(c.image).toBe('docker:24.0.7-dind');
    expect(c.reason).toContain('other nodes differ: c (docker 20.10.7)');
  });

  it('no Docker on the nodes, or no nodes readable: the pinned default, saying why', () => {
    const c = chooseDind({ nodes: [{ name: 'a', containerRuntimeVersion: 'containerd://1.7.2' }] });
    expect(c.image).toBe(`docker:${DEFAULT_DIND_VERSION}-dind`);
    expect(c.reason).toContain('do not run Docker: a (containerd://1.7.2)');
    expect(c.reason).toContain('--dind-version');
    const d = chooseDind({ nodes: null, nodesUnavailable: 'these credentials may not list nodes' });
    expect(d.version).toBe(DEFAULT_DIND_VERSION);
    expect(d.reason).toMatch(/^these credentials may not list nodes; using the pinned default/);
  });

  it('--dind-version and --dind-image win over the nodes, and are checked', () => {
    const nodes = [{ name: 'a', containerRuntimeVersion: 'docker://20.10.7' }];
    expect(chooseDind({ nodes, version: '25.0.3' })).toEqual({ image: 'docker:25.0.3-dind', version: '25.0.3', reason: '--dind-version 25.0.3 given' });
    expect(chooseDind({ nodes, image: 'mirror/docker:dind' }).image).toBe('mirror/docker:dind');
    expect(() => chooseDind({ version: 'latest' })).toThrow(/not a Docker version/);
  });
});
