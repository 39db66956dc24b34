import { isDesktop, type PreflightCheck } from '../check.js';
import { formatBytes, formatLimit } from '../thresholds.js';

/** The engine's memory against the runner plus one 1x step (fail) and Atlassian's host minimum (warn). */
export const memory: PreflightCheck = {
  id: 'memory',
  applicable: (facts) => facts.memTotalBytes !== undefined,
  check(facts, limits) {
    const id = 'memory';
    const mem = facts.memTotalBytes!;
    const desktop = isDesktop(facts);
    const where = desktop ? "Docker Desktop's VM has" : 'The host has';
    const host = formatLimit(limits.minHostMemory);
    const raiseDesktop = `Raise Docker Desktop's memory (Settings → Resources) to ${host} or more.`;
    const oneStep = limits.stepMemory['1x'];
    if (mem < oneStep + limits.minRunnerMemory) {
      return [
        {
          id,
          status: 'fail',
          message: `${where} ${formatBytes(mem)} of memory: not enough for the runner (${formatLimit(limits.minRunnerMemory)}) and one 1x step (${formatLimit(oneStep)}).`,
          fix: desktop ? raiseDesktop : `Use a host with at least ${host} of memory.`,
        },
      ];
    }
    if (mem < limits.minHostMemory) {
      return [
        {
          id,
          status: 'warn',
          message: `${where} ${formatBytes(mem)} of memory; Atlassian asks for at least ${host}.`,
          fix: desktop ? raiseDesktop : 'Add memory, or run only 1x steps on this runner.',
        },
      ];
    }
    return [{ id, status: 'ok', message: `${where} ${formatBytes(mem)} of memory (${host} or more is required).` }];
  },
};
