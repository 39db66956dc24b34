/**
 * electron-builder.yml against electron-builder's own JSON schema (app-builder-lib/scheme.json),
 * offline: a typo in the installer config fails here, not on a release machine. Also what each OS
 * gets (formats, archs), the fuses, and the Windows icon, read as Windows would read it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

type Target = { target: string; arch?: string[] };
type Platform = { target: Target[]; icon: string };

describe('electron-builder.yml', () => {
  const { load } = require('js-yaml') as { load: (text: string) => unknown };
  const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
    files: string[];
    linux: Platform;
    mac: Platform;
    win: Platform;
    electronFuses: Record<string, boolean>;
    npmRebuild: boolean;
  };
  const targets = (p: Platform) => Object.fromEntries(p.target.map((t) => [t.target, t.arch ?? []]));

  // Compiling the schema (~1 MB) takes seconds on a loaded machine.
  it("is valid against electron-builder's schema", { timeout: 60_000 }, () => {
    const Ajv = require('ajv') as new (opts: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } };
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? null, JSON.stringify(validate.errors)).toBeNull();
    expect(ok).toBe(true);
  });

  it('packages built output only, and its icon exists', () => {
    expect(config.files.filter((f) => !f.startsWith('!'))).toEqual(['dist/**/*', 'package.json']);
    expect(config.files).toContain('!dist/**/*.map');
    expect(existsSync(join(root, config.linux.icon))).toBe(true);
  });

  it('builds AppImage, deb and rpm for Linux, dmg and zip (the auto-update format) for macOS, NSIS for Windows, each for x64 and arm64', () => {
    expect(targets(config.linux)).toEqual({ AppImage: ['x64', 'arm64'], deb: ['x64', 'arm64'], rpm: ['x64', 'arm64'] });
    expect(targets(config.mac)).toEqual({ dmg: ['x64', 'arm64'], zip: ['x64', 'arm64'] });
    expect(targets(config.win)).toEqual({ nsis: ['x64', 'arm64'] });
  });

  it('flips the fuses: no ELECTRON_RUN_AS_NODE, no NODE_OPTIONS, no --inspect; code only from an integrity-checked app.asar', () => {
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar with no asar would leave the app nothing to load.
    expect(config.asar).toBe(true);
  });

  it("electron-builder's own icon check accepts the Windows icon (a real ICO, 256 px at most)", async () => {
    expect(config.win.icon).toBe('assets/icon.ico');
    const { convertIcon } = require('app-builder-lib/out/util/iconConverter') as {
      convertIcon: (o: {
        sources: string[];
        fallbackSources: string[];
        roots: string[];
        format: string;
        outDir: string;
      }) => Promise<{ icons: Array<{ file: string; size: number }> }>;
    };
    const outDir = mkdtempSync(join(tmpdir(), 'ico-check-'));
    try {
      const { icons } = await convertIcon({ sources: [config.win.icon], fallbackSources: [], roots: [root], format: 'ico', outDir });
      expect(icons).toEqual([{ file: join(root, 'assets', 'icon.ico'), size: 256 }]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  });
});

/** Every entry of an ICO file, with the picture it holds decoded enough to check it is the icon. */
function readIco(file: Buffer) {
  expect(file.readUInt16LE(0)).toBe(0);
  expect(file.readUInt16LE(2)).toBe(1);
  const count = file.readUInt16LE(4);
  return Array.from({ length: count }, (_, i) => {
    const at = 6 + 16 * i;
    const size = file[at] || 256;
    expect(file[at + 1] || 256, 'square').toBe(size);
    expect(file.readUInt16LE(at + 6), 'bits per pixel').toBe(32);
    const length = file.readUInt32LE(at + 8);
    const offset = file.readUInt32LE(at + 12);
    expect(offset + length, 'entry inside the file').toBeLessThanOrEqual(file.length);
    const body = file.subarray(offset, offset + length);
    return { size, body, alphaAt: body.subarray(1, 4).toString() === 'PNG' ? pngAlpha(body, size) : bmpAlpha(body, size) };
  });
}

/** A 32-bit icon DIB: header, BGRA rows bottom-up, then the AND mask. Returns alpha at (x, y), y from the top. */
function bmpAlpha(body: Buffer, size: number) {
  expect(body.readUInt32LE(0), 'BITMAPINFOHEADER').toBe(40);
  expect(body.readInt32LE(4)).toBe(size);
  expect(body.readInt32LE(8), 'height counts the AND mask').toBe(size * 2);
  expect(body.readUInt16LE(14)).toBe(32);
  expect(body.length).toBe(40 + size * size * 4 + Math.ceil(size / 32) * 4 * size);
  return (x: number, y: number) => body[40 + ((size - 1 - y) * size + x) * 4 + 3]!;
}

/** An 8-bit RGBA PNG (what a canvas writes), unfiltered row by row. Returns alpha at (x, y). */
function pngAlpha(body: Buffer, size: number) {
  expect(body.readUInt32BE(16)).toBe(size);
  expect(body.readUInt32BE(20)).toBe(size);
  expect([body[24], body[25]], '8-bit RGBA').toEqual([8, 6]);
  const chunks: Buffer[] = [];
  for (let at = 8; at < body.length;) {
    const length = body.readUInt32BE(at);
    if (body.subarray(at + 4, at + 8).toString() === 'IDAT') chunks.push(body.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = size * 4;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    const up = rows[y - 1];
    for (let i = 0; i < stride; i++) {
      const a = i >= 4 ? line[i - 4]! : 0;
      const b = up ? up[i]! : 0;
      const c = up && i >= 4 ? up[i - 4]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const add = [0, a, b, (a + b) >> 1, paeth][filter]!;
      line[i] = (line[i]! + add) & 0xff;
    }
    rows.push(line);
  }
  return (x: number, y: number) => rows[y]![x * 4 + 3]!;
}

describe('assets/icon.ico', () => {
  const entries = readIco(readFileSync(join(root, 'assets', 'icon.ico')));

  it('holds the sizes Windows asks for, 16 to 256 px', () => {
    expect(entries.map((e) => e.size)).toEqual([16, 24, 32, 48, 64, 128, 256]);
  });

  it.each([16, 24, 32, 48, 64, 128, 256])('at %i px it is the app icon: transparent rounded corners, opaque middle', (size) => {
    const { alphaAt } = entries.find((e) => e.size === size)!;
    expect(alphaAt(0, 0)).toBe(0);
    expect(alphaAt(size - 1, size - 1)).toBe(0);
    expect(alphaAt(size >> 1, size >> 1)).toBe(255);
    expect(alphaAt(size >> 2, size >> 1)).toBe(255);
  });
});
