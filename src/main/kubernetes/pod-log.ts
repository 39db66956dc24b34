/**
 * The runner container's log through the API server (`pods/log`, as `kubectl logs [-f]`), with the
 * kubelet's RFC3339Nano timestamps, which the step-log parser reads like Docker's.
 */
import { PassThrough } from 'node:stream';
import { Log, type KubeConfig } from '@kubernetes/client-node';
import { RUNNER_CONTAINER } from '../../shared/k8s/names.js';

export interface PodLogFollower {
  /** Settles when the stream ends: the container exited, the pod went, or `stop()`. */
  ended: Promise<void>;
  stop(): void;
}

export interface PodLogOptions {
  /** RFC3339 (the API takes whole seconds): lines from then on. */
  sinceTime?: string;
  tailLines?: number;
  timestamps?: boolean;
}

/** Follows the runner container's log; `onText` gets chunks (not lines). */
export async function followPodLog(
  kc: KubeConfig,
  namespace: string,
  pod: string,
  onText: (text: string) => void,
  options: PodLogOptions = {},
): Promise<PodLogFollower> {
  const sink = new PassThrough();
  sink.setEncoding('utf8');
  let stopped = false;
  // Chunks still buffered when we stop are dropped: the caller reads the rest another way.
  sink.on('data', (d: string) => {
    if (!stopped) onText(d);
  });
  let done!: () => void;
  const ended = new Promise<void>((resolve) => (done = resolve));
  sink.on('end', () => done());
  sink.on('close', () => done());
  sink.on('error', () => done());
  const controller = await new Log(kc).log(namespace, pod, RUNNER_CONTAINER, sink, {
    follow: true,
    timestamps: options.timestamps ?? true,
    ...(options.sinceTime ? { sinceTime: options.sinceTime } : {}),
    ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
  });
  return {
    ended,
    stop() {
      stopped = true;
      controller.abort();
      sink.end();
      done();
    },
  };
}

/** `sinceTime` from a line's RFC3339Nano stamp: the API rounds to seconds, so the resume overlaps (dedupe by stamp). */
export function sinceSecond(timestamp: string): string {
  return timestamp.replace(/\.\d+(?=Z|[+-]\d\d:\d\d$)/, '');
}
