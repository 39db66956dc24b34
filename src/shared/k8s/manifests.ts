/**
 * RunnerSpec + options → the objects that run it on Kubernetes: a Namespace, a Secret (unless the
 * user manages one) and a workload (Deployment by default: a runner is long-lived; or a Job as
 * Atlassian documents it). The runner container gets exactly the env and mounts the pasted
 * `docker container run` configures; the Docker socket comes from a privileged dind sidecar
 * sharing /tmp, /var/lib/docker/containers and /var/run with it. Pure: every fact comes in as data.
 */
import { CONTAINERS_DIR, DOCKER_SOCKET } from '../runner-spec.js';
import type { RunnerSpec } from '../runner-command/types.js';
import type { Secret } from '../secret.js';
import type { DindChoice } from './dind-version.js';
import {
  checkNamespace,
  checkSecretName,
  DEFAULT_NAMESPACE,
  DIND_CONTAINER,
  DIND_REASON_ANNOTATION,
  K8sOptionError,
  RUNNER_CONTAINER,
  runnerLabels,
  RUNNER_LABEL,
  MANAGED_BY_LABEL,
  SECRET_KEY_CLIENT_ID,
  SECRET_KEY_CLIENT_SECRET,
  secretName,
  workloadName,
} from './names.js';
import { dindResources, runnerResources, type StepSize } from './resources.js';
import {
  IMAGE_PULL_POLICIES,
  type Container,
  type EnvVar,
  type ImagePullPolicy,
  type NamespaceObject,
  type PodTemplate,
  type SecretObject,
  type VolumeMount,
  type WorkloadKind,
  type WorkloadObject,
} from './types.js';

export type NodeArch = 'amd64' | 'arm64';

export interface ManifestOptions {
  namespace?: string;
  kind?: WorkloadKind;
  size?: StepSize;
  /** Runner image; default the pasted one. */
  image?: string;
  dind: DindChoice;
  /** Default `Always`, as Atlassian's autoscaler: the `:1` tag moves. */
  imagePullPolicy?: ImagePullPolicy;
  /** Reference this Secret (the user's: External Secrets, Vault…) instead of creating one. */
  secretRef?: string;
  /** Kubernetes ≥ 1.29: dind as an init container with restartPolicy Always. */
  nativeSidecar: boolean;
  arch?: NodeArch;
  /** Names of the runner's secret-looking extra `-e` variables (settings' vaultEnv). */
  extraSecretNames?: readonly string[];
  /** For tests: how long the kubelet waits after SIGTERM. */
  terminationGracePeriodSeconds?: number;
}

export interface RunnerSecretValues {
  secret: Secret;
  extra: Readonly<Record<string, Secret>>;
}

export interface RunnerManifests {
  namespace: NamespaceObject;
  /** null with --secret-ref: the user's Secret is referenced instead. */
  secret: SecretObject | null;
  workload: WorkloadObject;
  /** Keys the referenced or created Secret must hold. */
  secretKeys: string[];
  /** Things of the pasted command that do not carry over to a cluster, and defaults we filled in. */
  notes: string[];
}

const VOLUME_TMP = 'tmp';
const VOLUME_CONTAINERS = 'docker-containers';
const VOLUME_RUN = 'var-run';
const VOLUME_WORK = 'work';
const VAR_RUN = '/var/run';

/** `linux.arm64` among the runner's Bitbucket labels means arm64 nodes. */
export function archFromLabels(labels: readonly string[] | null | undefined): NodeArch {
  return (labels ?? []).includes('linux.arm64') ? 'arm64' : 'amd64';
}

/** Native sidecars need Kubernetes 1.29; `minor` may carry a vendor suffix ("29+"). */
export function supportsNativeSidecar(version: { major: string; minor: string }): boolean {
  const major = Number.parseInt(version.major, 10);
  const minor = Number.parseInt(version.minor, 10);
  return major > 1 || (major === 1 && minor >= 29);
}

function underTmp(dir: string): boolean {
  return dir === '/tmp' || dir.startsWith('/tmp/');
}

function secretEnv(name: string, secret: string, key: string): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secret, key } } };
}

