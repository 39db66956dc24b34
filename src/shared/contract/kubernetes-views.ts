/**
 * What the UI sees of Kubernetes (`kubernetes.*`): context names and servers (never a credential
 * of the kubeconfig), a manifest preview whose secret values are masked, and the result of a move.
 * `RevealedManifestView` is the one view that carries a runner secret: only `kubernetes.reveal`
 * answers with it, on the user's explicit request, where the host allows it.
 */
import type { StartedRunnerView, RunnerView } from './views.js';

export interface KubeContextView {
  name: string;
  /** The API server's URL. */
  server: string;
  /** The context's own namespace, when it sets one. */
  namespace?: string;
  current: boolean;
}

export interface KubeContextsView {
  contexts: KubeContextView[];
  /** Why there are none (no kubeconfig, unreadable), in plain words with the fix; absent when there are. */
  problem?: string;
}

export interface ManifestPreviewView {
  runnerUuid: string;
  /** Multi-document YAML (Secret, then the workload), as `runner-tray k8s export --out -` writes it; secret values masked. */
  yaml: string;
  /** The cluster the facts came from, or why none was asked. */
  factsFrom: string;
  context: string | null;
  namespace: string;
  kind: 'deployment' | 'job';
  dind: { image: string; reason: string };
  notes: string[];
  /** Which Secret keys are masked in `yaml`. */
  maskedKeys: string[];
  /** Whether `kubernetes.reveal` answers here; when not, `revealHint` says how to get the YAML instead. */
  revealable: boolean;
  revealHint?: string;
}

export interface RevealedManifestView {
  runnerUuid: string;
  /** The YAML with the real secret values: for the user to copy, never to be logged or stored. */
  yaml: string;
}

export interface MovedRunnerView {
  runner: RunnerView;
  /** `context "x" (https://…)`. */
  cluster: string;
  namespace: string;
  namespaceCreated: boolean;
  /** This machine's container was stopped and removed. */
  localRemoved: boolean;
  dind: { image: string; reason: string };
  notes: string[];
}

export type BroughtBackRunnerView = StartedRunnerView;
