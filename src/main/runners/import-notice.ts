/** The start-up line of `serve` and the desktop host about runners started by hand. */
import type { ImportCandidate } from './import.js';

/** How many runner containers were started by hand and how to import them; null when there are none. */
export function handMadeNotice(candidates: readonly ImportCandidate[]): string | null {
  if (candidates.length === 0) return null;
  const importable = candidates.filter((c) => c.problem === undefined);
  const names = candidates.map((c) => c.name).join(', ');
  const how =
    importable.length > 0
      ? `import ${importable.length === 1 ? 'it' : 'them'} in the Runners screen or with: runner-tray import --all (one: runner-tray import ${importable[0]!.name})`
      : 'none can be imported as it is: runner-tray import lists why';
  return `${candidates.length} runner container(s) started by hand, not managed by Runner Tray (${names}); ${how}.`;
}
