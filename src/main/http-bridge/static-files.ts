/**
 * The built renderer, served read-only from one directory. A request path is decoded,
 * resolved against the root and must stay inside it (symlinks included), so `..`, encoded
 * `%2e%2e`, backslashes and NUL bytes cannot reach any other file.
 */
import { realpath, readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticFile {
  body: Buffer;
  contentType: string;
  cacheControl: string;
}

export type StaticLookup = { ok: true; file: StaticFile } | { ok: false; status: 400 | 404 };

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

export async function lookupStatic(root: string, pathname: string): Promise<StaticLookup> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { ok: false, status: 400 };
  const rel = decoded === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { ok: false, status: 404 };
  }
  const candidate = resolve(realRoot, rel);
  if (!candidate.startsWith(realRoot + sep)) return { ok: false, status: 404 };
  try {
    const real = await realpath(candidate);
    if (!real.startsWith(realRoot + sep) || !(await stat(real)).isFile()) return { ok: false, status: 404 };
    const isIndex = real === resolve(realRoot, 'index.html');
    return {
      ok: true,
      file: {
        body: await readFile(real),
        contentType: contentTypeOf(real),
        // Vite names assets by content hash; the page itself must always be fresh.
        cacheControl: isIndex ? 'no-store' : rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      },
    };
  } catch {
    return { ok: false, status: 404 };
  }
}
