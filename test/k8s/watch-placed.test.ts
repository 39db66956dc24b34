/**
 * A runner on the real cluster watched like a local one: `status`, `steps`, `logs [--follow]` and
 * `list` of the built CLI read the pod and its runner container's log through the API server (no
 * Docker needed), and the dashboard's host sees a kubelet restart after a non-zero exit as CRASHED
 * (with the log's diagnosis and the pod's restart count) and then ONLINE again.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import type { ContractEvent } from '../../src/shared/contract/events.js';
import type { RunnerView } from '../../src/shared/contract/views.js';
import { startHost } from '../../src/main/host.js';
import { CLI, runCli, type CliRun } from '../support/cli.js';
import { contextWithRunner, newRunnerUuid, runnerPaste, SECRET, testEnv, tokenOf, until } from '../support/k8s-runners.js';

const kubeconfig = inject('kubeconfig');
const dockerSocket = inject('dockerSocket');
const token = tokenOf(kubeconfig);

function noSecretIn(text: string): void {
  // Booleans, so a failure cannot print the value it found.
  expect(text.includes(SECRET)).toBe(false);
  expect(text.includes(token)).toBe(false);
}

function clean(r: CliRun): CliRun {
  noSecretIn(r.stdout + r.stderr + r.argv.join(' '));
  return r;
}

/** `logs --follow` until `want` is printed, then Ctrl-C: what it printed and its exit code. */
function followUntil(args: string[], env: NodeJS.ProcessEnv, want: string, timeoutMs = 60_000): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`logs --follow never printed "${want}" (stderr: ${stderr.slice(0, 500)})`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes(want)) child.kill('SIGINT');
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => {
      clearTimeout(timer);
      noSecretIn(stdout + stderr);
      resolve({ stdout, code });
    });
  });
}

