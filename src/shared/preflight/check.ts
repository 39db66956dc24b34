import type { Finding, HostFacts } from './types.js';
import type { Thresholds } from './thresholds.js';

/**
 * One preflight check, as Rancher Desktop's diagnostics: an id, whether it applies to these
 * facts (a fact that could not be read skips the check rather than guessing), and the
 * findings it makes. Pure: facts in, findings out.
 */
export interface PreflightCheck {
  /**
   * Names the check; its findings' ids are `<id>` or `<id>:<runner or path>`, except `binds`,
   * whose findings are `bind-socket:…`, `bind-containers:…` and `bind-workdir:…` per runner.
   */
  id: string;
  applicable(facts: HostFacts): boolean;
  check(facts: HostFacts, limits: Thresholds): Finding[];
}

/** Docker Desktop's VM stands between the host and the engine: its memory, kernel and paths are the VM's. */
export const isDesktop = (facts: HostFacts): boolean => facts.isDockerDesktop === true;

export const always = (): boolean => true;
