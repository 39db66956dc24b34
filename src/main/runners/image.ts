/**
 * The runner image: present ⇒ start at once and look for a newer one in the background;
 * absent ⇒ pull it, reporting progress; offline and absent ⇒ IMAGE_UNAVAILABLE.
 */
import type Docker from 'dockerode';
import { engineMessage, RunnerError, statusCodeOf } from './errors.js';
import type { RunnerEvent } from './events.js';

interface PullProgress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

async function imageId(docker: Docker, image: string): Promise<string | null> {
  try {
    const info = (await docker.getImage(image).inspect()) as { Id: string };
    return info.Id;
  } catch (e) {
    if (statusCodeOf(e) === 404) return null;
    throw e;
  }
}

function pull(docker: Docker, image: string, onProgress: (p: PullProgress) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.pull(image, (err: unknown, stream: NodeJS.ReadableStream | undefined) => {
      if (err || !stream) return reject(err ?? new Error('no pull stream'));
      docker.modem.followProgress(
        stream,
        (doneErr: unknown) => (doneErr ? reject(doneErr) : resolve()),
        (p: PullProgress) => onProgress(p),
      );
    });
  });
}

export interface EnsureImageResult {
  /** True when we had to pull it before starting. */
  pulled: boolean;
  /** The background update check, when the image was already present (never awaited by start). */
  updateCheck?: Promise<void>;
}

export async function ensureImage(
  docker: Docker,
  image: string,
  ctx: { runnerUuid: string; emit: (e: RunnerEvent) => void; checkForUpdates: boolean },
): Promise<EnsureImageResult> {
  const before = await imageId(docker, image);
  if (before !== null) {
    if (!ctx.checkForUpdates) return { pulled: false };
    const updateCheck = (async () => {
      try {
        await pull(docker, image, () => undefined);
        const after = await imageId(docker, image);
        ctx.emit({ type: 'image-check', image, result: after !== before ? 'newer-available' : 'up-to-date' });
      } catch (e) {
        ctx.emit({ type: 'image-check', image, result: 'failed', message: engineMessage(e) });
      }
    })();
    return { pulled: false, updateCheck };
  }
  try {
    await pull(docker, image, (p) => {
      const ev: RunnerEvent = { type: 'pull-progress', runnerUuid: ctx.runnerUuid, image, status: p.status ?? '' };
      if (p.id) ev.layer = p.id;
      if (p.progressDetail?.current !== undefined) ev.current = p.progressDetail.current;
      if (p.progressDetail?.total !== undefined) ev.total = p.progressDetail.total;
      ctx.emit(ev);
    });
  } catch (e) {
    throw new RunnerError(
      'IMAGE_UNAVAILABLE',
      `The runner image ${image} is not on this machine and could not be pulled (${engineMessage(e)}). ` +
        'Check the network connection and any proxy or registry login (`docker login`), then start the runner again.',
      ctx.runnerUuid,
    );
  }
  if ((await imageId(docker, image)) === null) {
    throw new RunnerError('IMAGE_UNAVAILABLE', `Pulling ${image} finished but the image is not there; start the runner again.`, ctx.runnerUuid);
  }
  return { pulled: true };
}
