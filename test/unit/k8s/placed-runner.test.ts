/**
 * A runner on a cluster read like a local one: the pod's runner container as the kubelet reports
 * it (shaped as the API server's V1Pod) plus its log lines, through the monitor's replay and rule.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PlacedRunner } from '../../../src/main/kubernetes/placed-runner.js';
import { runnerPodFacts } from '../../../src/main/kubernetes/pod-facts.js';
import type { MonitorEvent } from '../../../src/main/monitor/events.js';
import { Supervisor } from '../../../src/main/monitor/supervisor.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';
import { parseRunnerCommand } from '../../../src/shared/runner-command/index.js';

const SECRET = 'unitMadeUpSecret_0aZ9bY8cX7dW6eV5fU4gT3hS2iR1jQ';
const UUID = '{5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d}';
const paste =
  'docker container run -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock -v /var/lib/docker/containers:/var/lib/docker/containers:ro ' +
  `-e ACCOUNT_UUID={1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e} -e RUNNER_UUID=${UUID} -e RUNTIME_PREREQUISITES_ENABLED=true ` +
  `-e OAUTH_CLIENT_ID=UnitCl1entIdMadeUp000000000000AB -e OAUTH_CLIENT_SECRET=${SECRET} -e WORKING_DIRECTORY=/tmp ` +
  'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1';

function record(): RunnerRecord {
  const parsed = parseRunnerCommand(paste);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return {
    spec: parsed.spec,
    displayName: 'unit',
    placement: {
      type: 'kubernetes',
      context: 'ctx',
      server: 'https://k8s.invalid',
      namespace: 'ns',
      workload: 'deployment',
      appliedAt: '2026-12-01T10:00:00Z',
    },
  } as RunnerRecord;
}

function pod(runner: Record<string, unknown>, phase = 'Running'): V1Pod {
  return {
    metadata: { name: 'runner-x-1', uid: 'uid-1' },
    spec: { containers: [{ name: 'runner', image: 'img:1', env: [{ name: 'TZ', value: 'UTC' }] }], nodeName: 'node-a' },
    status: { phase, containerStatuses: [{ name: 'runner', image: 'img:1', imageID: '', ready: true, restartCount: 0, ...runner }] },
  } as V1Pod;
}

function setup() {
  const events: MonitorEvent[] = [];
  const r = new PlacedRunner(record(), { emit: (e) => events.push(e), supervisor: new Supervisor(), batchMs: 0, replay: {}, log: () => undefined });
  return { r, events };
}

describe('PlacedRunner', () => {
  it('a crash: the log diagnosed and masked, the exit CRASHED while the kubelet backs off, ONLINE after its restart', () => {
    const { r, events } = setup();
    r.setSecrets([SECRET]);
    r.setPod(pod({ containerID: 'docker://a', state: { running: { startedAt: new Date('2026-12-01T10:00:00Z') } } }));
    r.switchContainer('docker://a');
    r.containerEvent('start', '2026-12-01T10:00:00Z');
    r.lines.push('2026-12-01T10:00:00.100000000Z [2026-12-01 10:00:00,100] Runner starting.\n');
    r.lines.push(`2026-12-01T10:00:01.000000000Z [2026-12-01 10:00:01,000] token request client_secret=${SECRET}\n`);
    r.lines.push('2026-12-01T10:00:01.500000000Z [2026-12-01 10:00:01,500] Error while refreshing oauth token.\n');
    r.lines.push(
      '2026-12-01T10:00:01.600000000Z com.atlassian.pipelines.runner.core.exception.OAuthException: 404 from POST https://auth.atlassian.com/oauth/token\n',
    );
    r.flush();
    const terminated = { exitCode: 1, reason: 'Error', containerID: 'docker://a', finishedAt: new Date('2026-12-01T10:00:02Z') };
    r.setPod(pod({ state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated }, restartCount: 1, ready: false }));
    r.containerEvent('die', '2026-12-01T10:00:02Z', { exitCode: 1, oomKilled: false });
    expect(r.snapshot().runnerState).toBe('CRASHED');
    expect(r.status().containerState).toBe('restarting');
    expect(r.placementView().pod).toMatchObject({ restarts: 1, phase: 'CrashLoopBackOff', lastTermination: 'Error (exit 1)', node: 'node-a' });
    const diagnoses = events.flatMap((e) => (e.type === 'diagnosis' ? [e.diagnosis.code] : []));
    expect(diagnoses).toContain('OAUTH_REJECTED');
    const logText = JSON.stringify(events.filter((e) => e.type === 'log'));
    expect(logText).toContain('client_secret=');
    expect(logText.includes(SECRET)).toBe(false);

    r.setPod(
      pod({ containerID: 'docker://b', state: { running: { startedAt: new Date('2026-12-01T10:00:12Z') } }, lastState: { terminated }, restartCount: 1 }),
    );
    r.switchContainer('docker://b');
    r.containerEvent('start', '2026-12-01T10:00:12Z');
    r.lines.push('2026-12-01T10:00:12.100000000Z [2026-12-01 10:00:12,100] Runner starting.\n');
    r.lines.push('2026-12-01T10:00:13.000000000Z [2026-12-01 10:00:13,000] Updating runner state to "ONLINE".\n');
    expect(r.snapshot().runnerState).toBe('ONLINE');
    const states = events.flatMap((e) => (e.type === 'runner-state' ? [e.runnerState] : []));
    expect(states.slice(states.indexOf('CRASHED'))).toEqual(['CRASHED', 'STARTING', 'ONLINE']);
  });

  it('a resume from the whole second before the last line folds nothing twice', () => {
    const { r } = setup();
    r.setPod(pod({ containerID: 'docker://a', state: { running: {} } }));
    r.switchContainer('docker://a');
    r.lines.push('2026-12-01T10:00:00.100000000Z one\n2026-12-01T10:00:00.700000000Z two\n');
    r.resuming();
    r.lines.push('2026-12-01T10:00:00.100000000Z one\n2026-12-01T10:00:00.700000000Z two\n2026-12-01T10:00:01.200000000Z three\n');
    expect(r.lineNumber).toBe(3);
  });

  it('the pod as a container: creating, an image that cannot be pulled, a Job that finished', () => {
    expect(runnerPodFacts(null).containerState).toBe('missing');
    expect(runnerPodFacts(pod({ state: { waiting: { reason: 'ContainerCreating' } } }, 'Pending'))).toMatchObject({
      containerState: 'created',
      problemReason: null,
    });
    expect(runnerPodFacts(pod({ state: { waiting: { reason: 'ErrImagePull' } } }, 'Pending'))).toMatchObject({ problemReason: 'ErrImagePull' });
    expect(runnerPodFacts(pod({ state: { terminated: { exitCode: 0, containerID: 'docker://c' } } }, 'Succeeded'))).toMatchObject({
      containerState: 'exited',
      exitCode: 0,
    });
    const { r } = setup();
    r.setPod(pod({ state: { waiting: { reason: 'ImagePullBackOff' } } }, 'Pending'));
    expect(r.snapshot()).toMatchObject({ runnerState: 'UNHEALTHY', reason: 'ImagePullBackOff' });
  });
});
