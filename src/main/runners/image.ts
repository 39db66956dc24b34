/**
 * The runner image: present ⇒ start at once and, if asked (long-running hosts, not one-shot CLI
 * commands), look for a newer one in the background: the registry's digest for the tag against the
 * local image's, pulling only when they differ; absent ⇒ pull it, reporting progress; offline and
 * absent ⇒ IMAGE_UNAVAILABLE.
 */
import type Docker from 'dockerode';
import { engineMessage, statusCodeOf } from '../docker/engine-errors.js';
import { RunnerError } from './errors.js';
import type { RunnerEvent } from './events.js';

interface PullProgress {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

interface LocalImage {
  id: string;
  /** `repo@sha256:…` for each registry it was pulled from (empty for a built or imported image). */
  repoDigests: string[];
}

async function localImage(docker: Docker, image: string): Promise<LocalImage | null> {
  try {
    const info = (await docker.getImage(image).inspect()) as { Id: string; RepoDigests?: string[] | null };
    return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
  } catch (e) {
    if (statusCodeOf(e) === 404) return null;
    throw e;
  }
}

/** How long the background check may wait for the registry to name the tag's digest. */
const DIGEST_TIMEOUT_MS = 30_000;

/**
 * The digest the registry serves for the tag, asked through the engine (`GET /distribution/…/json`),
 * so the engine's registry settings and logins apply. One small request instead of a pull.
 */
async function remoteDigest(docker: Docker, image: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the registry did not answer within ${DIGEST_TIMEOUT_MS / 1000} s`)), DIGEST_TIMEOUT_MS);
    timer.unref();
  });
  try {
    const info = await Promise.race([docker.getImage(image).distribution(), timeout]);
    return info.Descriptor.digest;
  } finally {
    clearTimeout(timer);
  }
}

function pull(docker: Docker, image: string, onProgress: (p: PullProgress) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    // With a callback dockerode reports through it; the promise its types declare is not used.
    void docker.pull(image, (err: unknown, stream: NodeJS.ReadableStream | undefined) => {
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
  const before = await localImage(docker, image);
  if (before !== null) {
    if (!ctx.checkForUpdates) return { pulled: false };
    const updateCheck = (async () => {
      try {
        // Compare digests first: pulling an up-to-date image still costs a round trip per layer.
        const digest = await remoteDigest(docker, image);
        if (before.repoDigests.some((d) => d.endsWith(`@${digest}`))) {
          ctx.emit({ type: 'image-check', image, result: 'up-to-date' });
          return;
        }
        await pull(docker, image, () => undefined);
        const after = await localImage(docker, image);
        ctx.emit({ type: 'image-check', image, result: after?.id !== before.id ? 'newer-available' : 'up-to-date' });
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
  if ((await localImage(docker, image)) === null) {
    throw new RunnerError('IMAGE_UNAVAILABLE', `Pulling ${image} finished but the image is not there; start the runner again.`, ctx.runnerUuid);
  }
  return { pulled: true };
}
