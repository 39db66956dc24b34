/**
 * `GET /metrics` for Prometheus: on the dashboard's port behind its token, or (opt-in,
 * `serve --metrics-listen HOST:PORT`) on a listener of its own that answers only that path,
 * without a token, for a scraper that cannot send one. The page holds names and counts, never a
 * secret, but it does name runners and pools: bind it where only the scraper reaches.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { EXPOSITION_CONTENT_TYPE } from '../metrics/exposition.js';

export const METRICS_PATH = '/metrics';

export function replyMetrics(res: ServerResponse, render: () => string, headers: Record<string, string> = {}): void {
  const body = render();
  res.writeHead(200, { ...headers, 'Content-Type': EXPOSITION_CONTENT_TYPE, 'Cache-Control': 'no-store' }).end(body);
}

export interface MetricsListener {
  host: string;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** HOST:PORT as `--metrics-listen` takes it (`[::1]:9464` for IPv6); null when it is not one. */
export function parseListen(text: string): { host: string; port: number } | null {
  const m = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+)):(\d{1,5})$/i.exec(text.trim());
  if (!m) return null;
  const port = Number(m[3]);
  if (port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}

export async function startMetricsListener(options: { host: string; port: number; render: () => string }): Promise<MetricsListener> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== METRICS_PATH) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Only ${METRICS_PATH} is served here.\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Use GET.\n');
      return;
    }
    replyMetrics(res, options.render);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    host: options.host,
    port,
    url: `http://${shown}:${port}${METRICS_PATH}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
