import { always, type PreflightCheck } from '../check.js';
import { formatBytes } from '../thresholds.js';
import type { Finding } from '../types.js';

/** Free space in Docker's data directory and each working directory. */
export const disk: PreflightCheck = {
  id: 'disk',
  applicable: always,
  check(facts, limits) {
    return facts.disks.map((d): Finding => {
      const dockerRoot = d.role === 'docker-root';
      const what = dockerRoot ? "Docker's data directory" : 'the working directory';
      const id = `disk:${d.path}`;
      if (d.freeBytes === null) {
        return { id, status: 'warn', message: `Free space in ${what} ${d.path} could not be read.`, fix: `Check that ${d.path} exists and is readable.` };
      }
      if (d.freeBytes < limits.diskFailBelow) {
        return {
          id,
          status: 'fail',
          message: `Only ${formatBytes(d.freeBytes)} free in ${what} ${d.path}; steps will fail with "no space left on device".`,
          fix: dockerRoot
            ? "Free space: docker system prune (removes stopped containers, unused networks and dangling images), or move Docker's data-root to a larger disk."
            : `Free space under ${d.path}, or move the working directory to a larger disk.`,
        };
      }
      if (d.freeBytes < limits.diskWarnBelow) {
        return {
          id,
          status: 'warn',
          message: `${formatBytes(d.freeBytes)} free in ${what} ${d.path}; images, caches and clones can need more.`,
          fix: dockerRoot ? "docker system prune, or a larger disk for Docker's data-root." : `Free space under ${d.path}.`,
        };
      }
      return { id, status: 'ok', message: `${formatBytes(d.freeBytes)} free in ${what} ${d.path}.` };
    });
  },
};
