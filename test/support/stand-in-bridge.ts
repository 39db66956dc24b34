/**
 * The loopback HTTP/SSE bridge protocol (`shared/contract/http-protocol.ts`)
 * served over a stand-in service, so the built renderer can be driven in real
 * Chromium before `runner-tray serve` exists. Static files come from dist/renderer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import {
  EVENTS_PATH,
  SESSION_COOKIE,
  SESSION_PATH,
  channelFromPath,
  dashboardUrl,
  fail,
  httpStatusFor,
  ok,
  validateRequest,
  type Channel,
  type ContractEvent,
  type Result,
} from '../../src/shared/contract/index.js';
import { StandInFailure, type StandInService } from './stand-in-service.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
};

export interface StandInBridge {
  url: string;
  /** The page URL with `#token=…`. */
  pageUrl: string;
  token: string;
  /** Every body the bridge sent (replies and events), for leak checks. */
  sent: string[];
  close(): Promise<void>;
}

export async function startStandInBridge(service: StandInService, root: string): Promise<StandInBridge> {
  const token = randomBytes(24).toString('base64url');
  const sessions = new Set<string>();
  const streams = new Set<ServerResponse>();
  const sent: string[] = [];

  const onEvent = (event: ContractEvent) => {
    const data = JSON.stringify(event);
    sent.push(data);
    for (const res of streams) res.write(`data: ${data}\n\n`);
  };
  service.events.on('event', onEvent);

  const authorised = (req: IncomingMessage): boolean => {
    if (req.headers.authorization === `Bearer ${token}`) return true;
    const cookie = /(?:^|;\s*)runner_tray_session=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    return cookie !== undefined && sessions.has(cookie);
  };

  const send = (res: ServerResponse, status: number, body: Result<unknown>) => {
    const text = JSON.stringify(body);
    sent.push(text);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }).end(text);
  };

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) {
      send(res, 403, fail('UNAUTHORIZED', 'Cross-origin requests are refused.'));
      return;
    }
    if (req.method === 'POST' && url.pathname === SESSION_PATH) {
      if (req.headers.authorization !== `Bearer ${token}`) {
        send(res, 401, fail('UNAUTHORIZED', 'Wrong or missing token.'));
        return;
      }
      const session = randomBytes(24).toString('base64url');
      sessions.add(session);
      res.writeHead(204, { 'Set-Cookie': `${SESSION_COOKIE}=${session}; HttpOnly; SameSite=Strict; Path=/` }).end();
      return;
    }
    if (req.method === 'GET' && url.pathname === EVENTS_PATH) {
      if (!authorised(req)) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive' });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const channel = channelFromPath(url.pathname);
    if (req.method === 'POST' && channel !== null) {
      if (!authorised(req)) {
        send(res, 401, fail('UNAUTHORIZED', 'Open the link with #token= first.'));
        return;
      }
      let body: unknown;
      try {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
      } catch {
        send(res, 400, fail('INVALID_INPUT', 'The request body is not JSON.'));
        return;
      }
      const valid = validateRequest(channel, body);
      if (!valid.ok) {
        send(res, httpStatusFor(valid), valid);
        return;
      }
      let result: Result<unknown>;
      try {
        const handler = service.handlers[channel as Channel] as (r: unknown) => Promise<unknown>;
        result = ok(await handler(valid.value));
      } catch (e) {
        result = e instanceof StandInFailure ? fail(e.code, e.message) : fail('INTERNAL', 'The stand-in service failed.');
      }
      send(res, httpStatusFor(result), result);
      return;
    }
    if (req.method === 'GET') {
      const rel = normalize(decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname)).replace(/^(\.\.[/\\])+/, '');
      try {
        const file = await readFile(join(root, rel));
        res.writeHead(200, { 'Content-Type': TYPES[extname(rel)] ?? 'application/octet-stream' }).end(file);
      } catch {
        res.writeHead(404).end('not found');
      }
      return;
    }
    res.writeHead(405).end();
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    pageUrl: dashboardUrl(port, token),
    token,
    sent,
    async close() {
      service.events.off('event', onEvent);
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