/** The pasted env in order; OAuth values and secret extras come from the Secret, never inline. */
function runnerEnv(spec: RunnerSpec, secret: string, extraNames: readonly string[], notes: string[]): EnvVar[] {
  const out: EnvVar[] = [];
  const has = (n: string) => n in spec.env;
  for (const [name, value] of Object.entries(spec.env)) {
    if (name === 'OAUTH_CLIENT_SECRET' || extraNames.includes(name)) continue;
    if (name === 'OAUTH_CLIENT_ID') {
      out.push(secretEnv(name, secret, SECRET_KEY_CLIENT_ID), secretEnv('OAUTH_CLIENT_SECRET', secret, SECRET_KEY_CLIENT_SECRET));
      continue;
    }
    out.push({ name, value });
  }
  if (!has('OAUTH_CLIENT_ID')) {
    out.push(secretEnv('OAUTH_CLIENT_ID', secret, SECRET_KEY_CLIENT_ID), secretEnv('OAUTH_CLIENT_SECRET', secret, SECRET_KEY_CLIENT_SECRET));
  }
  // The current wizard sets both; an older paste without them gets what the runner assumes.
  if (!has('RUNTIME_PREREQUISITES_ENABLED')) {
    out.push({ name: 'RUNTIME_PREREQUISITES_ENABLED', value: 'true' });
    notes.push('RUNTIME_PREREQUISITES_ENABLED=true added: current Bitbucket commands set it, this paste did not.');
  }
  if (!has('WORKING_DIRECTORY')) out.push({ name: 'WORKING_DIRECTORY', value: spec.workingDirectory });
  for (const name of extraNames) out.push(secretEnv(name, secret, name));
  return out;
}

/** Host binds of the paste that become pod volumes; anything else cannot follow the runner to a node. */
function unsupportedBinds(spec: RunnerSpec): string[] {
  const known = new Set(['/tmp', DOCKER_SOCKET, CONTAINERS_DIR, spec.workingDirectory]);
  return spec.binds.filter((b) => {
    const parts = b.split(':');
    const container = parts.length >= 3 && /^(ro|rw)/.test(parts[parts.length - 1]!) ? parts[parts.length - 2]! : parts[parts.length - 1]!;
    return !known.has(container);
  });
}

function checkImage(image: string, flag: string): string {
  if (image.trim() === '' || /\s/.test(image))
    throw new K8sOptionError(`${flag} "${image}" is not an image reference (e.g. registry.example.com/bitbucket-pipelines-runner:1).`);
  return image;
}

export function checkPullPolicy(policy: string): ImagePullPolicy {
  if (!(IMAGE_PULL_POLICIES as readonly string[]).includes(policy)) {
    throw new K8sOptionError(`--image-pull-policy "${policy}" is not one of ${IMAGE_PULL_POLICIES.join(', ')}.`);
  }
  return policy as ImagePullPolicy;
}

function podTemplate(
  spec: RunnerSpec,
  o: Required<Pick<ManifestOptions, 'size' | 'imagePullPolicy' | 'nativeSidecar' | 'arch'>> & ManifestOptions,
  secret: string,
  restartPolicy: 'Always' | 'OnFailure',
  notes: string[],
): PodTemplate {
  const work = !underTmp(spec.workingDirectory);
  const shared = (readOnlyContainers: boolean): VolumeMount[] => [
    { name: VOLUME_TMP, mountPath: '/tmp' },
    readOnlyContainers ? { name: VOLUME_CONTAINERS, mountPath: CONTAINERS_DIR, readOnly: true } : { name: VOLUME_CONTAINERS, mountPath: CONTAINERS_DIR },
    { name: VOLUME_RUN, mountPath: VAR_RUN },
    // The runner hands the working directory's path to step containers: dind must see it at the same path.
    ...(work ? [{ name: VOLUME_WORK, mountPath: spec.workingDirectory }] : []),
  ];
  const runner: Container = {
    name: RUNNER_CONTAINER,
    image: checkImage(o.image ?? spec.image, '--image'),
    imagePullPolicy: o.imagePullPolicy,
    ...(spec.args.length > 0 ? { args: [...spec.args] } : {}),
    env: runnerEnv(spec, secret, o.extraSecretNames ?? [], notes),
    volumeMounts: shared(true),
    resources: runnerResources(),
  };
  const dind: Container = {
    name: DIND_CONTAINER,
    image: o.dind.image,
    imagePullPolicy: o.imagePullPolicy,
    securityContext: { privileged: true },
    volumeMounts: shared(false),
    resources: dindResources(o.size),
    startupProbe: { exec: { command: ['docker', 'info'] }, periodSeconds: 2, failureThreshold: 60, timeoutSeconds: 5 },
  };
  return {
    metadata: {
      labels: runnerLabels(spec),
      annotations: { 'kubectl.kubernetes.io/default-container': RUNNER_CONTAINER },
    },
    spec: {
      ...(o.nativeSidecar ? { initContainers: [{ ...dind, restartPolicy: 'Always' as const }], containers: [runner] } : { containers: [runner, dind] }),
      volumes: [VOLUME_TMP, VOLUME_CONTAINERS, VOLUME_RUN, ...(work ? [VOLUME_WORK] : [])].map((name) => ({ name, emptyDir: {} })),
      restartPolicy,
      nodeSelector: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': o.arch },
      // Exactly the pasted env: no service-link variables; the runner never talks to the API.
      enableServiceLinks: false,
      automountServiceAccountToken: false,
      ...(o.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: o.terminationGracePeriodSeconds } : {}),
    },
  };
}

