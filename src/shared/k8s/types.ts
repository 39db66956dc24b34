/**
 * The part of the Kubernetes object shapes we produce. Declared here rather than taken from
 * @kubernetes/client-node so this pure module depends on no I/O library; each is structurally a
 * subset of the client's V1… type, and the API server is the one that checks them.
 */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}

export interface ResourceRequirements {
  requests: Record<string, string>;
  limits: Record<string, string>;
}

export interface Container {
  name: string;
  image: string;
  imagePullPolicy: ImagePullPolicy;
  args?: string[];
  env?: EnvVar[];
  volumeMounts: VolumeMount[];
  resources: ResourceRequirements;
  securityContext?: { privileged: boolean };
  startupProbe?: { exec: { command: string[] }; periodSeconds: number; failureThreshold: number; timeoutSeconds: number };
  /** `Always` on an init container makes it a native sidecar (Kubernetes ≥ 1.29). */
  restartPolicy?: 'Always';
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  volumes: Array<{ name: string; emptyDir: Record<string, never> }>;
  restartPolicy: 'Always' | 'OnFailure';
  nodeSelector: Record<string, string>;
  enableServiceLinks: boolean;
  automountServiceAccountToken: boolean;
  terminationGracePeriodSeconds?: number;
}

export interface PodTemplate {
  metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface NamespaceObject {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: ObjectMeta;
}

export interface SecretObject {
  apiVersion: 'v1';
  kind: 'Secret';
  metadata: ObjectMeta & { namespace: string };
  type: 'Opaque';
  /** Plain values: the API server encodes them once (hand-made base64 is how they get encoded twice). */
  stringData: Record<string, string>;
}

export interface DeploymentObject {
  apiVersion: 'apps/v1';
  kind: 'Deployment';
  metadata: ObjectMeta & { namespace: string };
  spec: {
    replicas: 1;
    strategy: { type: 'Recreate' };
    revisionHistoryLimit: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
  };
}

export interface JobObject {
  apiVersion: 'batch/v1';
  kind: 'Job';
  metadata: ObjectMeta & { namespace: string };
  spec: { backoffLimit: 6; completions: 1; parallelism: 1; template: PodTemplate };
}

export type WorkloadObject = DeploymentObject | JobObject;
export type WorkloadKind = 'deployment' | 'job';
export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export const IMAGE_PULL_POLICIES: readonly ImagePullPolicy[] = ['Always', 'IfNotPresent', 'Never'];
export const WORKLOAD_KINDS: readonly WorkloadKind[] = ['deployment', 'job'];
