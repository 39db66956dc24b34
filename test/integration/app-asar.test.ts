/**
 * What the installers would ship, from a real electron-builder run with the project's own config:
 * `--linux dir` packages offline when `electronDist` points at a directory holding an `electron`
 * executable (TOOLCHAIN.md). Electron's real binary cannot be downloaded here, so that executable
 * is a stand-in carrying only what electron-builder touches in it: Electron's fuse wire (sentinel,
 * version, length, one byte per fuse, at Electron 41's defaults). The real @electron/fuses then
 * flips it exactly as it would flip Electron's, which is what the last test reads back.
 *
 * Needs `npm run build` first (test/run-all.sh does it): it packages dist/ as it is.
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as {
  listPackage(archive: string, o: { isPack: boolean }): string[];
  extractFile(archive: string, file: string): Buffer;
};
const fuses = require('@electron/fuses') as { getCurrentFuseWire(path: string): Promise<Record<string, number | string>> };

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; version?: string }> };

/** @electron/fuses' sentinel, and its byte values for a fuse that is off / on. */
const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const OFF = 0x30;
const ON = 0x31;
/** Electron 41's wire, in @electron/fuses' V1 order: runAsNode, cookieEncryption, nodeOptions, nodeCliInspect, asarIntegrity, onlyFromAsar, browserV8Snapshot, fileProtocolPrivileges. */
const ELECTRON_DEFAULTS = [ON, OFF, ON, ON, OFF, OFF, OFF, ON];

let work: string;
let appDir: string;
let archive: string;
let files: string[];
let buildLog = '';

beforeAll(async () => {
  for (const built of ['dist/main/electron/app.js', 'dist/preload/index.cjs', 'dist/renderer/index.html']) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` before this test (it packages dist/ as it is).`);
  }
  work = mkdtempSync(join(tmpdir(), 'app-asar-'));
  const electronDist = join(work, 'electron-dist');
  const binary = Buffer.concat([
    Buffer.alloc(4096, 0x90),
    Buffer.from(SENTINEL),
    Buffer.from([1, ELECTRON_DEFAULTS.length, ...ELECTRON_DEFAULTS]),
    Buffer.alloc(4096, 0x90),
  ]);
  mkdirSync(electronDist);
  writeFileSync(join(electronDist, 'electron'), binary);
  chmodSync(join(electronDist, 'electron'), 0o755);
  const out = join(work, 'release');
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(root, 'node_modules', 'electron-builder', 'cli.js'), '--linux', 'dir', `-c.electronDist=${electronDist}`, `-c.directories.output=${out}`],
      // electron-builder stays silent when it sees VITEST in its environment; its log is checked below.
      { cwd: root, env: { ...withoutVitest(process.env), CI: '1' }, timeout: 240_000, maxBuffer: 16 * 1024 * 1024 },
    );
    buildLog = stdout + stderr;
  } catch (e) {
    const { stdout = '', stderr = '' } = e as { stdout?: string; stderr?: string };
    throw new Error(`electron-builder --linux dir failed:\n${stdout}\n${stderr}`, { cause: e });
  }
  appDir = join(out, 'linux-unpacked');
  archive = join(appDir, 'resources', 'app.asar');
  files = asar.listPackage(archive, { isPack: false });
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function withoutVitest(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('VITEST')));
}

/**
 * Every package in the archive as `name@version`, at any depth: electron-builder re-nests the
 * tree, so a name alone does not say which of the lockfile's copies was taken.
 */
function packagedModules(): Set<string> {
  const found = new Set<string>();
  for (const f of files) {
    const m = /\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(f);
    if (!m) continue;
    const { version } = JSON.parse(asar.extractFile(archive, f.slice(1)).toString('utf8')) as { version?: string };
    // Some packages carry package.json files in sub-folders (module-type markers) without a version.
    if (version) found.add(`${m[1]!}@${version}`);
  }
  return found;
}

/** The lockfile's packages as `name@version`, split into the ones only dev dependencies need and the rest. */
function lockedModules(): { devOnly: Set<string>; runtime: Set<string> } {
  const devOnly = new Set<string>();
  const runtime = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || !entry.version) continue;
    const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    (entry.dev === true ? devOnly : runtime).add(`${name}@${entry.version}`);
  }
  return { devOnly, runtime };
}

