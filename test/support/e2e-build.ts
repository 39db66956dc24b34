/** Builds the renderer once per e2e run, so the tests drive what ships. */
import { build } from 'vite';
import { fileURLToPath } from 'node:url';

export default async function setup(): Promise<void> {
  // Vitest sets NODE_ENV=test, and Vite then builds React's development bundle (jsxDEV, dev
  // checks: ~60 % larger, several times slower to render), which is not what ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)), mode: 'production', logLevel: 'warn' });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}
