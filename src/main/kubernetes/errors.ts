/**
 * Kubernetes API failures in plain words: what failed, on which cluster, and what to do. Every
 * text from outside (the server's message, the client's) is scrubbed of the kubeconfig's
 * credentials and the runner's secrets before it reaches a message.
 */
import { redactText } from '../../shared/secret.js';

export type KubernetesErrorCode =
  | 'K8S_NO_KUBECONFIG'
  | 'K8S_CONTEXT_NOT_FOUND'
  | 'K8S_UNREACHABLE'
  | 'K8S_UNAUTHORIZED'
  | 'K8S_FORBIDDEN'
  | 'K8S_NAMESPACE_TERMINATING'
  | 'K8S_INVALID'
  | 'K8S_CONFLICT'
  | 'K8S_NOT_FOUND'
  | 'K8S_TIMEOUT'
  | 'K8S_RUNNER_BUSY'
  | 'K8S_LOCAL_UNCHECKED'
  | 'K8S_NOT_PLACED'
  | 'K8S_ERROR';

export class KubernetesError extends Error {
  constructor(
    readonly code: KubernetesErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'KubernetesError';
  }
}

/** What the failed call was, for the message. */
export interface CallContext {
  /** e.g. `apply Deployment bitbucket-runner/runner-…`. */
  action: string;
  /** e.g. `context "prod" (https://10.0.0.1:6443)`. */
  cluster: string;
  /** Values that must not appear: kubeconfig credentials, the runner's secrets. */
  secrets: readonly string[];
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

function statusBody(e: unknown): StatusBody | null {
  const body = (e as { body?: unknown } | null)?.body;
  if (typeof body === 'object' && body !== null) return body as StatusBody;
  if (typeof body !== 'string') return null;
  try {
    return JSON.parse(body) as StatusBody;
  } catch {
    return null;
  }
}

export function httpCodeOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const TLS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

/** `User "x" cannot patch resource "deployments" in API group "apps" in the namespace "ns"` → parts. */
function forbiddenParts(message: string): { user?: string; verb?: string; resource?: string; group?: string; namespace?: string } {
  const m = /User "([^"]*)" cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/.exec(message);
  if (!m) return {};
  return { user: m[1]!, verb: m[2]!, resource: m[3]!, group: m[4]!, ...(m[5] ? { namespace: m[5] } : {}) };
}

function explainForbidden(body: StatusBody, c: CallContext, clean: (s: string) => string): KubernetesError {
  const message = body.message ?? '';
  if (/being terminated/.test(message) || (body.details?.causes ?? []).some((x) => x.reason === 'NamespaceTerminating')) {
    const ns = /namespace (\S+) because/.exec(message)?.[1] ?? 'the namespace';
    return new KubernetesError(
      'K8S_NAMESPACE_TERMINATING',
      `Could not ${c.action} on ${c.cluster}: namespace ${ns} is being deleted (Terminating), so nothing new can be created in it. Wait until it is gone and apply again, or use another --namespace.`,
    );
  }
  const p = forbiddenParts(message);
  if (p.verb && p.resource) {
    const what = p.group ? `${p.resource}.${p.group}` : p.resource;
    const where = p.namespace ? ` in namespace "${p.namespace}"` : ' (cluster-wide)';
    return new KubernetesError(
      'K8S_FORBIDDEN',
      `Not allowed to ${c.action} on ${c.cluster}: user "${clean(p.user ?? '?')}" may not ${p.verb} ${what}${where} (RBAC forbidden). ` +
        `Ask a cluster admin for a Role that grants "${p.verb}" on "${p.resource}"${p.group ? ` (API group "${p.group}")` : ''}${p.namespace ? ` in namespace "${p.namespace}"` : ''}, or use a --context whose user has it.`,
    );
  }
  return new KubernetesError('K8S_FORBIDDEN', `Not allowed to ${c.action} on ${c.cluster} (RBAC forbidden): ${clean(message)}`);
}

/** The managers named in a server-side apply conflict, and their fields. */
function conflictText(body: StatusBody): string {
  const byManager = new Map<string, string[]>();
  for (const cause of body.details?.causes ?? []) {
    const manager = /conflict with "([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'another manager';
    byManager.set(manager, [...(byManager.get(manager) ?? []), cause.field ?? '?']);
  }
  if (byManager.size === 0) return body.message ?? 'conflict';
  return [...byManager].map(([m, fields]) => `"${m}" owns ${fields.join(', ')}`).join('; ');
}

export function explainK8sError(e: unknown, c: CallContext): Error {
  if (e instanceof KubernetesError) return e;
  const clean = (s: string) => redactText(s, c.secrets);
  const http = httpCodeOf(e);
  const sys = (e as { code?: unknown } | null)?.code;
  const raw = clean(e instanceof Error ? e.message : String(e));
  if (typeof sys === 'string' && NETWORK.has(sys)) {
    return new KubernetesError(
      'K8S_UNREACHABLE',
      `Could not ${c.action}: the cluster at ${c.cluster} is not reachable (${sys}). Check that it runs and that this machine can reach it (VPN, proxy), or pick another --context.`,
    );
  }
  if (typeof sys === 'string' && TLS.test(sys)) {
    return new KubernetesError(
      'K8S_UNREACHABLE',
      `Could not ${c.action}: the TLS certificate of ${c.cluster} is not trusted (${sys}). The kubeconfig's certificate-authority does not match this server.`,
    );
  }
  const body = statusBody(e);
  const serverMessage = clean(body?.message ?? '');
  switch (http) {
    case 401:
      return new KubernetesError(
        'K8S_UNAUTHORIZED',
        `Could not ${c.action}: ${c.cluster} rejected the kubeconfig's credentials (401 Unauthorized: expired or invalid). Log in again (e.g. refresh the cloud CLI's credentials) and retry.`,
      );
    case 403:
      return explainForbidden(body ?? {}, c, clean);
    case 404:
      return new KubernetesError('K8S_NOT_FOUND', `Could not ${c.action} on ${c.cluster}: ${serverMessage || 'not found'}.`);
    case 409:
      return new KubernetesError(
        'K8S_CONFLICT',
        `Could not ${c.action} on ${c.cluster}: another field manager changed this object (${clean(conflictText(body ?? {}))}). ` +
          'Apply again with --force to take these fields over for runner-tray, or leave the object to that tool.',
      );
    case 422: {
      const causes = (body?.details?.causes ?? []).map((x) => clean(`${x.field ? `${x.field}: ` : ''}${x.message ?? ''}`));
      return new KubernetesError(
        'K8S_INVALID',
        `${c.cluster} refused to ${c.action}: the object is invalid: ${causes.length > 0 ? causes.join('; ') : serverMessage}.`,
      );
    }
    default:
      break;
  }
  const detail = http !== undefined ? `HTTP ${http}${serverMessage ? `: ${serverMessage}` : ''}` : raw.split('\n')[0];
  return new KubernetesError('K8S_ERROR', `Could not ${c.action} on ${c.cluster}: ${detail}`);
}