describe('app.asar from the offline --dir build', () => {
  it('holds the built app: main entry, preload, renderer page and its bundle', () => {
    expect(files).toContain('/dist/main/electron/app.js');
    expect(files).toContain('/dist/preload/index.cjs');
    expect(files).toContain('/dist/renderer/index.html');
    expect(files.some((f) => /^\/dist\/renderer\/assets\/index-[^/]+\.js$/.test(f))).toBe(true);
    const manifest = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; devDependencies?: unknown };
    expect(manifest.main).toBe('dist/main/electron/app.js');
  });

  it('holds no tests, no TypeScript sources and no source maps', () => {
    const ours = files.filter((f) => f !== '/node_modules' && !f.startsWith('/node_modules/'));
    expect(
      ours.filter((f) => !/^\/(dist(\/|$)|package\.json$)/.test(f)),
      'only dist/ and package.json of ours',
    ).toEqual([]);
    expect(
      files.filter((f) => /\.(map|ts|mts|cts|tsx)$/.test(f)),
      'no .ts or .map anywhere',
    ).toEqual([]);
    expect(ours.filter((f) => /(^|\/)(test|tests|__tests__)(\/|$)|\.test\.js$/.test(f))).toEqual([]);
  });

  it('holds no dev dependencies (the lockfile marks them dev), and every runtime dependency', () => {
    const packaged = packagedModules();
    const { devOnly, runtime } = lockedModules();
    const names = new Set([...packaged].map((p) => p.slice(0, p.lastIndexOf('@'))));
    for (const tool of ['vitest', 'playwright-core', 'typescript', 'electron-builder', 'electron', 'vite', 'tsx', '@doyensec/electronegativity']) {
      expect(names, tool).not.toContain(tool);
    }
    // The renderer's libraries are in its bundle, not beside it.
    for (const bundled of ['react', 'react-dom', 'i18next', 'react-i18next']) expect(names, bundled).not.toContain(bundled);
    expect(
      [...packaged].filter((p) => devOnly.has(p) && !runtime.has(p)),
      'packages only dev dependencies need',
    ).toEqual([]);
    expect(
      [...packaged].filter((p) => !runtime.has(p)),
      'packages the lockfile does not have',
    ).toEqual([]);
    for (const [name, version] of Object.entries(pkg.dependencies)) expect(packaged, name).toContain(`${name}@${version}`);
  });

  it("unpacks the keyring's native binary for this platform (a .node cannot be loaded from inside the archive)", () => {
    const dir = join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', '@napi-rs');
    const binaries = readdirSync(dir).filter((d) => d.startsWith(`keyring-${process.platform}-${process.arch}`));
    expect(binaries).toHaveLength(1);
    expect(readdirSync(join(dir, binaries[0]!)).some((f) => f.endsWith('.node'))).toBe(true);
  });

  it('ships the tray icons beside the archive', () => {
    const tray = readdirSync(join(appDir, 'resources', 'tray'));
    expect(tray).toEqual(expect.arrayContaining(['idle.png', 'idle@2x.png', 'busyTemplate.png', 'errorTemplate@2x.png', 'stopped.png']));
    expect(tray.filter((f) => !f.endsWith('.png'))).toEqual([]);
  });

  it('flips the fuses in the packaged executable: no run-as-node, no NODE_OPTIONS, no --inspect, code only from an integrity-checked app.asar', async () => {
    expect(buildLog).toContain('executing @electron/fuses');
    const wire = await fuses.getCurrentFuseWire(join(appDir, 'runner-tray'));
    expect(Object.fromEntries(Object.entries(wire).filter(([k]) => k !== 'version'))).toEqual({
      0: OFF, // runAsNode
      1: OFF, // cookie encryption: left as Electron has it
      2: OFF, // NODE_OPTIONS
      3: OFF, // --inspect
      4: ON, // embedded asar integrity validation
      5: ON, // only load the app from app.asar
      6: OFF, // browser-specific V8 snapshot: left as Electron has it
      7: OFF, // extra file:// privileges
    });
  });
});
