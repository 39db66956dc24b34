import type { PreflightCheck } from '../check.js';
import { formatBytes, formatLimit } from '../thresholds.js';
import type { Finding } from '../types.js';

/** Each runner container's own memory limit (HostConfig.Memory; 0 = none) against the runner's minimum. */
export const runnerMemory: PreflightCheck = {
  id: 'runner-memory',
  applicable: (facts) => facts.runners.length > 0,
  check(facts, limits) {
    const min = formatLimit(limits.minRunnerMemory);
    return facts.runners.map((r): Finding => {
      const limit = r.memoryLimitBytes;
      const id = `runner-memory:${r.name}`;
      if (limit === undefined || limit === null) {
        return {
          id,
          status: 'ok',
          message: `Runner ${r.name}'s memory limit is unknown: it has no container yet (it is read from the container once the runner is started; ${min} or more is required).`,
        };
      }
      if (limit === 0) return { id, status: 'ok', message: `Runner ${r.name}'s container has no memory limit (the runner needs at least ${min}).` };
      if (limit < limits.minRunnerMemory) {
        return {
          id,
          status: 'fail',
          message: `Runner ${r.name} is limited to ${formatBytes(limit)}; the runner container needs at least ${min}.`,
          fix: `Raise its memory limit to ${min} or more (or remove the limit) and recreate it.`,
        };
      }
      return { id, status: 'ok', message: `Runner ${r.name}'s container is limited to ${formatBytes(limit)} (${min} or more is required).` };
    });
  },
};
