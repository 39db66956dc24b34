export { preflight, hasFailure, formatBytes, majorMinor, STEP_MEMORY, MIN_HOST_MEMORY, MIN_RUNNER_MEMORY } from './preflight.js';
export type { DiskFact, Finding, FindingStatus, HostFacts, PreflightReport, RunnerFact, StepSize } from './types.js';
