/**
 * The loopback HTTP bridge of `runner-tray serve`: the built renderer, the contract's channels
 * as `POST /api/<channel>`, and pushed events as Server-Sent Events, all on 127.0.0.1 only.
 * It carries `dispatch` and the event hub without knowing any channel (see
 * `shared/contract/http-protocol.ts` for the wire protocol the page speaks).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ContractEvent } from '../../shared/contract/events.js';
import { API_PREFIX, EVENTS_PATH, SESSION_PATH, channelFromPath, dashboardUrl, sessionCookieName } from '../../shared/contract/http-protocol.js';
import { fail, httpStatusFor, type ErrorCode, type Result } from '../../shared/contract/result.js';
import { bearerOf, Sessions } from './auth.js';
import { lookupStatic } from './static-files.js';
import { METRICS_PATH, replyMetrics } from './metrics-server.js';

export interface HttpBridgeOptions {
  dispatch: (channel: string, payload: unknown) => Promise<Result<unknown>>;
  /** Subscribe to pushed events; returns the unsubscribe function. */
  onEvent: (listener: (event: ContractEvent) => void) => () => void;
  /** Directory of the built renderer (`dist/renderer`). */
  staticRoot: string;
  token: string;
  /** 0 picks a free port. */
  port?: number;
  /** Request bodies above this are refused with 413. Default 1 MiB (a runner command is ~1 KB). */
  maxBodyBytes?: number;
  /** SSE comment sent this often so proxies and tunnels keep the stream open. Default 15 s. */
  heartbeatMs?: number;
  /** An event stream that falls this far behind is closed; the page reconnects and refetches. Default 8 MiB. */
  maxBufferedBytes?: number;
  log?: (line: string) => void;
  /** A session unused for this long ends. Default 12 h. */
  sessionIdleMs?: number;
  /** `GET /metrics` (Prometheus text format), behind the same token as the API; absent: 404. */
  metrics?: () => string;
}

export interface HttpBridge {
  port: number;
  /** `http://127.0.0.1:<port>/#token=<token>`. */
  pageUrl: string;
  /** Open event streams, for tests and status. */
  readonly streamCount: number;
  close(): Promise<void>;
}

export const HOST = '127.0.0.1';

/** Scripts only from this origin, no inline code, no framing, no plug-ins; the page only talks to us. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

class BodyTooLarge extends Error {}

/**
 * Names a browser uses for this machine. A page on another name that resolves here (DNS
 * rebinding) sends its own name in `Host` and is refused. The port is not pinned: an SSH tunnel
 * may listen on any local port and the browser names that one.
 */
const LOOPBACK_HOST = /^(?:127\.0\.0\.1|localhost|\[::1\])(?::\d{1,5})?$/i;

export function loopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

