import type { RunnerRecord } from '../settings/types.js';
import { bare } from '../../shared/runner-spec.js';
import { RunnerError } from './errors.js';

/** `<runner>` as users type it: the UUID with or without braces (any case), or the container name. */
export function resolveRunner(input: string, records: readonly RunnerRecord[]): RunnerRecord {
  const wanted = input.trim();
  const asUuid = bare(wanted);
  const found =
    records.find((r) => bare(r.spec.runnerUuid) === asUuid) ??
    records.find((r) => r.spec.name === wanted) ??
    records.find((r) => r.spec.name === wanted.replace(/^\//, ''));
  if (found) return found;
  const known = records.map((r) => `${r.spec.runnerUuid} (${r.spec.name})`);
  throw new RunnerError(
    'RUNNER_NOT_FOUND',
    `No runner matches "${wanted}". ` +
      (known.length ? `Known runners: ${known.join(', ')}. ` : 'No runners are added yet. ') +
      'Give the runner UUID (braces optional) or its container name; add a runner with `runner-tray add`.',
  );
}
