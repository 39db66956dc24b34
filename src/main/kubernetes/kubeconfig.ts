/**
 * The kubeconfig as kubectl finds it: the files in KUBECONFIG (merged, first wins), else
 * ~/.kube/config; never the in-cluster or localhost:8080 fallbacks. Its credentials are collected
 * so every message can be scrubbed of them.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesError } from './errors.js';

export interface LoadedKubeconfig {
  kc: KubeConfig;
  context: string;
  server: string;
  /** For messages: `context "x" (https://…)`. */
  label: string;
  /** Token, password, key data and auth-provider values of every user: scrubbed from all text. */
  credentials: string[];
}

function credentialsOf(kc: KubeConfig): string[] {
  const out: string[] = [];
  for (const u of kc.users) {
    const user = u as unknown as Record<string, unknown>;
    for (const key of ['token', 'password', 'keyData', 'certData']) {
      const v = user[key];
      if (typeof v === 'string' && v.length > 0) out.push(v);
    }
    const config = (user.authProvider as { config?: Record<string, unknown> } | undefined)?.config ?? {};
    for (const v of Object.values(config)) if (typeof v === 'string' && v.length >= 8) out.push(v);
  }
  return out;
}

export function loadKubeconfig(env: NodeJS.ProcessEnv, context?: string): LoadedKubeconfig {
  const files = (env.KUBECONFIG ?? '').split(delimiter).filter((f) => f.length > 0);
  if (files.length === 0 && env.HOME) files.push(join(env.HOME, '.kube', 'config'));
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) {
    throw new KubernetesError(
      'K8S_NO_KUBECONFIG',
      `No kubeconfig found (looked at ${files.join(', ') || 'KUBECONFIG and ~/.kube/config'}). Set KUBECONFIG to your cluster's kubeconfig file, or create ~/.kube/config (e.g. with your cloud's CLI).`,
    );
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(present[0]!);
    for (const f of present.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(f);
      kc.mergeConfig(more);
    }
  } catch (e) {
    // The parser's words may quote a line of the file: name the file only.
    throw new KubernetesError(
      'K8S_NO_KUBECONFIG',
      `The kubeconfig ${present.join(', ')} could not be read as a kubeconfig (${(e as Error).name}). Check it with \`kubectl config view\`.`,
    );
  }
  if (context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === context)) {
      const names = kc.getContexts().map((c) => c.name);
      throw new KubernetesError(
        'K8S_CONTEXT_NOT_FOUND',
        `The kubeconfig has no context "${context}"; it has ${names.length > 0 ? names.map((n) => `"${n}"`).join(', ') : 'none'}.`,
      );
    }
    kc.setCurrentContext(context);
  }
  const current = kc.getCurrentContext();
  const cluster = kc.getCurrentCluster();
  if (!current || !cluster) {
    throw new KubernetesError(
      'K8S_CONTEXT_NOT_FOUND',
      `The kubeconfig ${present[0]} has no current context; pick one with --context (or \`kubectl config use-context\`).`,
    );
  }
  return { kc, context: current, server: cluster.server, label: `context "${current}" (${cluster.server})`, credentials: credentialsOf(kc) };
}

export interface KubeContextSummary {
  name: string;
  server: string;
  namespace?: string;
  current: boolean;
}

/** The contexts for a picker: names, servers and namespaces only; nothing of the users' credentials. */
export function listContexts(env: NodeJS.ProcessEnv): KubeContextSummary[] {
  const { kc } = loadKubeconfig(env);
  const current = kc.getCurrentContext();
  return kc.getContexts().map((c) => {
    const server = kc.getCluster(c.cluster)?.server ?? '';
    return { name: c.name, server, ...(c.namespace ? { namespace: c.namespace } : {}), current: c.name === current };
  });
}
