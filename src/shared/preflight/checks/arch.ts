import type { PreflightCheck } from '../check.js';
import type { Finding, HostFacts } from '../types.js';

const ARM_LABEL = 'linux.arm64';

/** The runner image exists for x86_64 and arm64; on arm64, Bitbucket routes steps by the runner's label. */
export const arch: PreflightCheck = {
  id: 'arch',
  applicable: (facts) => facts.architecture !== undefined,
  check(facts) {
    const id = 'arch';
    const arch = facts.architecture!.toLowerCase();
    if (arch === 'x86_64' || arch === 'amd64' || arch === 'x64') return [{ id, status: 'ok', message: 'x86_64 host: runners need no extra label.' }];
    if (arch === 'aarch64' || arch === 'arm64') return [armLabels(facts)];
    return [{ id, status: 'fail', message: `The runner image exists for x86_64 and arm64 only; this engine is ${facts.architecture}.` }];
  },
};

function armLabels(facts: HostFacts): Finding {
  const id = 'arch';
  const unlabeled = facts.runners.filter((r) => !(r.labels ?? []).includes(ARM_LABEL));
  const known = facts.runners.length > 0 && facts.runners.every((r) => r.labels !== undefined);
  const unknown = facts.runners.filter((r) => r.labels === undefined);
  if (known && unlabeled.length === 0) return { id, status: 'ok', message: `arm64 host, and every runner has the ${ARM_LABEL} label.` };
  if (unknown.length > 0 && unlabeled.every((r) => r.labels === undefined)) {
    return {
      id,
      status: 'warn',
      message: `arm64 host: Bitbucket sends a step here only if the runner has the ${ARM_LABEL} label; the labels of ${unknown.map((r) => r.name).join(', ')} are unknown (Bitbucket is not connected, or does not list ${unknown.length === 1 ? 'this runner' : 'these runners'}).`,
      fix: `Check the runner's labels in Bitbucket (Repository or Workspace settings → Runners), or connect Bitbucket (runner-tray bitbucket connect --workspace W) so doctor can read them. The runner needs the ${ARM_LABEL} label and steps need runs-on: [self.hosted, ${ARM_LABEL}].`,
    };
  }
  return {
    id,
    status: 'warn',
    message: `arm64 host: Bitbucket sends a step here only if the runner has the ${ARM_LABEL} label${unlabeled.length && known ? ` (missing on ${unlabeled.map((r) => r.name).join(', ')})` : ''}.`,
    fix: `Create the runner in Bitbucket with the ${ARM_LABEL} label (Linux Docker (arm64)) and use runs-on: [self.hosted, ${ARM_LABEL}] in steps; step images must have arm64 variants.`,
  };
}
