/**
 * The layering in docs/ARCHITECTURE.md ("Layers"), checked on the source: arrows point down only.
 * shared imports nothing of ours outside shared and no Node or I/O library; only main/electron and
 * preload import electron; the renderer reaches services only through the contract.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const src = join(root, 'src');

interface Import {
  file: string;
  spec: string;
  /** For relative imports: the target path relative to src/. */
  target: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(p);
    return /\.(ts|tsx)$/.test(d.name) ? [p] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const out: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2])!;
    const target = spec.startsWith('.') ? relative(src, resolve(dirname(file), spec)) : null;
    out.push({ file: relative(src, file), spec, target });
  }
  return out;
}

const all = sourceFiles(src).flatMap(importsOf);
const inArea = (area: string) => (i: Import) => i.file.startsWith(area + '/');
const show = (xs: Import[]) => xs.map((i) => `${i.file} → ${i.spec}`);

describe('import direction', () => {
  it('finds the source tree', () => {
    expect(all.filter(inArea('shared')).length).toBeGreaterThan(20);
    expect(all.filter(inArea('main')).length).toBeGreaterThan(20);
  });

  it('shared imports only shared, and no Node built-in or I/O library (it runs in the browser too)', () => {
    const bad = all
      .filter(inArea('shared'))
      .filter((i) => (i.target !== null ? !i.target.startsWith('shared/') : /^(node:|electron$|dockerode|conf$|@napi-rs)/.test(i.spec)));
    expect(show(bad)).toEqual([]);
  });

  it('main does not import cli, renderer or preload, and only main/electron imports electron', () => {
    const bad = all
      .filter(inArea('main'))
      .filter((i) => (i.target !== null ? /^(cli|renderer|preload)\//.test(i.target) : i.spec === 'electron' && !i.file.startsWith('main/electron/')));
    expect(show(bad)).toEqual([]);
  });

  it('cli and renderer never import electron; the renderer never imports main or cli', () => {
    const bad = all
      .filter((i) => i.file.startsWith('cli/') || i.file.startsWith('renderer/'))
      .filter((i) => i.spec === 'electron' || (i.file.startsWith('renderer/') && i.target !== null && /^(main|cli)\//.test(i.target)));
    expect(show(bad)).toEqual([]);
  });
});
