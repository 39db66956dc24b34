/**
 * The stand-in for `docker:<version>-dind`, which cannot be pulled offline: a busybox rootfs whose
 * process stays up (and leaves on SIGTERM, so pods go quickly) and a `docker` that answers the
 * sidecar's `docker info` startup probe. It runs no engine: the stand-in runner needs none.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUSYBOX = '/bin/busybox';
const DOCKER_CLIENT = '/usr/local/bin/docker';

const DOCKER_SCRIPT = `#!/bin/sh
# stand-in docker client: only \`docker info\`, the startup probe's command
case "$1" in
  info) echo "Server Version: $STANDIN_DIND_VERSION (runner-tray stand-in dind)"; exit 0 ;;
  *) echo "stand-in dind: only 'docker info' is supported" >&2; exit 1 ;;
esac
`;

const ENTRYPOINT = `#!/bin/sh
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
`;

/** Import the stand-in into the engine at `dockerHost` as `docker:<version>-dind`. */
export function buildStandinDind(dockerHost: string, version: string): string {
  const tag = `docker:${version}-dind`;
  const work = mkdtempSync(join(tmpdir(), 'rt-dind-'));
  try {
    const root = join(work, 'rootfs');
    for (const d of ['bin', 'usr/local/bin', 'tmp', 'var/run', 'var/lib/docker/containers']) mkdirSync(join(root, d), { recursive: true });
    copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    for (const applet of ['sh', 'sleep', 'echo', 'cat', 'ls']) symlinkSync('/bin/busybox', join(root, 'bin', applet));
    writeFileSync(join(root, 'usr/local/bin/docker'), DOCKER_SCRIPT, { mode: 0o755 });
    writeFileSync(join(root, 'dind.sh'), ENTRYPOINT, { mode: 0o755 });
    const tar = join(work, 'rootfs.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    execFileSync(
      DOCKER_CLIENT,
      ['import', '-c', 'ENTRYPOINT ["/bin/sh", "/dind.sh"]', '-c', 'ENV PATH=/usr/local/bin:/bin', '-c', `ENV STANDIN_DIND_VERSION=${version}`, tar, tag],
      { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    return tag;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The node engine's version as the kubelet reports it (`docker://<this>`). */
export function engineVersion(dockerHost: string): string {
  return execFileSync(DOCKER_CLIENT, ['version', '--format', '{{.Server.Version}}'], {
    env: { ...process.env, DOCKER_HOST: dockerHost },
    encoding: 'utf8',
  }).trim();
}
