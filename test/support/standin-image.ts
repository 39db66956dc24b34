/**
 * The stand-in for the Atlassian runner image, which cannot be pulled offline: a busybox rootfs
 * plus the static docker client (so it can start sibling step containers through the bound
 * socket) and `/runner.sh`, which replays the recorded logs in test/fixtures/runner-logs.
 * Tagged with the real image name so the app cannot tell the difference.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RUNNER_IMAGE } from '../../src/shared/runner-command/types.js';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURE_LOG_DIR = join(here, '..', 'fixtures', 'runner-logs');
export const STANDIN_IMAGE = RUNNER_IMAGE;
const BUSYBOX = '/bin/busybox';
const DOCKER_CLIENT = '/usr/local/bin/docker';
/** Zones a stand-in runner can be given with `-e TZ=…` (copied from the host's tzdata). */
export const STANDIN_TIME_ZONES = ['Asia/Kolkata', 'Europe/Warsaw', 'America/New_York'] as const;

/** Build the rootfs tar and `docker import` it into the engine at `dockerHost` as the runner image. */
export function buildStandinImage(dockerHost: string, tag: string = STANDIN_IMAGE): void {
  const work = mkdtempSync(join(tmpdir(), 'rt-standin-'));
  try {
    const root = join(work, 'rootfs');
    for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'usr/local/bin', 'tmp', 'etc', 'var/run', 'fixtures']) {
      mkdirSync(join(root, d), { recursive: true });
    }
    copyFileSync(BUSYBOX, join(root, 'bin/busybox'));
    chmodSync(join(root, 'bin/busybox'), 0o755);
    const applets = execFileSync(BUSYBOX, ['--list-full'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const path of applets) {
      if (path === 'bin/busybox') continue;
      mkdirSync(join(root, dirname(path)), { recursive: true });
      try {
        symlinkSync('/bin/busybox', join(root, path));
      } catch {
        /* duplicate applet path */
      }
    }
    copyFileSync(DOCKER_CLIENT, join(root, 'usr/local/bin/docker'));
    chmodSync(join(root, 'usr/local/bin/docker'), 0o755);
    copyFileSync(join(here, 'standin', 'runner.sh'), join(root, 'runner.sh'));
    chmodSync(join(root, 'runner.sh'), 0o755);
    cpSync(FIXTURE_LOG_DIR, join(root, 'fixtures'), { recursive: true });
    // Zone files so `-e TZ=…` works as in the real (glibc) runner image; busybox's date reads them.
    for (const zone of STANDIN_TIME_ZONES) {
      const from = join('/usr/share/zoneinfo', zone);
      if (!existsSync(from)) continue;
      mkdirSync(join(root, 'usr/share/zoneinfo', dirname(zone)), { recursive: true });
      copyFileSync(from, join(root, 'usr/share/zoneinfo', zone));
    }
    chmodSync(join(root, 'tmp'), 0o1777);

    const tar = join(work, 'rootfs.tar');
    execFileSync('tar', ['-C', root, '-cf', tar, '.']);
    // The test setup may use the docker CLI; the app never does.
    execFileSync(DOCKER_CLIENT, ['import', '-c', 'ENTRYPOINT ["/bin/sh", "/runner.sh"]', '-c', `LABEL runner-tray.standin=true`, tar, tag], {
      env: { ...process.env, DOCKER_HOST: dockerHost },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
