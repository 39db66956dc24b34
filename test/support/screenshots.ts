/**
 * Where e2e tests write their screenshots. A test run must leave the tree clean, so by default
 * they go to test-results/screenshots/ (ignored by git). `npm run screenshots` sets
 * RUNNER_TRAY_SCREENSHOTS=docs/screenshots to refresh the README's pictures on purpose.
 */
import { mkdirSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The screenshot folder (created), ending in a path separator. */
export function screenshotDir(): string {
  const wanted = process.env['RUNNER_TRAY_SCREENSHOTS'] || 'test-results/screenshots';
  const dir = isAbsolute(wanted) ? wanted : resolve(ROOT, wanted);
  mkdirSync(dir, { recursive: true });
  return dir.endsWith('/') ? dir : `${dir}/`;
}
