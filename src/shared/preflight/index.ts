export { preflight, hasFailure } from './preflight.js';
export { formatBytes, majorMinor, STEP_MEMORY, MIN_HOST_MEMORY, MIN_RUNNER_MEMORY, THRESHOLDS, type Thresholds } from './thresholds.js';
export { CHECKS } from './checks/index.js';
export type { PreflightCheck } from './check.js';
export type { DiskFact, Finding, FindingStatus, HostFacts, PreflightReport, RunnerFact, StepSize } from './types.js';
