/**
 * The registration function and the bridge's edges that need no engine: validation, error
 * mapping, what gets logged, static files, sessions. The handler table itself runs against
 * real services in test/e2e/serve.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDispatch } from '../../../src/main/api/dispatch.js';
import { Sessions } from '../../../src/main/http-bridge/auth.js';
import { lookupStatic } from '../../../src/main/http-bridge/static-files.js';
import { RunnerError } from '../../../src/main/runners/errors.js';
import type { ContractHandlers } from '../../../src/shared/contract/index.js';

const SECRET = 'unitMadeUpSecret_Lk9Jh8Gf7Ds6Aq5Wz4Xs3Ec2Rv1Tb0Yn-Um9Ik8Ol7Pp6';
const RUNNER = '{0d15ea5e-0000-4000-8000-00000000abcd}';

function handlers(overrides: Partial<ContractHandlers>): ContractHandlers {
  return new Proxy(overrides as ContractHandlers, {
    get: (t, k) =>
      (t as Record<string | symbol, unknown>)[k] ??
      (async () => {
        throw new Error('not in this test');
      }),
  });
}

describe('dispatch', () => {
  it('refuses a bad payload with INVALID_INPUT naming the field, without calling the handler', async () => {
    let called = false;
    const dispatch = createDispatch(
      handlers({
        'runners.start': async () => {
          called = true;
          throw new Error();
        },
      }),
    );
    const r = await dispatch('runners.start', { runnerUuid: 'nope' });
    expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    expect(!r.ok && r.error.message).toContain('"runnerUuid"');
    expect(called).toBe(false);
  });

  it('maps service errors to contract codes and keeps their advice', async () => {
    const dispatch = createDispatch(
      handlers({
        'runners.stop': async () => {
          throw new RunnerError('RUNNER_NOT_FOUND', 'No runner matches; add it with runner-tray add.');
        },
        'runners.start': async () => {
          throw new RunnerError('CONTAINER_CONFLICT', 'Use --adopt or --replace.');
        },
      }),
    );
    expect(await dispatch('runners.stop', { runnerUuid: RUNNER })).toEqual({
      ok: false,
      error: { code: 'NOT_FOUND', message: 'No runner matches; add it with runner-tray add.' },
    });
    expect(await dispatch('runners.start', { runnerUuid: RUNNER })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    expect(await dispatch('runners.explode', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_CHANNEL' } });
  });

  it('answers INTERNAL with a fixed message for a bug, and logs its details with the pasted secret masked', async () => {
    const lines: string[] = [];
    const command = `docker run -e OAUTH_CLIENT_SECRET=${SECRET} img`;
    const dispatch = createDispatch(
      handlers({
        'runners.parseCommand': async (req) => {
          throw new Error(`boom on ${req.command}`);
        },
      }),
      { log: (l) => lines.push(l) },
    );
    const r = await dispatch('runners.parseCommand', { command });
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^runners\.parseCommand INTERNAL \d+ms: /);
    expect(lines[0]).not.toContain(SECRET);
  });

  it('logs the channel and outcome of a good call, never its payload', async () => {
    const lines: string[] = [];
    const dispatch = createDispatch(handlers({ 'bitbucket.connect': async () => ({ connected: true, watchedRepositories: [] }) }), {
      log: (l) => lines.push(l),
    });
    const r = await dispatch('bitbucket.connect', { workspace: 'acme', email: 'dev@example.com', apiToken: SECRET });
    expect(r.ok).toBe(true);
    expect(lines.join('\n')).toMatch(/^bitbucket\.connect ok \d+ms$/);
  });
});

describe('static files', () => {
  const root = mkdtempSync(join(tmpdir(), 'rt-static-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html>');
  writeFileSync(join(root, 'assets', 'app-1a2b.js'), 'export {}');
  writeFileSync(join(tmpdir(), 'rt-outside.txt'), 'outside');
  symlinkSync(join(tmpdir(), 'rt-outside.txt'), join(root, 'escape.txt'));

  it('serves the page uncached and hashed assets cached, with their MIME types', async () => {
    const index = await lookupStatic(root, '/');
    expect(index).toMatchObject({ ok: true, file: { contentType: 'text/html; charset=utf-8', cacheControl: 'no-store' } });
    const js = await lookupStatic(root, '/assets/app-1a2b.js');
    expect(js).toMatchObject({ ok: true, file: { contentType: 'text/javascript; charset=utf-8', cacheControl: 'public, max-age=31536000, immutable' } });
  });

  it('never leaves the root: dot-dot, encoded, backslash, NUL, symlink', async () => {
    for (const path of [
      '/../package.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fetc%2fpasswd',
      '/assets/..\\..\\x',
      '/index.html%00.js',
      '/escape.txt',
      '/%E0%A4%A',
    ]) {
      const r = await lookupStatic(root, path);
      expect(r.ok, path).toBe(false);
    }
  });
});

describe('sessions', () => {
  it('accepts the token as Bearer and a session it opened as cookie, nothing else', () => {
    const s = new Sessions('a-token-of-enough-length-123');
    const id = s.open();
    expect(s.authorised({ authorization: 'Bearer a-token-of-enough-length-123' })).toBe(true);
    expect(s.authorised({ cookie: `x=1; runner_tray_session=${id}` })).toBe(true);
    expect(s.authorised({ authorization: 'Bearer a-token-of-enough-length-12' })).toBe(false);
    expect(s.authorised({ cookie: 'runner_tray_session=guess' })).toBe(false);
    expect(s.authorised({})).toBe(false);
    expect(() => new Sessions('short')).toThrow(/at least 16/);
  });
});
