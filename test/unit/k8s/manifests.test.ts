import { describe, expect, it } from 'vitest';
import { parseRunnerCommand } from '../../../src/shared/runner-command/index.js';
import type { RunnerSpec } from '../../../src/shared/runner-command/types.js';
import {
  chooseDind,
  K8sOptionError,
  runnerManifests,
  supportsNativeSidecar,
  archFromLabels,
  type Container,
  type EnvVar,
  type ManifestOptions,
  type RunnerManifests,
  type RunnerSecretValues,
} from '../../../src/shared/k8s/index.js';
import { IDS, paste } from '../../support/pastes.js';

function parsed(file: string): { spec: RunnerSpec; values: RunnerSecretValues } {
  const r = parseRunnerCommand(paste(file));
  if (!r.ok) throw new Error(r.error.message);
  return { spec: r.spec, values: { secret: r.secret, extra: r.extraSecrets } };
}

const DIND = chooseDind({ nodes: [{ name: 'n1', containerRuntimeVersion: 'docker://20.10.7' }] });
const base: ManifestOptions = { dind: DIND, nativeSidecar: false };

function build(file: string, options: Partial<ManifestOptions> = {}): RunnerManifests {
  const { spec, values } = parsed(file);
  return runnerManifests(spec, values, { ...base, ...options });
}

const pod = (m: RunnerManifests) => m.workload.spec.template.spec;
const container = (m: RunnerManifests, name: string): Container => {
  const p = pod(m);
  const c = [...p.containers, ...(p.initContainers ?? [])].find((x) => x.name === name);
  if (!c) throw new Error(`no container ${name}`);
  return c;
};
const envOf = (c: Container): Record<string, EnvVar> => Object.fromEntries((c.env ?? []).map((e) => [e.name, e]));

