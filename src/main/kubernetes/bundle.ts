/**
 * `k8s export`: the runner's objects as YAML files plus an apply.sh with the commands that work
 * (the article's `--dry-run` was removed from kubectl, and it applied `secrets.yaml` for a file
 * named `secret.yaml`). The bundle is the one place the secret leaves the vault, and says so.
 */
import { dumpYaml } from '@kubernetes/client-node';
import { bare } from '../../shared/runner-spec.js';
import { FIELD_MANAGER, runnerSelector, type RunnerManifests } from '../../shared/k8s/index.js';

export interface BundleFile {
  name: string;
  content: string;
  /** Holds the runner's secret: written 0600. */
  secret: boolean;
}

function sh(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function bundleFiles(m: RunnerManifests, runnerUuid: string): BundleFile[] {
  const ns = m.namespace.metadata.name;
  const workloadFile = `${m.workload.kind.toLowerCase()}.yaml`;
  const secretNote = m.secret
    ? `# secret.yaml holds the runner's OAuth client secret (in plain text, stringData): keep this\n# directory private and do not commit it; \`runner-tray k8s apply\` needs no file at all.\n`
    : `# This bundle holds no secret: the runner reads its OAuth values from the Secret you manage,\n# "${m.workload.spec.template.spec.containers[0]?.env?.find((e) => e.valueFrom)?.valueFrom?.secretKeyRef.name}", with the keys ${m.secretKeys.join(', ')} (e.g. External Secrets, Vault).\n`;
  const header = `# Bitbucket Pipelines runner ${runnerUuid} for Kubernetes, exported by runner-tray.\n${secretNote}`;
  const files: BundleFile[] = [];
  if (m.secret) files.push({ name: 'secret.yaml', content: header + dumpYaml(m.secret), secret: true });
  files.push({ name: workloadFile, content: header + dumpYaml(m.workload), secret: false });
  const applyFiles = [...(m.secret ? ['secret.yaml'] : []), workloadFile];
  const kubectlApply = `kubectl -n "$NS" apply --server-side --field-manager=${FIELD_MANAGER} -f`;
  const script = [
    '#!/bin/sh',
    header.trimEnd(),
    `# Usage: ./apply.sh [apply|status|teardown]   (the same as runner-tray k8s apply|status|delete ${bare(runnerUuid)})`,
    'set -eu',
    'cd "$(dirname "$0")"',
    `NS=\${NS:-${sh(ns)}}`,
    `SELECTOR=${sh(runnerSelector(runnerUuid))}`,
    'case "${1:-apply}" in',
    '  apply)',
    '    kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -',
    ...applyFiles.map((f) => `    ${kubectlApply} ${f}`),
    '    ;;',
    '  status)',
    `    kubectl -n "$NS" get ${m.workload.kind.toLowerCase()},pods -l "$SELECTOR" -o wide`,
    '    ;;',
    '  teardown)',
    `    kubectl -n "$NS" delete --cascade=foreground --wait -f ${workloadFile}`,
    ...(m.secret ? ['    kubectl -n "$NS" delete --wait -f secret.yaml'] : []),
    '    # The namespace stays (other runners may live there): kubectl delete namespace "$NS" removes it.',
    '    ;;',
    '  *) echo "usage: $0 [apply|status|teardown]" >&2; exit 2 ;;',
    'esac',
    '',
  ].join('\n');
  files.push({ name: 'apply.sh', content: script, secret: false });
  return files;
}

/** One multi-document YAML (for `--out -`): the secret, if any, then the workload. */
export function bundleStream(m: RunnerManifests, runnerUuid: string): string {
  return bundleFiles(m, runnerUuid)
    .filter((f) => f.name.endsWith('.yaml'))
    .map((f) => f.content)
    .join('---\n');
}
