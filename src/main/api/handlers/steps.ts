/** `steps.*`: the steps the monitor follows, and the queued ones Bitbucket reports. */
import type { StepView } from '../../../shared/contract/views.js';
import { bare } from '../../../shared/runner-spec.js';
import type { HandlerDeps, HandlersOf } from './types.js';

export function stepHandlers(deps: HandlerDeps): HandlersOf<'steps'> {
  return {
    async 'steps.list'({ runnerUuid }) {
      const wanted = runnerUuid === undefined ? undefined : bare(runnerUuid);
      const out: StepView[] = [];
      for (const snap of deps.monitor.snapshot()) {
        if (wanted !== undefined && bare(snap.runnerUuid) !== wanted) continue;
        for (const step of snap.steps) out.push(deps.toStepView(snap.runnerUuid, step));
      }
      // Running first, then newest first: what the user is waiting for at the top.
      return out.sort((a, b) => Number(b.state === 'RUNNING') - Number(a.state === 'RUNNING') || b.startedAt.localeCompare(a.startedAt));
    },

    async 'steps.queued'() {
      return deps.queued.view();
    },
  };
}