describe('runner manifests', () => {
  it('Deployment by default: one replica, Recreate (never two pods on one runner UUID), restartPolicy Always', () => {
    const m = build('wizard-oneline-workspace.txt');
    expect(m.workload.kind).toBe('Deployment');
    if (m.workload.kind !== 'Deployment') return;
    expect(m.workload.apiVersion).toBe('apps/v1');
    expect(m.workload.spec.replicas).toBe(1);
    expect(m.workload.spec.strategy).toEqual({ type: 'Recreate' });
    expect(pod(m).restartPolicy).toBe('Always');
    // The selector matches the template's labels (the API server refuses it otherwise).
    for (const [k, v] of Object.entries(m.workload.spec.selector.matchLabels)) expect(m.workload.spec.template.metadata.labels[k]).toBe(v);
    expect(m.workload.metadata.name).toBe(`runner-${IDS.runner.slice(1, -1)}`);
    expect(m.workload.metadata.namespace).toBe('bitbucket-runner');
  });

  it('Job as Atlassian documents it: OnFailure, backoffLimit 6, completions 1, parallelism 1', () => {
    const m = build('wizard-oneline-workspace.txt', { kind: 'job' });
    expect(m.workload.kind).toBe('Job');
    if (m.workload.kind !== 'Job') return;
    expect(m.workload.apiVersion).toBe('batch/v1');
    expect(m.workload.spec).toMatchObject({ backoffLimit: 6, completions: 1, parallelism: 1 });
    expect(pod(m).restartPolicy).toBe('OnFailure');
  });

  it('the runner container gets exactly the pasted env, the OAuth values from the Secret', () => {
    const m = build('wizard-oneline-workspace.txt');
    const runner = container(m, 'runner');
    const secret = `runner-oauth-credentials-${IDS.runner.slice(1, -1)}`;
    expect(runner.env).toEqual([
      { name: 'ACCOUNT_UUID', value: IDS.account },
      { name: 'RUNNER_UUID', value: IDS.runner },
      { name: 'RUNTIME_PREREQUISITES_ENABLED', value: 'true' },
      { name: 'OAUTH_CLIENT_ID', valueFrom: { secretKeyRef: { name: secret, key: 'oauthClientId' } } },
      { name: 'OAUTH_CLIENT_SECRET', valueFrom: { secretKeyRef: { name: secret, key: 'oauthClientSecret' } } },
      { name: 'WORKING_DIRECTORY', value: '/tmp' },
    ]);
    expect(envOf(runner).REPOSITORY_UUID).toBeUndefined();
    expect(runner.image).toBe('docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1');
    expect(runner.imagePullPolicy).toBe('Always');
    expect(m.notes).toEqual([]);
  });

  it('a repository runner carries REPOSITORY_UUID and the repository_uuid label', () => {
    const m = build('wizard-oneline-repository.txt');
    expect(envOf(container(m, 'runner')).REPOSITORY_UUID).toEqual({ name: 'REPOSITORY_UUID', value: IDS.repository });
    for (const labels of [m.workload.metadata.labels!, m.workload.spec.template.metadata.labels, m.secret!.metadata.labels!]) {
      expect(labels).toEqual({
        account_uuid: IDS.account.slice(1, -1),
        repository_uuid: IDS.repository.slice(1, -1),
        runner_uuid: IDS.runner.slice(1, -1),
        'app.kubernetes.io/name': 'bitbucket-pipelines-runner',
        'app.kubernetes.io/managed-by': 'runner-tray',
      });
    }
  });

  it('the Secret holds the plain values in stringData (the API server encodes them once)', () => {
    const m = build('wizard-oneline-workspace.txt');
    expect(m.secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque' });
    expect(m.secret!.stringData).toEqual({ oauthClientId: IDS.clientId, oauthClientSecret: IDS.secret });
    expect(JSON.stringify(m.secret)).not.toContain(Buffer.from(IDS.secret).toString('base64'));
    expect(m.secret).not.toHaveProperty('data');
    // The secret is only in the Secret: the workload (printed by status, diffed by GitOps) has none.
    expect(JSON.stringify(m.workload)).not.toContain(IDS.secret);
  });

  it('secret-like extra variables go into the Secret and reach the runner through secretKeyRef', () => {
    const m = build('extra-secrets.txt');
    const env = envOf(container(m, 'runner'));
    expect(env.NPM_TOKEN?.valueFrom?.secretKeyRef.key).toBe('NPM_TOKEN');
    expect(env.NPM_TOKEN?.value).toBeUndefined();
    expect(m.secret!.stringData.NPM_TOKEN).toBe(IDS.npmToken);
    expect(JSON.stringify(m.workload)).not.toContain(IDS.npmToken);
    expect(m.secretKeys).toContain('NPM_TOKEN');
  });

  it("--secret-ref: no Secret object, the user's Secret referenced, no secret needed", () => {
    const { spec } = parsed('wizard-oneline-workspace.txt');
    const m = runnerManifests(spec, null, { ...base, secretRef: 'my-runner-creds' });
    expect(m.secret).toBeNull();
    const env = envOf(container(m, 'runner'));
    expect(env.OAUTH_CLIENT_ID?.valueFrom?.secretKeyRef).toEqual({ name: 'my-runner-creds', key: 'oauthClientId' });
    expect(env.OAUTH_CLIENT_SECRET?.valueFrom?.secretKeyRef).toEqual({ name: 'my-runner-creds', key: 'oauthClientSecret' });
    expect(m.secretKeys).toEqual(['oauthClientId', 'oauthClientSecret']);
    expect(() => runnerManifests(spec, null, base)).toThrow(/--secret-ref/);
  });

  it('mounts: emptyDirs for /tmp, /var/lib/docker/containers (read-only in the runner) and /var/run, shared with dind', () => {
    const m = build('wizard-oneline-workspace.txt');
    expect(pod(m).volumes).toEqual([
      { name: 'tmp', emptyDir: {} },
      { name: 'docker-containers', emptyDir: {} },
      { name: 'var-run', emptyDir: {} },
    ]);
    expect(container(m, 'runner').volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'docker-containers', mountPath: '/var/lib/docker/containers', readOnly: true },
      { name: 'var-run', mountPath: '/var/run' },
    ]);
    expect(container(m, 'docker').volumeMounts).toEqual([
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'docker-containers', mountPath: '/var/lib/docker/containers' },
      { name: 'var-run', mountPath: '/var/run' },
    ]);
  });

  it('a working directory outside /tmp gets its own volume at the same path in both containers', () => {
    const { spec, values } = parsed('wizard-oneline-workspace.txt');
    const moved = {
      ...spec,
      workingDirectory: '/srv/work',
      env: { ...spec.env, WORKING_DIRECTORY: '/srv/work' },
      binds: [...spec.binds, '/srv/work:/srv/work', '/home/me/.m2:/root/.m2'],
    };
    const m = runnerManifests(moved, values, base);
    for (const c of ['runner', 'docker']) expect(container(m, c).volumeMounts).toContainEqual({ name: 'work', mountPath: '/srv/work' });
    expect(m.notes).toEqual(['-v /home/me/.m2:/root/.m2 is not carried over: a pod has no host directories of this machine.']);
  });

  it('dind: privileged, `docker info` startup probe, sized; a plain second container before 1.29', () => {
    const m = build('wizard-oneline-workspace.txt');
    expect(pod(m).containers.map((c) => c.name)).toEqual(['runner', 'docker']);
    expect(pod(m).initContainers).toBeUndefined();
    const dind = container(m, 'docker');
    expect(dind.image).toBe('docker:20.10.7-dind');
    expect(dind.securityContext).toEqual({ privileged: true });
    expect(dind.startupProbe?.exec.command).toEqual(['docker', 'info']);
    expect(dind.restartPolicy).toBeUndefined();
    expect(dind.resources.limits.memory).toBe('5Gi');
    expect(container(m, 'runner').securityContext).toBeUndefined();
  });

  it('dind as a native sidecar (init container, restartPolicy Always) from 1.29', () => {
    expect(supportsNativeSidecar({ major: '1', minor: '29' })).toBe(true);
    expect(supportsNativeSidecar({ major: '1', minor: '30+' })).toBe(true);
    expect(supportsNativeSidecar({ major: '1', minor: '28' })).toBe(false);
    expect(supportsNativeSidecar({ major: '1', minor: '20' })).toBe(false);
    const m = build('wizard-oneline-workspace.txt', { nativeSidecar: true });
    expect(pod(m).containers.map((c) => c.name)).toEqual(['runner']);
    expect(pod(m).initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([['docker', 'Always']]);
    expect(pod(m).initContainers?.[0]?.startupProbe?.exec.command).toEqual(['docker', 'info']);
  });

  it('resources from the step size: 4/8/16/32 GB build + 1 GB docker service, 512 MB runner', () => {
    const sizes = { '1x': '5Gi', '2x': '9Gi', '4x': '17Gi', '8x': '33Gi' } as const;
    for (const [size, memory] of Object.entries(sizes)) {
      const m = build('wizard-oneline-workspace.txt', { size: size as keyof typeof sizes });
      expect(container(m, 'docker').resources).toMatchObject({ requests: { memory }, limits: { memory } });
      expect(container(m, 'runner').resources).toMatchObject({ requests: { memory: '512Mi' }, limits: { memory: '512Mi' } });
    }
  });

  it('nodeSelector kubernetes.io/arch: arm64 only for a runner with the linux.arm64 label', () => {
    expect(archFromLabels(['self.hosted', 'linux.arm64'])).toBe('arm64');
    expect(archFromLabels(['self.hosted', 'linux'])).toBe('amd64');
    expect(archFromLabels(null)).toBe('amd64');
    expect(pod(build('wizard-oneline-workspace.txt')).nodeSelector['kubernetes.io/arch']).toBe('amd64');
    expect(pod(build('wizard-oneline-workspace.txt', { arch: 'arm64' })).nodeSelector['kubernetes.io/arch']).toBe('arm64');
  });

  it('--image, --dind-image and --image-pull-policy override both containers', () => {
    const m = build('wizard-oneline-workspace.txt', {
      image: 'registry.example.com/mirror/runner:1',
      dind: chooseDind({ image: 'registry.example.com/mirror/docker:27-dind' }),
      imagePullPolicy: 'IfNotPresent',
    });
    expect(container(m, 'runner')).toMatchObject({ image: 'registry.example.com/mirror/runner:1', imagePullPolicy: 'IfNotPresent' });
    expect(container(m, 'docker')).toMatchObject({ image: 'registry.example.com/mirror/docker:27-dind', imagePullPolicy: 'IfNotPresent' });
  });

  it('names are Kubernetes-legal and bad options are refused with the rule', () => {
    const m = build('wizard-oneline-workspace.txt', { namespace: 'ci-runners' });
    for (const name of [m.workload.metadata.name, m.secret!.metadata.name]) {
      expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(name.length).toBeLessThanOrEqual(63);
    }
    expect(() => build('wizard-oneline-workspace.txt', { namespace: 'CI_Runners' })).toThrow(K8sOptionError);
    expect(() => build('wizard-oneline-workspace.txt', { namespace: 'CI_Runners' })).toThrow(/lowercase letters, digits and "-"/);
    expect(() => build('wizard-oneline-workspace.txt', { secretRef: 'Bad Name' })).toThrow(/not a valid Secret name/);
    expect(() => build('wizard-oneline-workspace.txt', { imagePullPolicy: 'Sometimes' as never })).toThrow(/Always, IfNotPresent, Never/);
    expect(() => build('wizard-oneline-workspace.txt', { image: 'two words' })).toThrow(/--image/);
  });

  it('the pod gets no service-link env and no API token (exactly the pasted env)', () => {
    const p = pod(build('wizard-oneline-workspace.txt'));
    expect(p.enableServiceLinks).toBe(false);
    expect(p.automountServiceAccountToken).toBe(false);
  });
});
