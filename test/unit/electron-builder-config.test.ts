/**
 * electron-builder.yml against electron-builder's own JSON schema (app-builder-lib/scheme.json),
 * offline: a typo in the installer config fails here, not on a release machine.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('electron-builder.yml', () => {
  const { load } = require('js-yaml') as { load: (text: string) => unknown };
  const config = load(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
    files: string[];
    linux: { icon: string };
  };

  it('is valid against electron-builder\'s schema', () => {
    const Ajv = require('ajv') as new (opts: object) => { compile: (s: object) => ((d: unknown) => boolean) & { errors?: unknown } };
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(config);
    expect(validate.errors ?? null, JSON.stringify(validate.errors)).toBeNull();
    expect(ok).toBe(true);
  });

  it('packages built output only, and its icon exists', () => {
    expect(config.files.filter((f) => !f.startsWith('!'))).toEqual(['dist/**/*', 'package.json']);
    expect(existsSync(join(root, config.linux.icon))).toBe(true);
  });
});
