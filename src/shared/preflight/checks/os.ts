import { isDesktop, type PreflightCheck } from '../check.js';
import { atLeast, formatKernelVersion, majorMinor } from '../thresholds.js';
import type { HostFacts } from '../types.js';

const nonLinuxHost = (facts: HostFacts) => facts.hostPlatform === 'darwin' || facts.hostPlatform === 'win32';

/** A Linux host with a new enough kernel; Docker Desktop works but is not what Atlassian supports. */
export const os: PreflightCheck = {
  id: 'os',
  // On Linux without a kernel version there is nothing to judge.
  applicable: (facts) => isDesktop(facts) || facts.hostPlatform !== 'linux' || facts.kernelVersion !== undefined,
  check(facts, limits) {
    const id = 'os';
    const required = `${formatKernelVersion(limits.minKernel)} or newer`;
    if (isDesktop(facts) || nonLinuxHost(facts)) {
      const on = nonLinuxHost(facts) ? ` on ${facts.hostPlatform === 'darwin' ? 'macOS' : 'Windows'}` : '';
      return [
        {
          id,
          status: 'warn',
          message: `Docker Desktop${on} runs Linux Docker runners, but Atlassian supports them only on a Linux host (kernel ${required}).`,
          fix: "Fine for trying runners out; for a team's builds use a Linux host. Give Docker Desktop enough memory (Settings → Resources).",
        },
      ];
    }
    if (facts.hostPlatform !== 'linux') return [{ id, status: 'fail', message: `Runners need Linux; this host is "${facts.hostPlatform}".` }];
    const k = majorMinor(facts.kernelVersion);
    if (k === null) return [{ id, status: 'warn', message: `Kernel version "${facts.kernelVersion}" could not be read; ${required} is required.` }];
    if (!atLeast(k, limits.minKernel)) {
      return [
        {
          id,
          status: 'fail',
          message: `Linux kernel ${facts.kernelVersion} is too old: runners need ${required}.`,
          fix: "Upgrade the host's kernel or distribution.",
        },
      ];
    }
    return [{ id, status: 'ok', message: `Linux kernel ${facts.kernelVersion} (${required} is required).` }];
  },
};