describe('a runner on the cluster, watched like a local runner', () => {
  it('status, steps, list and logs --follow come from the pod and its log, without Docker', { timeout: 180_000 }, async () => {
    const uuid = newRunnerUuid();
    const dataDir = mkdtempSync(join(tmpdir(), 'rt-k8s-watch-'));
    const env = testEnv(dataDir, dockerSocket, kubeconfig);
    const cli = async (args: string[], stdin?: string, e = env) => clean(await runCli(args, { env: e, ...(stdin !== undefined ? { stdin } : {}) }));
    const paste = runnerPaste(uuid, { env: ['STANDIN_SCRIPT=one-step', 'STANDIN_STEP_SECONDS=600', 'STANDIN_SIBLINGS=0'] });
    expect((await cli(['add'], paste)).code).toBe(0);
    const applied = await cli(['k8s', 'apply', uuid, '--namespace', 'rt-watch', '--image-pull-policy', 'IfNotPresent']);
    expect(applied.code, applied.stderr).toBe(0);
    try {
      // This machine has no Docker at all now: everything below comes from the cluster.
      const noDocker = { ...env, DOCKER_HOST: `unix://${dataDir}/no-docker-here.sock` };
      const busy = await until('the placed runner to be BUSY', async () => {
        const s = JSON.parse((await cli(['status', uuid, '--json'], undefined, noDocker)).stdout) as {
          runnerState: string;
          containerState: string;
          placement?: {
            context: string;
            namespace: string;
            problem: string | null;
            pod: { name: string; ready: boolean; restarts: number; node: string } | null;
          };
        };
        return s.runnerState === 'BUSY' ? s : null;
      });
      expect(busy.containerState).toBe('running');
      expect(busy.placement).toMatchObject({ context: 'test', namespace: 'rt-watch', problem: null, pod: { ready: true, restarts: 0, node: '127.0.0.1' } });
      expect(busy.placement?.pod?.name).toMatch(/^runner-/);

      const steps = await cli(['steps', uuid, '--json'], undefined, noDocker);
      expect(steps.code, steps.stderr).toBe(0);
      const json = JSON.parse(steps.stdout) as { runnerState: string; steps: Array<{ state: string; stepUuid: string; phase?: string }> };
      expect(json.runnerState).toBe('BUSY');
      expect(json.steps).toHaveLength(1);
      expect(json.steps[0]).toMatchObject({ state: 'RUNNING' });

      const list = await cli(['list'], undefined, noDocker);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toMatch(/WHERE/);
      expect(list.stdout).toMatch(/BUSY\s+test\/rt-watch pod runner-\S+ restarts 0 on 127\.0\.0\.1/);

      const logs = await cli(['logs', uuid, '--tail', '50'], undefined, noDocker);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toContain('Updating step progress to RUNNING');
      // The kubelet's timestamps are for the parser, not the reader, as for a local runner's `logs`.
      expect(logs.stdout).not.toMatch(/^\d{4}-\d\d-\d\dT/m);

      const followed = await followUntil(['logs', uuid, '--follow'], noDocker, 'Updating step progress to RUNNING');
      expect(followed.code).toBe(0);
      expect(followed.stdout).toContain('Runner starting.');

      // Removing it mid-step is asked first, as for a local runner; forced, its objects on the
      // cluster go first, then everything here, still without Docker.
      const refused = await cli(['remove', uuid], undefined, noDocker);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('a step is running');
      expect(refused.stderr).toContain('--force');
      const removed = await cli(['remove', uuid, '--force'], undefined, noDocker);
      expect(removed.code, removed.stderr).toBe(0);
      expect(removed.stdout).toContain(`removed ${uuid}`);
      expect(removed.stdout).toMatch(/deleted Deployment runner-\S+ and Secret runner-\S+ in namespace rt-watch on context "test"/);
      expect((await cli(['list'], undefined, noDocker)).stdout).not.toContain(uuid.slice(1, 9));
    } finally {
      // Whatever the test left behind on the cluster.
      await cli(['k8s', 'delete', uuid]);
    }
  });

  // Retried once: every kubelet on a machine shares /var/log/pods, and another test cluster's
  // kubelet may garbage-collect this pod's log links (its log then reads empty: no diagnosis).
  it(
    'the host sees a non-zero exit restarted by the kubelet: CRASHED with the diagnosis and restarts, then ONLINE',
    { timeout: 180_000, retry: 1 },
    async () => {
      const uuid = newRunnerUuid();
      // Crashes (OAuth 404) on its first run only: the marker is on the pod's /tmp emptyDir, which outlives the container.
      const paste = runnerPaste(uuid, { env: ['STANDIN_SCRIPT=crash-once', 'STANDIN_MARKER=/tmp/crashed-once'] });
      const { ctx } = await contextWithRunner(dockerSocket, kubeconfig, paste);
      const host = await startHost({ ctx });
      const events: ContractEvent[] = [];
      const off = host.api.events.on((e) => events.push(e));
      const k8s = ctx.kubernetes();
      try {
        await k8s.apply(uuid, { namespace: 'rt-crash', imagePullPolicy: 'IfNotPresent', terminationGracePeriodSeconds: 2 });
        // What the move API does after an apply: follow the runner where it now is.
        await ctx.clusterWatch().sync();
        const views = () => events.flatMap((e) => (e.type === 'runner.changed' && e.runner.uuid === uuid ? [e.runner] : []));
        const crashed = await until('a runnerCrashed notification', async () =>
          events.find((e) => e.type === 'notification' && e.kind === 'runnerCrashed' && e.runnerUuid === uuid),
        );
        expect(
          crashed,
          `events: ${events.map((e) => (e.type === 'runner.changed' ? `runner.changed ${e.runner.runnerState}` : e.type)).join(', ')}`,
        ).toMatchObject({ diagnosis: { code: 'OAUTH_REJECTED' } });
        const crashedView = await until('the CRASHED view', async () => views().find((v) => v.runnerState === 'CRASHED'));
        expect(crashedView.placement).toMatchObject({ namespace: 'rt-crash', problem: null });
        expect(crashedView.placement?.pod?.lastTermination).toBe('Error (exit 1)');
        expect(['restarting', 'exited']).toContain(crashedView.containerState);
        // The kubelet restarts it after its back-off (10 s); the marker makes the second run come up.
        const online = await until(
          'the runner back ONLINE',
          async () => views().find((v) => v.runnerState === 'ONLINE' && views().indexOf(v) > views().indexOf(crashedView)),
          90_000,
        );
        expect(online.placement?.pod?.restarts).toBe(1);
        expect(online.containerState).toBe('running');
        const listed = (await host.api.handlers['runners.list']({})) as RunnerView[];
        const view = listed.find((v) => v.uuid === uuid);
        expect(view).toMatchObject({ runnerState: 'ONLINE', placement: { context: 'test', namespace: 'rt-crash', pod: { restarts: 1, ready: true } } });
        const logSub = await host.api.handlers['runners.logs.subscribe']({ runnerUuid: uuid, tail: 100 });
        expect(logSub.backlog.map((l) => l.text).join('\n')).toContain('Runner starting.');
        noSecretIn(JSON.stringify(events) + JSON.stringify(listed) + JSON.stringify(logSub));
      } finally {
        off();
        await host.close();
        await k8s.delete(uuid).catch(() => undefined);
        await ctx.close();
      }
    },
  );
});
