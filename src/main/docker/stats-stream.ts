/**
 * Follows one container's streaming stats endpoint (`GET /containers/{id}/stats?stream=1`):
 * the engine pushes one JSON sample per second, like `docker stats`, so we never poll. Each
 * sample is reduced to CPU % and memory (`shared/container-stats`) before it leaves here.
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { containerUsage, type ContainerUsage, type DockerStatsSample } from '../../shared/container-stats.js';
import { jsonLines } from './json-lines.js';

export interface StatsStreamHandlers {
  onUsage(usage: ContainerUsage): void;
  /** The stream ended or failed (container removed, engine gone); not called after `close()`. */
  onEnd(reason: string): void;
}

export interface StatsStream {
  close(): void;
}

/** A sample line is a few KB; anything far larger is not a stats sample. */
const MAX_LINE = 1024 * 1024;

export function followContainerStats(docker: Docker, containerId: string, handlers: StatsStreamHandlers): StatsStream {
  let stream: Readable | null = null;
  let closed = false;
  let ended = false;

  const end = (reason: string) => {
    if (ended || closed) return;
    ended = true;
    stream?.destroy();
    handlers.onEnd(reason);
  };

  docker
    .getContainer(containerId)
    .stats({ stream: true })
    .then((s) => {
      const readable = s as unknown as Readable;
      if (closed) {
        readable.destroy();
        return;
      }
      stream = readable;
      readable.setEncoding('utf8');
      readable.on(
        'data',
        jsonLines<DockerStatsSample>((sample) => {
          if (!closed && !ended) handlers.onUsage(containerUsage(sample));
        }, MAX_LINE),
      );
      readable.once('error', (e: Error) => end(e.message));
      readable.once('end', () => end('the engine ended the stats stream'));
      readable.once('close', () => end('the engine closed the stats stream'));
    })
    .catch((e: unknown) => end((e as Error).message ?? String(e)));

  return {
    close() {
      if (closed) return;
      closed = true;
      stream?.destroy();
      stream = null;
    },
  };
}
