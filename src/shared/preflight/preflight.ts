import { CHECKS } from './checks/index.js';
import { THRESHOLDS, type Thresholds } from './thresholds.js';
import type { HostFacts, PreflightReport } from './types.js';

/** Judges the host: every applicable check, in order. `limits` is for tests; callers use the defaults. */
export function preflight(facts: HostFacts, limits: Thresholds = THRESHOLDS): PreflightReport {
  return { findings: CHECKS.filter((c) => c.applicable(facts)).flatMap((c) => c.check(facts, limits)) };
}

/** `doctor` exits 1 when this is true. */
export function hasFailure(report: PreflightReport): boolean {
  return report.findings.some((f) => f.status === 'fail');
}
