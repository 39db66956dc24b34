/**
 * The manifest preview of the dashboard's "Move to cluster…": the YAML `k8s export --out -` would
 * write for the same options, with the Secret's values masked (the OAuth client id stays: it is
 * shown everywhere already). Unmasked only through `revealedYaml`, on the user's explicit request.
 */
import { SECRET_KEY_CLIENT_ID, type RunnerManifests } from '../../shared/k8s/index.js';
import { bundleStream } from './bundle.js';

/** Stands in for each hidden value: the same for every value, so it says nothing about one. */
export const MASK = '•••••••• (hidden)';

export function maskedManifests(m: RunnerManifests): { manifests: RunnerManifests; maskedKeys: string[] } {
  if (!m.secret) return { manifests: m, maskedKeys: [] };
  const maskedKeys = Object.keys(m.secret.stringData).filter((k) => k !== SECRET_KEY_CLIENT_ID);
  const stringData = Object.fromEntries(Object.entries(m.secret.stringData).map(([k, v]) => [k, k === SECRET_KEY_CLIENT_ID ? v : MASK]));
  return { manifests: { ...m, secret: { ...m.secret, stringData } }, maskedKeys };
}

export function previewYaml(m: RunnerManifests, runnerUuid: string): { yaml: string; maskedKeys: string[] } {
  const { manifests, maskedKeys } = maskedManifests(m);
  return { yaml: bundleStream(manifests, runnerUuid), maskedKeys };
}

export function revealedYaml(m: RunnerManifests, runnerUuid: string): string {
  return bundleStream(m, runnerUuid);
}