export async function startHttpBridge(options: HttpBridgeOptions): Promise<HttpBridge> {
  const sessions = new Sessions(options.token, options.sessionIdleMs !== undefined ? { idleMs: options.sessionIdleMs } : {});
  // Known once listening; requests only arrive after that.
  let cookieName = '';
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const log = options.log ?? (() => undefined);
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const offEvents = options.onEvent((event) => {
    if (streams.size === 0) return;
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const res of streams) {
      if (res.writableLength > maxBuffered) {
        // A stalled reader: drop it rather than hold memory; EventSource reconnects and the page resyncs.
        streams.delete(res);
        res.destroy();
        continue;
      }
      res.write(frame);
    }
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': ping\n\n');
  }, options.heartbeatMs ?? 15_000);
  heartbeat.unref();

  function reply(res: ServerResponse, status: number, body: Result<unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' }).end(text);
  }

  function refuse(res: ServerResponse, status: number, code: ErrorCode, message: string): void {
    reply(res, status, fail(code, message));
  }

  /** Same origin only: the page's own Origin names the Host it was loaded from, whatever port a tunnel uses. */
  function crossOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return req.headers['sec-fetch-site'] === 'cross-site';
    return origin !== `http://${req.headers.host ?? ''}`;
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) throw new BodyTooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) throw new BodyTooLarge();
      chunks.push(chunk as Buffer);
    }
    if (size === 0) return {};
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;

    if (!loopbackHost(req.headers.host)) {
      req.resume();
      refuse(res, 403, 'UNAUTHORIZED', 'This dashboard answers only to 127.0.0.1, localhost or [::1] (an SSH tunnel to it works on any local port).');
      return;
    }
    if (crossOrigin(req)) {
      refuse(res, 403, 'UNAUTHORIZED', 'Cross-origin requests are refused: open the dashboard from the address `runner-tray serve` printed.');
      return;
    }

    if (path === SESSION_PATH) {
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      req.resume();
      if (!sessions.tokenMatches(bearerOf(req.headers.authorization))) {
        refuse(res, 401, 'UNAUTHORIZED', 'Wrong or missing token: send `Authorization: Bearer <token>` with the token `runner-tray serve` printed.');
        return;
      }
      res
        .writeHead(204, {
          ...SECURITY_HEADERS,
          'Cache-Control': 'no-store',
          'Set-Cookie': `${cookieName}=${sessions.open()}; HttpOnly; SameSite=Strict; Path=/`,
        })
        .end();
      return;
    }

    if (path === EVENTS_PATH) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      if (!sessions.authorised(req.headers, cookieName)) {
        refuse(res, 401, 'UNAUTHORIZED', 'Open the dashboard link with #token= first (or send the Bearer token).');
        return;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n: connected\n\n');
      streams.add(res);
      const done = () => streams.delete(res);
      req.on('close', done);
      res.on('close', done);
      return;
    }

    if (path === METRICS_PATH && options.metrics) {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      if (!sessions.authorised(req.headers, cookieName)) {
        refuse(
          res,
          401,
          'UNAUTHORIZED',
          'Send `Authorization: Bearer <token>` with the token `runner-tray serve` uses (RUNNER_TRAY_TOKEN), or serve the metrics without one on --metrics-listen HOST:PORT.',
        );
        return;
      }
      replyMetrics(res, options.metrics, SECURITY_HEADERS);
      return;
    }

    if (path.startsWith(API_PREFIX)) {
      const channel = channelFromPath(path);
      if (channel === null) {
        refuse(res, 404, 'UNKNOWN_CHANNEL', `No API at ${path.slice(0, 80)}; channels are POST ${API_PREFIX}<area>.<verb>.`);
        return;
      }
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      if (!sessions.authorised(req.headers, cookieName)) {
        req.resume();
        refuse(
          res,
          401,
          'UNAUTHORIZED',
          'No valid session: open the link `runner-tray serve` printed (with #token=), or send `Authorization: Bearer <token>`.',
        );
        return;
      }
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== '' && type !== 'application/json') {
        req.resume();
        refuse(res, 415, 'INVALID_INPUT', 'Send the request body as JSON with `Content-Type: application/json`.');
        return;
      }
      let payload: unknown;
      try {
        payload = await readJson(req);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          refuse(res, 413, 'INVALID_INPUT', `The request body is larger than ${maxBody} bytes; a runner command is about 1 KB.`);
          req.destroy();
        } else {
          refuse(res, 400, 'INVALID_INPUT', 'The request body is not valid JSON.');
        }
        return;
      }
      const result = await options.dispatch(channel, payload);
      reply(res, httpStatusFor(result), result);
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, 'GET, HEAD');
    const found = await lookupStatic(options.staticRoot, path);
    if (!found.ok) {
      res
        .writeHead(found.status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' })
        .end(found.status === 404 ? 'Not found\n' : 'Bad request\n');
      return;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': found.file.contentType,
      'Content-Length': found.file.body.length,
      'Cache-Control': found.file.cacheControl,
    });
    res.end(req.method === 'HEAD' ? undefined : found.file.body);
  }

  function methodNotAllowed(res: ServerResponse, allow: string): void {
    res.setHeader('Allow', allow);
    refuse(res, 405, 'INVALID_INPUT', `Use ${allow} here.`);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log(`http: ${req.method} ${(req.url ?? '').split('?')[0]} failed: ${(e as Error).message}`);
      if (!res.headersSent) refuse(res, 500, 'INTERNAL', 'The dashboard server failed on this request; see the service log.');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Slow-loris guard: a request must arrive whole within this time (SSE responses are unaffected).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  cookieName = sessionCookieName(port);

  return {
    port,
    pageUrl: dashboardUrl(port, options.token),
    get streamCount() {
      return streams.size;
    },
    async close() {
      offEvents();
      clearInterval(heartbeat);
      for (const res of streams) res.end();
      streams.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
