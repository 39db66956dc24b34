/**
 * Names and labels of a runner's objects. Names derive from the runner UUID (so each tool finds
 * the other's objects: Atlassian's autoscaler names them the same way), labels are shared with that
 * autoscaler (`account_uuid`, `repository_uuid`, `runner_uuid`) plus the standard managed-by.
 */
import { bare } from '../runner-spec.js';
import type { RunnerSpec } from '../runner-command/types.js';

export const DEFAULT_NAMESPACE = 'bitbucket-runner';
export const FIELD_MANAGER = 'runner-tray';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'runner-tray';
export const NAME_LABEL = 'app.kubernetes.io/name';
export const APP_NAME = 'bitbucket-pipelines-runner';
export const ACCOUNT_LABEL = 'account_uuid';
export const REPOSITORY_LABEL = 'repository_uuid';
export const RUNNER_LABEL = 'runner_uuid';
/** Why this dind image was chosen, kept on the workload so `k8s status` can say it later. */
export const DIND_REASON_ANNOTATION = 'runner-tray/dind-reason';
export const RUNNER_CONTAINER = 'runner';
export const DIND_CONTAINER = 'docker';
/** Secret keys, as Atlassian's autoscaler and the article name them. */
export const SECRET_KEY_CLIENT_ID = 'oauthClientId';
export const SECRET_KEY_CLIENT_SECRET = 'oauthClientSecret';

/** An option the user gave that Kubernetes would refuse, named with the rule and the fix. */
export class K8sOptionError extends Error {
  readonly code = 'K8S_INVALID_OPTION';
  constructor(message: string) {
    super(message);
    this.name = 'K8sOptionError';
  }
}

// RFC 1123 label (namespaces, container names) and subdomain (most object names).
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

export function isDnsSubdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}

export function checkNamespace(namespace: string): string {
  if (!isDnsLabel(namespace)) {
    throw new K8sOptionError(
      `"${namespace}" is not a valid namespace name: use at most 63 lowercase letters, digits and "-", starting and ending with a letter or digit (e.g. ${DEFAULT_NAMESPACE}).`,
    );
  }
  return namespace;
}

export function checkSecretName(name: string): string {
  if (!isDnsSubdomain(name)) {
    throw new K8sOptionError(
      `"${name}" is not a valid Secret name: use lowercase letters, digits, "-" and ".", starting and ending with a letter or digit (e.g. bitbucket-runner-oauth).`,
    );
  }
  return name;
}

/** `runner-<uuid>`: the workload of one runner (41 characters, within every name limit). */
export function workloadName(runnerUuid: string): string {
  return `runner-${bare(runnerUuid)}`;
}

export function secretName(runnerUuid: string): string {
  return `runner-oauth-credentials-${bare(runnerUuid)}`;
}

/** What selects this runner's objects (label selector form for list/watch calls). */
export function runnerSelector(runnerUuid: string): string {
  return `${RUNNER_LABEL}=${bare(runnerUuid)},${MANAGED_BY_LABEL}=${MANAGED_BY}`;
}

/** Every object of ours carries these; label values are the bare UUIDs (braces are not allowed there). */
export function runnerLabels(spec: RunnerSpec): Record<string, string> {
  return {
    [ACCOUNT_LABEL]: bare(spec.accountUuid),
    ...(spec.repositoryUuid ? { [REPOSITORY_LABEL]: bare(spec.repositoryUuid) } : {}),
    [RUNNER_LABEL]: bare(spec.runnerUuid),
    [NAME_LABEL]: APP_NAME,
    [MANAGED_BY_LABEL]: MANAGED_BY,
  };
}
