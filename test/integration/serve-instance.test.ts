/**
 * Two real `runner-tray serve` processes on one data directory: the second says where the first
 * runs (pid and dashboard address, never the token) and exits; the lock goes with the first, and a
 * lock left by a killed serve (dead pid) or by a pid that no longer serves (nothing on its port)
 * is taken over. Private dockerd from globalSetup, file vault.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, inject, it } from 'vitest';
import { CLI } from '../support/cli.js';
import { startServe, type ServeChild } from '../support/serve-child.js';

const TOKEN = 'serve-instance-token-Vb7Nq2Lx9Kp4Rz';
const scratch = mkdtempSync(join(tmpdir(), 'rt-serve-instance-'));
const running: ServeChild[] = [];

function sharedDataDir(): string {
  return join(mkdtempSync(join(scratch, 'home-')), 'data');
}

async function serveOn(dataDir: string): Promise<ServeChild> {
  const child = await startServe({ dockerSocket: inject('dockerSocket'), token: TOKEN, extraEnv: { RUNNER_TRAY_HOME: dataDir } });
  running.push(child);
  return child;
}

/** A serve that is expected to refuse: its exit code and what it printed. */
function serveRefused(dataDir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
      env: {
        PATH: process.env.PATH,
        HOME: mkdtempSync(join(scratch, 'second-')),
        RUNNER_TRAY_HOME: dataDir,
        RUNNER_TRAY_VAULT: 'file',
        DOCKER_HOST: `unix://${inject('dockerSocket')}`,
        RUNNER_TRAY_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // If it does not refuse, it serves until stopped: end it so the test fails on its output, not a hang.
    const timer = setTimeout(() => child.kill('SIGTERM'), 45_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

afterEach(async () => {
  for (const child of running.splice(0)) await child.stop();
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('a second serve on the same data directory says the first runs (pid, address) and exits; after the first stops it starts', async () => {
  const dataDir = sharedDataDir();
  const first = await serveOn(dataDir);
  const lock = readFileSync(join(dataDir, 'serve.lock'), 'utf8');
  expect(lock).not.toContain(TOKEN);

  const second = await serveRefused(dataDir);
  expect(second.code).toBe(1);
  expect(second.stdout).toBe('');
  expect(second.stderr).toContain(`Another runner-tray serve (pid ${first.pid}) is already running on the data directory ${dataDir}`);
  expect(second.stderr).toContain(`with its dashboard at ${first.origin}/`);
  expect(second.stderr).toContain(`kill ${first.pid}`);
  expect(second.stderr).not.toContain(TOKEN);
  // The refusal did not disturb the first one's lock, and the first still answers.
  expect(readFileSync(join(dataDir, 'serve.lock'), 'utf8')).toBe(lock);
  expect((await fetch(`${first.origin}/`)).status).toBe(200);

  expect(await first.stop()).toBe(0);
  running.splice(running.indexOf(first), 1);
  expect(existsSync(join(dataDir, 'serve.lock'))).toBe(false);
  const third = await serveOn(dataDir);
  expect(third.stdout()).toContain('Runner Tray dashboard:');
});

it('takes over the lock of a serve killed with SIGKILL (its pid is gone)', async () => {
  const dataDir = sharedDataDir();
  const first = await serveOn(dataDir);
  process.kill(first.pid, 'SIGKILL');
  await first.stop();
  running.splice(running.indexOf(first), 1);
  expect(existsSync(join(dataDir, 'serve.lock'))).toBe(true);

  const next = await serveOn(dataDir);
  expect(JSON.parse(readFileSync(join(dataDir, 'serve.lock'), 'utf8'))).toMatchObject({ pid: next.pid, url: `${next.origin}/` });
});

it('takes over a lock whose pid lives but serves nothing on its port (pid reused after a reboot)', async () => {
  const dataDir = sharedDataDir();
  // A port that was free a moment ago, so nothing listens on it now.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // This test runner's own pid: alive, and not a serve.
  writeFileSync(join(dataDir, 'serve.lock'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), url: `http://127.0.0.1:${port}/`, port }));

  const next = await serveOn(dataDir);
  expect(JSON.parse(readFileSync(join(dataDir, 'serve.lock'), 'utf8'))).toMatchObject({ pid: next.pid });
});

it('refuses to start beside the desktop app on its data directory, and takes over a desktop lock from before this boot', async () => {
  const dataDir = sharedDataDir();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // The desktop app listens nowhere: a live pid (this test runner's) is all its lock has.
  const desktop = { pid: process.pid, startedAt: new Date().toISOString(), host: 'desktop' };
  writeFileSync(join(dataDir, 'serve.lock'), JSON.stringify(desktop));
  const refused = await serveRefused(dataDir);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain(`The Runner Tray desktop app (pid ${process.pid}) is already running on the data directory ${dataDir}`);
  expect(refused.stderr).toContain('quit it first');
  expect(refused.stderr).not.toContain(TOKEN);

  // The same lock written before the machine booted: that pid is someone else's now.
  writeFileSync(join(dataDir, 'serve.lock'), JSON.stringify({ ...desktop, startedAt: '2000-01-01T00:00:00.000Z' }));
  const next = await serveOn(dataDir);
  expect(JSON.parse(readFileSync(join(dataDir, 'serve.lock'), 'utf8'))).toMatchObject({ pid: next.pid, host: 'serve' });
});
