import { isDesktop, type PreflightCheck } from '../check.js';
import { formatBytes, formatLimit, type Thresholds } from '../thresholds.js';
import type { HostFacts, RunnerFact, StepSize } from '../types.js';

/** Whether the engine's memory holds each runner's largest step, and all of them at once. */
export const memorySteps: PreflightCheck = {
  id: 'memory-steps',
  applicable: (facts) => facts.memTotalBytes !== undefined && facts.runners.length > 0,
  check(facts, limits) {
    const id = 'memory-steps';
    const mem = facts.memTotalBytes!;
    const assumed = assumedSizes(facts, limits);
    const need = (r: RunnerFact) => limits.stepMemory[r.largestStepSize ?? '1x'] + limits.minRunnerMemory;
    const biggest = facts.runners.reduce((a, b) => (need(b) > need(a) ? b : a));
    const total = facts.runners.reduce((sum, r) => sum + need(r), 0);
    const size = biggest.largestStepSize ?? '1x';
    if (mem < need(biggest)) {
      return [
        {
          id,
          status: 'fail',
          message: `Runner ${biggest.name} runs ${size} steps (${formatBytes(limits.stepMemory[size])}) but only ${formatBytes(mem)} is available; those steps will fail.${assumed}`,
          fix: `Give the ${isDesktop(facts) ? 'Docker Desktop VM' : 'host'} more memory, or use a smaller size: for the steps that run here.`,
        },
      ];
    }
    if (mem < total) {
      return [
        {
          id,
          status: 'warn',
          message: `If all ${facts.runners.length} runners run their largest steps at once they need ${formatBytes(total)}; ${formatBytes(mem)} is available.${assumed}`,
          fix: 'Run fewer runners on this host, or lower the step sizes they take.',
        },
      ];
    }
    return [{ id, status: 'ok', message: `${formatBytes(mem)} covers the runners' largest steps at once (${formatBytes(total)}).${assumed}` }];
  },
};

/** Bitbucket's API does not report a step's size:, so unless told, every runner counts as 1x; say so. */
function assumedSizes(facts: HostFacts, limits: Thresholds): string {
  const unsized = facts.runners.filter((r) => r.largestStepSize === undefined);
  if (unsized.length === 0) return '';
  const whose = unsized.length === facts.runners.length ? 'are' : `of ${unsized.map((r) => r.name).join(', ')} are`;
  const [first, ...larger] = Object.entries(limits.stepMemory) as Array<[StepSize, number]>;
  const others = larger.map(([size, bytes], i) => `${size}${i === 0 ? ' needs' : ''} ${formatLimit(bytes)}`).join(', ');
  return ` The step sizes ${whose} unknown (Bitbucket does not report a step's size:), so ${first![0]} (${formatLimit(first![1])}) is assumed; ${others}.`;
}
