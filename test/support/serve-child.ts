/**
 * `runner-tray serve` as a user starts it: the built CLI (`node dist/cli/bin.js serve`) in a
 * child process with its own data dir, the file vault and the private test dockerd. Stopped
 * with SIGTERM by its own pid; what it printed is kept for leak checks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI } from './cli.js';

export interface ServeChild {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** The printed link, `…/#token=…`. */
  pageUrl: string;
  token: string;
  home: string;
  pid: number;
  stdout(): string;
  stderr(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

export async function startServe(options: { dockerSocket: string; token: string; extraEnv?: NodeJS.ProcessEnv; extraArgs?: string[] }): Promise<ServeChild> {
  const home = mkdtempSync(join(tmpdir(), 'rt-serve-'));
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...(options.extraArgs ?? [])], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      RUNNER_TRAY_HOME: join(home, 'data'),
      RUNNER_TRAY_VAULT: 'file',
      DOCKER_HOST: `unix://${options.dockerSocket}`,
      RUNNER_TRAY_TOKEN: options.token,
      ...options.extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const pageUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runner-tray serve printed no link within 60 s.\nstdout: ${out}\nstderr: ${err}`)), 60_000);
    const check = () => {
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`runner-tray serve exited with ${code} before printing its link.\nstderr: ${err}`));
    });
  });
  return {
    origin: new URL(pageUrl).origin,
    pageUrl,
    token: options.token,
    home,
    pid: child.pid!,
    stdout: () => out,
    stderr: () => err,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(home, { recursive: true, force: true });
      return code;
    },
  };
}

/** Reads `GET /api/events` with the Bearer token and keeps every frame, to check what the server pushed. */
export async function recordEvents(origin: string, token: string): Promise<{ text(): string; events(): unknown[]; close(): void }> {
  const controller = new AbortController();
  const response = await fetch(`${origin}/api/events`, { headers: { Authorization: `Bearer ${token}` }, signal: controller.signal });
  if (!response.ok || !response.body) throw new Error(`GET /api/events answered ${response.status}`);
  let text = '';
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += value;
      }
    } catch {
      // aborted by close()
    }
  })();
  return {
    text: () => text,
    events: () =>
      text
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => JSON.parse(l.slice(6)) as unknown),
    close: () => controller.abort(),
  };
}
