/**
 * Taking a pool runner away without ever killing a step: for an idle one, its log and
 * Bitbucket's state are read again right before; it is disabled in Bitbucket (best-effort: the
 * public API leaves the body undocumented), looked at once more, then its container or workload
 * goes, then it is deleted in Bitbucket and forgotten here.
 */
import type { BitbucketClient } from '../bitbucket/client.js';
import { disableRunner, getRunner, ownerText } from '../bitbucket/runners-api.js';
import { ownerOf, removeRunnerEverywhere } from '../runners/create-runner.js';
import type { RunnerService } from '../runners/runner-service.js';
import type { RunnerRecord } from '../settings/types.js';
import type { RunnerBackend } from './backends.js';

export interface RetireDeps {
  client: BitbucketClient;
  runners: RunnerService;
  backend: RunnerBackend;
  /** Every Bitbucket write, one line each, without secrets. */
  log: (line: string) => void;
}

export type RetireOutcome = { retired: true; bitbucket: 'deleted' | 'already-gone' } | { retired: false; why: string };

/** Whether it took a step: its log or a step container here, or Bitbucket's `state.step`. */
async function tookAStep(deps: RetireDeps, record: RunnerRecord): Promise<string | null> {
  if (await deps.backend.busyNow(record)) return 'its log shows it took a step';
  const bb = await getRunner(deps.client, ownerOf(record), record.spec.runnerUuid);
  if (bb?.busy) return `Bitbucket shows it running step ${bb.stepUuid ?? ''}`.trim();
  return null;
}

/**
 * `checkSteps`: the runner was idle (past its cool-down) when the plan chose it; a step it took
 * since keeps it. A runner that never came online, or is gone, is retired without the check.
 */
export async function retireRunner(deps: RetireDeps, record: RunnerRecord, options: { checkSteps: boolean; why: string }): Promise<RetireOutcome> {
  const uuid = record.spec.runnerUuid;
  const name = record.displayName;
  const owner = ownerOf(record);
  if (options.checkSteps) {
    const busy = await tookAStep(deps, record);
    if (busy) return { retired: false, why: busy };
  }
  const bb = await getRunner(deps.client, owner, uuid);
  if (bb && bb.status !== 'DISABLED') {
    const outcome = await disableRunner(deps.client, owner, { uuid, name: bb.name || name, labels: bb.labels });
    deps.log(
      `disabled runner ${name} ${uuid} in Bitbucket ${ownerText(owner)} before retiring it (${options.why})${outcome === 'not-disabled' ? ": Bitbucket's answer does not show it disabled" : ''}`,
    );
    if (options.checkSteps) {
      // A step may have reached it between the first look and the disable.
      const busy = await tookAStep(deps, record);
      if (busy) return { retired: false, why: `${busy} (after it was disabled; it stays disabled until the step ends)` };
    }
  }
  await deps.backend.remove(record);
  const removed = await removeRunnerEverywhere({ client: deps.client, runners: deps.runners, log: deps.log }, uuid);
  return { retired: true, bitbucket: removed.bitbucket };
}
