/**
 * A container's log as text, through the engine API. Runner containers are created with
 * Tty:false, so the stream is multiplexed (8-byte frame headers) and must be demuxed.
 */
import { PassThrough, type Readable } from 'node:stream';
import type Docker from 'dockerode';

export interface ReadLogOptions {
  /** Last N lines only (the engine counts); default all. */
  tail?: number;
  /** Prefix each line with the engine's RFC3339Nano timestamp. */
  timestamps?: boolean;
}

function logQuery(options: ReadLogOptions) {
  return {
    stdout: true,
    stderr: true,
    timestamps: options.timestamps ?? false,
    ...(options.tail === undefined ? {} : { tail: options.tail }),
  } as const;
}

/** The log so far, stdout and stderr interleaved as the engine stored them. */
export async function readContainerLog(docker: Docker, containerId: string, options: ReadLogOptions = {}): Promise<string> {
  const raw = (await docker.getContainer(containerId).logs({ ...logQuery(options), follow: false })) as unknown as Buffer;
  return demuxBuffer(raw).toString('utf8');
}

export interface FollowLogOptions extends ReadLogOptions {
  /** Only lines from this point on: the engine's `<seconds>.<nanoseconds>` (see `monitor/docker-time`). */
  since?: string | number;
  /** The container was created with a TTY: its stream is the raw log, not multiplexed. */
  tty?: boolean;
}

export interface LogFollower {
  /**
   * Resolves when the stream ends (container stopped, engine went away, or `stop()`), after the
   * last of its text was handed to `onText`.
   */
  readonly ended: Promise<void>;
  stop(): void;
}

/**
 * Follows the log; `onText` gets decoded chunks (not necessarily whole lines: see
 * `shared/line-splitter`). The one follower behind `logs --follow` and the runner monitor's
 * runner and step-container logs.
 */
export async function followContainerLog(
  docker: Docker,
  containerId: string,
  onText: (text: string) => void,
  options: FollowLogOptions = {},
): Promise<LogFollower> {
  const { since, tty, ...read } = options;
  const query = { ...logQuery(read), follow: true, ...(since === undefined ? {} : { since: since as number }) } as const;
  const stream = (await docker.getContainer(containerId).logs(query)) as unknown as Readable;
  const out = new PassThrough();
  out.setEncoding('utf8');
  out.on('data', (chunk: string) => onText(chunk));
  // Attached before anything can end the stream, so no end is missed; `out` ends after its
  // buffered text was delivered.
  const ended = new Promise<void>((resolve) => {
    out.once('end', resolve);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      out.end();
    };
    stream.once('end', finish);
    stream.once('close', finish);
    stream.once('error', finish);
  });
  if (tty) stream.pipe(out, { end: false });
  else docker.modem.demuxStream(stream, out, out);
  return {
    ended,
    stop: () => stream.destroy(),
  };
}

/** Strips the multiplexing headers of a non-followed log body (stream type, 3 zero bytes, uint32 size). */
export function demuxBuffer(raw: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const type = raw[offset];
    const size = raw.readUInt32BE(offset + 4);
    if ((type !== 0 && type !== 1 && type !== 2) || raw[offset + 1] !== 0 || offset + 8 + size > raw.length) {
      // Not multiplexed (a Tty container): the body is the log itself.
      return offset === 0 ? raw : Buffer.concat([...parts, raw.subarray(offset)]);
    }
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return parts.length === 0 ? raw : Buffer.concat(parts);
}
