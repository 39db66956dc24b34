import { isDesktop, type PreflightCheck } from '../check.js';
import { formatBytes } from '../thresholds.js';

/** Swap lets a step over its memory limit slow down instead of failing as on Bitbucket Cloud. */
export const swap: PreflightCheck = {
  id: 'swap',
  // Only a Linux host's own swap matters; Docker Desktop's VM is not ours to tune.
  applicable: (facts) => !isDesktop(facts) && facts.hostPlatform === 'linux' && facts.swapTotalBytes != null,
  check(facts, limits) {
    const id = 'swap';
    const total = facts.swapTotalBytes!;
    const swappiness = facts.swappiness ?? null;
    const setting = `vm.swappiness=${limits.maxSwappiness}`;
    if (total === 0) return [{ id, status: 'ok', message: 'Swap is off: step memory limits behave as on Bitbucket Cloud.' }];
    if (swappiness !== null && swappiness <= limits.maxSwappiness) {
      return [
        {
          id,
          status: 'ok',
          message: `Swap is on (${formatBytes(total)}) with vm.swappiness=${swappiness}: step memory limits behave almost as on Bitbucket Cloud.`,
        },
      ];
    }
    const persist = `echo '${setting}' | sudo tee /etc/sysctl.d/99-bitbucket-runner.conf`;
    return [
      {
        id,
        status: 'warn',
        message: `Swap is on (${formatBytes(total)})${swappiness === null ? '' : ` with vm.swappiness=${swappiness}`}: a step over its memory limit may swap and slow down instead of failing as on Bitbucket Cloud.`,
        fix: `Either turn swap off: sudo swapoff -a (and comment out the swap line in /etc/fstab to keep it off), or make the kernel avoid it: sudo sysctl ${setting}, kept after reboot with ${persist}`,
      },
    ];
  },
};
