/**
 * Stand-in for a container registry (the real one is unreachable here): a thin HTTP server on
 * 127.0.0.1 speaking the Docker Registry HTTP API v2 read path (`GET /v2/`, manifests by tag or
 * digest, blobs by digest) with OCI manifests. It serves images exported from the private dockerd,
 * so the app's real pull path (progress stream included) runs against it. Docker treats
 * 127.0.0.0/8 registries as insecure, so plain HTTP is accepted.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';

interface Served {
  manifest: Buffer;
  digest: string;
}

export interface LocalRegistry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  /** Serve `image` (from the engine) as `<name>:<tag>` here; replaces what the tag served before. */
  publish(docker: Docker, image: string, name: string, tag: string): Promise<void>;
  /** Requests seen, e.g. `GET /v2/sox/runner/manifests/1`. */
  readonly requests: string[];
  close(): Promise<void>;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const MANIFEST_TYPE = 'application/vnd.oci.image.manifest.v1+json';

export async function startLocalRegistry(): Promise<LocalRegistry> {
  const blobs = new Map<string, Buffer>();
  const tags = new Map<string, Served>(); // `<name>:<tag>` and `<name>@<digest>`
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    requests.push(`${req.method} ${url.pathname}`);
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      return;
    }
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNSUPPORTED"}]}');
      return;
    }
    const [, name, kind, ref] = m as unknown as [string, string, string, string];
    if (kind === 'manifests') {
      const served = tags.get(ref.startsWith('sha256:') ? `${name}@${ref}` : `${name}:${ref}`);
      if (!served) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
        return;
      }
      res.writeHead(200, { 'Content-Type': MANIFEST_TYPE, 'Content-Length': served.manifest.length, 'Docker-Content-Digest': served.digest });
      res.end(req.method === 'HEAD' ? undefined : served.manifest);
      return;
    }
    const blob = blobs.get(ref);
    if (!blob) {
      res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': blob.length, 'Docker-Content-Digest': ref });
    res.end(req.method === 'HEAD' ? undefined : blob);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    host,
    requests,
    async publish(docker, image, name, tag) {
      const dir = mkdtempSync(join(tmpdir(), 'rt-registry-'));
      try {
        const tar = join(dir, 'image.tar');
        const stream = await docker.getImage(image).get();
        const chunks: Buffer[] = [];
        for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
        writeFileSync(tar, Buffer.concat(chunks));
        execFileSync('tar', ['-C', dir, '-xf', tar]);
        const saved = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Array<{ Config: string; Layers: string[] }>;
        const entry = saved[0]!;
        const config = readFileSync(join(dir, entry.Config));
        blobs.set(sha(config), config);
        const layers = entry.Layers.map((l) => {
          const b = readFileSync(join(dir, l));
          blobs.set(sha(b), b);
          return { mediaType: 'application/vnd.oci.image.layer.v1.tar', size: b.length, digest: sha(b) };
        });
        const manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: MANIFEST_TYPE,
            config: { mediaType: 'application/vnd.oci.image.config.v1+json', size: config.length, digest: sha(config) },
            layers,
          }),
        );
        const served = { manifest, digest: sha(manifest) };
        tags.set(`${name}:${tag}`, served);
        tags.set(`${name}@${served.digest}`, served);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
