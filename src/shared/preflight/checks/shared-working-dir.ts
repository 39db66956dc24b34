import type { PreflightCheck } from '../check.js';
import { trimSlash } from './paths.js';

/** Two runners in one working directory clean up each other's files. */
export const sharedWorkingDir: PreflightCheck = {
  id: 'shared-working-dir',
  applicable: (facts) => facts.runners.length > 1,
  check(facts) {
    const id = 'shared-working-dir';
    const byDir = new Map<string, string[]>();
    for (const r of facts.runners) {
      const key = trimSlash(r.workingDirectory);
      byDir.set(key, [...(byDir.get(key) ?? []), r.name]);
    }
    const shared = [...byDir.entries()].filter(([, names]) => names.length > 1);
    if (shared.length === 0) return [{ id, status: 'ok', message: 'Each runner has its own working directory.' }];
    return [
      {
        id,
        status: 'warn',
        message: `Runners share a working directory: ${shared.map(([dir, names]) => `${names.join(', ')} in ${dir}`).join('; ')}. One runner's cleanup can delete another's running step files.`,
        fix: 'Give each runner its own working directory, e.g. /tmp/runner-<name>, mounted at the same path (-v /tmp/runner-<name>:/tmp/runner-<name>, WORKING_DIRECTORY=/tmp/runner-<name>).',
      },
    ];
  },
};
