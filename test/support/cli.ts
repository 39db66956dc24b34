/** Runs the built CLI (`dist/cli/bin.js`, built by `npm test` first) as a user would. */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'cli', 'bin.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  argv: string[];
}

export function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; stdin?: string | Buffer; timeoutMs?: number; uid?: number; gid?: number },
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const argv = [CLI, ...args];
    // uid/gid: run as another user (the tests run as root, which no permission stops).
    const as = { ...(options.uid === undefined ? {} : { uid: options.uid }), ...(options.gid === undefined ? {} : { gid: options.gid }) };
    const child = spawn(process.execPath, argv, { env: options.env, stdio: ['pipe', 'pipe', 'pipe'], ...as });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, argv });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** What a user's shell gives the CLI: only PATH and HOME, plus the private dockerd and a data directory with the file vault. */
export function cliEnv(dataDir: string, dockerSocket: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DOCKER_HOST: `unix://${dockerSocket}`,
    RUNNER_TRAY_HOME: dataDir,
    RUNNER_TRAY_VAULT: 'file',
  };
}

/** Every file of ours under the data directory except the vault, as one text: where secrets must not be. */
export function filesTextExceptVault(dataDir: string): string {
  return readdirSync(dataDir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && d.name !== 'secrets.json')
    .map((d) => readFileSync(join(d.parentPath, d.name), 'utf8'))
    .join('\n');
}
