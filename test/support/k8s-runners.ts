/** A data directory with the file vault and runners added from made-up pastes, for the k8s tests. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { AppContext } from '../../src/main/app-context.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';

export const ACCOUNT = '{6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d}';
export const REPOSITORY = '{1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b}';
/** Made-up secrets: none may appear in any output. */
export const SECRET = 'k8sMadeUpSecret_Q9w8E7r6T5y4U3i2O1p0AsDfGhJkLzXcVbNm-_qwertyuiop';

let n = 0;
/** A fresh made-up runner UUID per call, so tests never share objects. */
export function newRunnerUuid(): string {
  n += 1;
  const tail = `${process.pid.toString(16).padStart(6, '0').slice(-6)}${n.toString(16).padStart(6, '0')}`;
  return `{3c4d5e6f-7a8b-4c9d-8e0f-${tail}}`;
}

export function runnerPaste(runner: string, opts: { repository?: boolean; env?: string[] } = {}): string {
  const bare = runner.replace(/[{}]/g, '');
  return (
    'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/docker/containers:/var/lib/docker/containers:ro ' +
    `-e ACCOUNT_UUID=${ACCOUNT} ${opts.repository ? `-e REPOSITORY_UUID=${REPOSITORY} ` : ''}-e RUNNER_UUID=${runner} -e RUNTIME_PREREQUISITES_ENABLED=true ` +
    `-e OAUTH_CLIENT_ID=K8sCl1entIdMadeUp00000000000000 -e OAUTH_CLIENT_SECRET=${SECRET} -e WORKING_DIRECTORY=/tmp ` +
    `${(opts.env ?? []).map((e) => `-e ${e} `).join('')}--name runner-${bare} docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1\n`
  );
}

export function testEnv(dataDir: string, dockerSocket: string, kubeconfig: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: dataDir,
    DOCKER_HOST: `unix://${dockerSocket}`,
    RUNNER_TRAY_HOME: dataDir,
    RUNNER_TRAY_VAULT: 'file',
    KUBECONFIG: kubeconfig,
  };
}

export async function contextWithRunner(
  dockerSocket: string,
  kubeconfig: string,
  paste: string,
): Promise<{ ctx: AppContext; dataDir: string; env: NodeJS.ProcessEnv }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-k8s-data-'));
  const env = testEnv(dataDir, dockerSocket, kubeconfig);
  const ctx = new AppContext({ env, checkForImageUpdates: false });
  const parsed = parseRunnerCommand(paste);
  if (!parsed.ok) throw new Error(parsed.error.message);
  await (await ctx.runners()).add(parsed);
  return { ctx, dataDir, env };
}

export function adminCore(kubeconfig: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

/** The bearer token in one of the test kubeconfigs: it must never show in a message. */
export function tokenOf(kubeconfig: string): string {
  const m = /token: ([0-9a-f]+)/.exec(readFileSync(kubeconfig, 'utf8'));
  if (!m) throw new Error(`no token in ${kubeconfig}`);
  return m[1]!;
}

export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
