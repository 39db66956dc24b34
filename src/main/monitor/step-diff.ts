/**
 * What a fold changed in a runner's steps, as the monitor announces it: pure, so the rules
 * (a rerun is a new step, a step seen only finished was also started) are tested on their own.
 */
import type { Step } from '../../shared/step-log/types.js';

export type StepChange = 'started' | 'phase' | 'finished';

export interface StepChangeEvent {
  change: StepChange;
  step: Step;
}

/** A step UUID can come back (a rerun, a replayed run), so a step is its UUID plus its start. */
const identity = (s: Step): string => `${s.stepUuid}|${s.startedAt ?? ''}`;

/**
 * The announcements that take `previous` to `next` (both as the fold keeps them: running steps
 * first, then finished ones newest first), oldest first. Steps the fold returned unchanged (the
 * same object) announce nothing.
 */
export function stepChanges(previous: readonly Step[], next: readonly Step[]): StepChangeEvent[] {
  if (previous === next) return [];
  const prev = new Map(previous.map((s) => [identity(s), s]));
  const out: StepChangeEvent[] = [];
  for (const s of [...next].reverse()) {
    const p = prev.get(identity(s));
    if (p === s) continue;
    let change: StepChange | null = null;
    if (!p) change = s.state === 'RUNNING' ? 'started' : 'finished';
    else if (p.state === 'RUNNING' && s.state !== 'RUNNING') change = 'finished';
    else if (s.state === 'RUNNING' && p.phase !== s.phase) change = 'phase';
    // Started and finished between two looks (a backlog, a quick step): it was running first.
    if (!p && s.state !== 'RUNNING') out.push({ change: 'started', step: { ...s, state: 'RUNNING' } });
    if (change) out.push({ change, step: s });
  }
  return out;
}
