/**
 * The loopback bridge's edges, over a real socket: what it refuses and with which status, the
 * headers every answer carries, session cookies and their lifetime. `dispatch` is a stand-in
 * (the handler table is not the point; test/e2e/serve.test.ts runs the real one).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sessions } from '../../../src/main/http-bridge/auth.js';
import { CONTENT_SECURITY_POLICY, startHttpBridge, type HttpBridge } from '../../../src/main/http-bridge/server.js';
import { ok } from '../../../src/shared/contract/result.js';

const TOKEN = 'unit-bridge-token-Hd7Kq2Lm9Zx4';
const root = mkdtempSync(join(tmpdir(), 'rt-bridge-'));
writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');

let bridge: HttpBridge;
const calls: string[] = [];

beforeAll(async () => {
  bridge = await startHttpBridge({
    dispatch: async (channel) => {
      calls.push(channel);
      return ok([]);
    },
    onEvent: () => () => undefined,
    staticRoot: root,
    token: TOKEN,
    maxBodyBytes: 1024,
  });
});
afterAll(async () => {
  await bridge?.close();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent: false, host: '127.0.0.1', port: bridge.port, method, path, headers: { Host: `127.0.0.1:${bridge.port}`, ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
          // An event stream never ends by itself: its first frame is enough.
          if (res.headers['content-type']?.startsWith('text/event-stream')) req.destroy();
        });
        const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        res.on('end', done);
        res.on('close', done);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const bearer = { Authorization: `Bearer ${TOKEN}` };
const json = { ...bearer, 'Content-Type': 'application/json' };

describe('http bridge refusals', () => {
  it('413 for a body over the limit, without calling the handler', async () => {
    const before = calls.length;
    const r = await send('POST', '/api/runners.list', json, JSON.stringify({ command: 'x'.repeat(4096) }));
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(calls.length).toBe(before);
  });

  it('415 for a body that is not JSON by its Content-Type', async () => {
    const r = await send('POST', '/api/runners.list', { ...bearer, 'Content-Type': 'text/plain' }, '{}');
    expect(r.status).toBe(415);
  });

  it('405 with Allow for the wrong method', async () => {
    const get = await send('GET', '/api/runners.list', bearer);
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const put = await send('PUT', '/index.html');
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD');
  });

  it('401 for the event stream without a token or session', async () => {
    expect((await send('GET', '/api/events')).status).toBe(401);
    expect((await send('GET', '/api/events', { Cookie: `runner_tray_session_${bridge.port}=guess` })).status).toBe(401);
  });

  it('403 for a cross-site request without Origin (Sec-Fetch-Site), and for a foreign Origin', async () => {
    expect((await send('POST', '/api/runners.list', { ...json, 'Sec-Fetch-Site': 'cross-site' }, '{}')).status).toBe(403);
    expect((await send('POST', '/api/runners.list', { ...json, Origin: 'http://evil.example' }, '{}')).status).toBe(403);
    expect((await send('POST', '/api/runners.list', { ...json, 'Sec-Fetch-Site': 'same-origin' }, '{}')).status).toBe(200);
  });

  it('403 for a Host that is not a loopback name (DNS rebinding); any local port is fine (SSH tunnels)', async () => {
    const rebound = await send(
      'POST',
      '/api/runners.list',
      { ...json, Host: `evil.example:${bridge.port}`, Origin: `http://evil.example:${bridge.port}` },
      '{}',
    );
    expect(rebound.status).toBe(403);
    expect((await send('GET', '/', { Host: 'attacker.test' })).status).toBe(403);
    for (const host of [`localhost:${bridge.port}`, '[::1]:9999', 'localhost:2222']) {
      expect((await send('POST', '/api/runners.list', { ...json, Host: host, Origin: `http://${host}` }, '{}')).status, host).toBe(200);
    }
  });
});

describe('http bridge headers and sessions', () => {
  it('sends the CSP and security headers on pages, API answers and refusals', async () => {
    for (const r of [await send('GET', '/'), await send('POST', '/api/runners.list', json, '{}'), await send('POST', '/api/runners.list', {}, '{}')]) {
      expect(r.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['x-frame-options']).toBe('DENY');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it('names the session cookie after its port, HttpOnly and SameSite=Strict, and accepts it', async () => {
    const r = await send('POST', '/api/session', bearer);
    expect(r.status).toBe(204);
    const cookie = String(r.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^runner_tray_session_${bridge.port}=[A-Za-z0-9_-]{40,}; HttpOnly; SameSite=Strict; Path=/`));
    const pair = cookie.split(';')[0]!;
    expect((await send('POST', '/api/runners.list', { 'Content-Type': 'application/json', Cookie: pair }, '{}')).status).toBe(200);
    // Another dashboard's cookie name with this value is not this dashboard's session.
    const other = pair.replace(`_${bridge.port}=`, '_1=');
    expect((await send('POST', '/api/runners.list', { 'Content-Type': 'application/json', Cookie: other }, '{}')).status).toBe(401);
  });

  it('ends a session left idle for 12 hours; use keeps it alive', () => {
    let now = 0;
    const s = new Sessions('a-token-of-enough-length-123', { now: () => now });
    const idle = s.open();
    const used = s.open();
    for (let h = 1; h <= 12; h++) {
      now = h * 3_600_000 - 1;
      expect(s.has(used)).toBe(true);
    }
    now = 12 * 3_600_000 + 1;
    expect(s.has(idle)).toBe(false);
    expect(s.has(used)).toBe(true);
    now += 12 * 3_600_000 + 1;
    expect(s.has(used)).toBe(false);
  });
});