/**
 * The objects for one runner. `values` (the OAuth secret and secret extras from the vault) is
 * needed unless `secretRef` is given; the Secret carries them as stringData.
 */
export function runnerManifests(spec: RunnerSpec, values: RunnerSecretValues | null, options: ManifestOptions): RunnerManifests {
  const namespace = checkNamespace(options.namespace ?? DEFAULT_NAMESPACE);
  const extraNames = options.extraSecretNames ?? Object.keys(values?.extra ?? {});
  const o = {
    extraSecretNames: extraNames,
    ...options,
    size: options.size ?? '1x',
    imagePullPolicy: checkPullPolicy(options.imagePullPolicy ?? 'Always'),
    arch: options.arch ?? ('amd64' as NodeArch),
  };
  const notes: string[] = [];
  const secret = options.secretRef !== undefined ? checkSecretName(options.secretRef) : secretName(spec.runnerUuid);
  const secretKeys = [SECRET_KEY_CLIENT_ID, SECRET_KEY_CLIENT_SECRET, ...extraNames];
  for (const b of unsupportedBinds(spec)) notes.push(`-v ${b} is not carried over: a pod has no host directories of this machine.`);
  const labels = runnerLabels(spec);
  const metadata = {
    name: workloadName(spec.runnerUuid),
    namespace,
    labels,
    annotations: { [DIND_REASON_ANNOTATION]: `${o.dind.image}: ${o.dind.reason}` },
  };
  const kind = options.kind ?? 'deployment';
  const workload: WorkloadObject =
    kind === 'deployment'
      ? {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata,
          spec: {
            replicas: 1,
            // Never two pods on one runner UUID (Bitbucket answers the second with 409): old pod goes first.
            strategy: { type: 'Recreate' },
            revisionHistoryLimit: 2,
            selector: { matchLabels: { [RUNNER_LABEL]: labels[RUNNER_LABEL]!, [MANAGED_BY_LABEL]: labels[MANAGED_BY_LABEL]! } },
            template: podTemplate(spec, o, secret, 'Always', notes),
          },
        }
      : {
          apiVersion: 'batch/v1',
          kind: 'Job',
          metadata,
          spec: { backoffLimit: 6, completions: 1, parallelism: 1, template: podTemplate(spec, o, secret, 'OnFailure', notes) },
        };
  let secretObject: SecretObject | null = null;
  if (options.secretRef === undefined) {
    if (!values) throw new K8sOptionError(`Runner ${spec.runnerUuid}: its secret is needed to build the Secret (or give --secret-ref NAME).`);
    const stringData: Record<string, string> = {
      [SECRET_KEY_CLIENT_ID]: spec.oauthClientId,
      [SECRET_KEY_CLIENT_SECRET]: values.secret.reveal(),
    };
    for (const name of extraNames) {
      const v = values.extra[name];
      if (!v)
        throw new K8sOptionError(`Runner ${spec.runnerUuid}: the value of ${name} is missing from the vault; add the runner command again with --replace.`);
      stringData[name] = v.reveal();
    }
    secretObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: secret, namespace, labels }, type: 'Opaque', stringData };
  }
  return {
    namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    secret: secretObject,
    workload,
    secretKeys,
    notes,
  };
}
