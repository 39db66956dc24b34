/**
 * `runner-tray k8s …` end to end: the built CLI, a real data directory and file vault, the private
 * dockerd as "this machine" and the real cluster. A runner lives in one place at a time.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { describe, expect, inject, it } from 'vitest';
import { filesTextExceptVault, runCli, type CliRun } from '../support/cli.js';
import { adminCore, newRunnerUuid, runnerPaste, SECRET, testEnv, tokenOf, until } from '../support/k8s-runners.js';

const kubeconfig = inject('kubeconfig');
const dockerSocket = inject('dockerSocket');
const docker = new Docker({ socketPath: dockerSocket });
const core = adminCore(kubeconfig);
const token = tokenOf(kubeconfig);

function clean(r: CliRun): CliRun {
  const all = r.stdout + r.stderr + r.argv.join(' ');
  expect(all.includes(SECRET)).toBe(false);
  expect(all.includes(token)).toBe(false);
  return r;
}

async function setup(env: string[] = []): Promise<{ uuid: string; cli: (args: string[], stdin?: string) => Promise<CliRun>; dataDir: string }> {
  const uuid = newRunnerUuid();
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-k8s-cli-'));
  const e = testEnv(dataDir, dockerSocket, kubeconfig);
  const cli = async (args: string[], stdin?: string) => clean(await runCli(args, { env: e, ...(stdin !== undefined ? { stdin } : {}) }));
  const added = await cli(['add'], runnerPaste(uuid, { env }));
  expect(added.code, added.stderr).toBe(0);
  return { uuid, cli, dataDir };
}

async function localContainers(uuid: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${uuid}`] } });
}

describe('runner-tray k8s', () => {
  it('apply moves the runner (local container stopped and removed), start refuses, delete --start brings it back', async () => {
    const { uuid, cli, dataDir } = await setup();
    expect((await cli(['start', uuid])).code).toBe(0);
    expect((await localContainers(uuid)).map((c) => c.State)).toEqual(['running']);

    const applied = await cli(['k8s', 'apply', uuid, '--namespace', 'rt-cli', '--image-pull-policy', 'IfNotPresent']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Stopped and removed this machine's container");
    expect(applied.stdout).toContain(`dind ${inject('standinDindImage')}: matches the nodes' Docker`);
    expect(await localContainers(uuid)).toEqual([]);
    const settings = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as {
      runners: Array<{ placement?: { namespace: string; context: string } }>;
    };
    expect(settings.runners[0]?.placement).toMatchObject({ namespace: 'rt-cli', context: 'test' });

    const refused = await cli(['start', uuid]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('runs on Kubernetes (context "test", namespace rt-cli)');
    expect(refused.stderr).toContain(`runner-tray k8s delete ${uuid} --start`);
    expect(await localContainers(uuid)).toEqual([]);

    const running = await until('the pod to run', async () => {
      const r = await cli(['k8s', 'status', uuid, '--json']);
      const s = JSON.parse(r.stdout) as { pods: Array<{ phase: string; ready: boolean; node: string }> };
      return s.pods[0]?.ready ? s : null;
    });
    expect(running.pods[0]).toMatchObject({ phase: 'Running', node: '127.0.0.1' });
    const table = await cli(['k8s', 'status']);
    expect(table.stdout).toMatch(new RegExp(`${uuid.replace(/[{}]/g, '\\$&')}\\s+\\S+\\s+test/rt-cli\\s+runner-`));

    const deleted = await cli(['k8s', 'delete', uuid, '--start']);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('Deployment runner-');
    expect(deleted.stdout).toContain('Secret runner-oauth-credentials-');
    expect((await core.listNamespacedPod({ namespace: 'rt-cli', labelSelector: `runner_uuid=${uuid.replace(/[{}]/g, '')}` })).items).toEqual([]);
    expect((await localContainers(uuid)).map((c) => c.State)).toEqual(['running']);
    const after = JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { runners: Array<{ placement?: unknown }> };
    expect(after.runners[0]?.placement).toBeUndefined();
    expect(filesTextExceptVault(dataDir).includes(SECRET)).toBe(false);
    await cli(['remove', uuid]);
  });

  // Flaked once in two clean CI runs (120 s timeout waiting on the busy runner); retried while it is looked into.
  it('refuses to move a runner that is running a step, unless --force', { retry: 1, timeout: 240_000 }, async () => {
    const { uuid, cli } = await setup(['STANDIN_SCRIPT=one-step', 'STANDIN_STEP_SECONDS=600']);
    expect((await cli(['start', uuid])).code).toBe(0);
    await until('the runner to be BUSY', async () => JSON.parse((await cli(['status', uuid, '--json'])).stdout).runnerState === 'BUSY');
    const refused = await cli(['k8s', 'apply', uuid, '--namespace', 'rt-busy', '--image-pull-policy', 'IfNotPresent']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is running a step on this machine');
    expect(refused.stderr).toContain('--force');
    expect((await localContainers(uuid)).map((c) => c.State)).toEqual(['running']);
    const forced = await cli(['k8s', 'apply', uuid, '--namespace', 'rt-busy', '--image-pull-policy', 'IfNotPresent', '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await localContainers(uuid)).toEqual([]);
    expect((await cli(['k8s', 'delete', uuid])).code).toBe(0);
    await cli(['remove', uuid]);
  });

  it('export writes the bundle (the one place the secret goes, 0600, and it says so) with working commands', async () => {
    const { uuid, cli } = await setup();
    const dir = mkdtempSync(join(tmpdir(), 'rt-k8s-bundle-'));
    const r = await cli(['k8s', 'export', uuid, '--out', dir, '--namespace', 'ci-runners', '--kind', 'job', '--size', '2x']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("secret.yaml holds the runner's OAuth secret (mode 0600)");
    const secret = readFileSync(join(dir, 'secret.yaml'), 'utf8');
    expect(statSync(join(dir, 'secret.yaml')).mode & 0o777).toBe(0o600);
    expect(secret.includes(`oauthClientSecret: ${SECRET}`)).toBe(true);
    expect(secret).toContain("holds the runner's OAuth client secret");
    const job = readFileSync(join(dir, 'job.yaml'), 'utf8');
    expect(job.includes(SECRET)).toBe(false);
    expect(job).toContain('kind: Job');
    expect(job).toContain('memory: 9Gi');
    const script = readFileSync(join(dir, 'apply.sh'), 'utf8');
    expect(script).toContain('kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -');
    expect(script).toContain('apply --server-side --field-manager=runner-tray -f secret.yaml');
    expect(script).toContain('apply --server-side --field-manager=runner-tray -f job.yaml');
    expect(script).toContain("NS=${NS:-'ci-runners'}");
    expect(script).not.toContain('secrets.yaml');
    expect(statSync(join(dir, 'apply.sh')).mode & 0o111).not.toBe(0);

    const ref = await cli(['k8s', 'export', uuid, '--out', '-', '--secret-ref', 'my-runner-creds']);
    expect(ref.code, ref.stderr).toBe(0);
    expect(ref.stdout).toContain('This bundle holds no secret');
    expect(ref.stdout).toContain('name: my-runner-creds');
    expect(ref.stdout).not.toContain('kind: Secret');
    expect(ref.stderr).toContain('holds no secret');

    const bad = await cli(['k8s', 'export', uuid, '--size', '3x']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--size "3x" is not a step size: use 1x, 2x, 4x, 8x');
    await cli(['remove', uuid]);
  });
});
