/** `runners.*`: the runner list, parsing a pasted command, add / create / start / stop / remove, and log subscriptions. */
import type { ValidRequestOf } from '../../../shared/contract/channels.js';
import { toParsedCommandView } from '../../../shared/contract/parsed-view.js';
import type { AddedRunnerView, RunnerView, StartedRunnerView } from '../../../shared/contract/views.js';
import { parseRunnerCommand, type ParseResult } from '../../../shared/runner-command/index.js';
import type { RunnerService, StartResult } from '../../runners/runner-service.js';
import { ApiError, toContractError } from '../contract-errors.js';
import { createRunnerHandler, removeInBitbucket } from './runners-bitbucket.js';
import type { HandlerDeps, HandlersOf } from './types.js';

/** The saved runner a parsed command names, for "already saved as …" in the add form. */
export function savedAs(runners: RunnerService, parsed: ParseResult): { displayName: string } | null {
  if (!parsed.ok) return null;
  const known = findRecord(runners, parsed.spec.runnerUuid);
  return known ? { displayName: known.displayName } : null;
}

function findRecord(runners: RunnerService, runnerUuid: string) {
  try {
    return runners.resolve(runnerUuid);
  } catch {
    return undefined;
  }
}

function withPendingRestart(view: RunnerView, started: { pendingRestart: boolean; notice?: string }): StartedRunnerView {
  if (!started.pendingRestart) return view;
  return { ...view, pendingRestart: true, ...(started.notice ? { notice: started.notice } : {}) };
}

export function runnerHandlers(deps: HandlerDeps): HandlersOf<'runners'> {
  const runnerView = async (runner: string): Promise<RunnerView> => deps.toRunnerView(await deps.runners.status(runner));

  async function add(req: ValidRequestOf<'runners.add'>): Promise<AddedRunnerView> {
    const parsed = req.draftId !== undefined ? deps.drafts.take(req.draftId) : parseRunnerCommand(req.command ?? '');
    if (!parsed.ok) throw new ApiError('INVALID_INPUT', parsed.error.message);
    const known = findRecord(deps.runners, parsed.spec.runnerUuid);
    if (known && !req.replaceExisting) {
      throw new ApiError(
        'CONFLICT',
        `Runner ${parsed.spec.runnerUuid} is already saved as "${known.displayName}". Tick "replace its secret" to save the new secret (rotation), or cancel.`,
      );
    }
    const outcome = await deps.lifecycle.add(parsed, {
      replace: req.replaceExisting,
      start: req.startNow,
      ...(req.displayName ? { displayName: req.displayName } : {}),
      ...(req.workingDirectory ? { workDir: req.workingDirectory } : {}),
    });
    const uuid = outcome.record.spec.runnerUuid;
    if (outcome.startError !== undefined) {
      deps.events.pullEnded(uuid, (outcome.startError as Error).message);
      // Saved all the same (see RunnerLifecycle.add): the form closes and shows why it did not start.
      return { ...(await runnerView(uuid)), startError: toContractError(outcome.startError) };
    }
    return withPendingRestart(await runnerView(uuid), outcome);
  }

  return {
    async 'runners.list'() {
      await deps.syncPlaced?.();
      const statuses = await deps.runners.list();
      return statuses.map((s) => deps.toRunnerView(s));
    },

    async 'runners.parseCommand'({ command }) {
      const parsed = parseRunnerCommand(command);
      return toParsedCommandView(parsed, savedAs(deps.runners, parsed));
    },

    'runners.add': add,

    'runners.create': (req) => createRunnerHandler(deps, req),

    async 'runners.start'({ runnerUuid }) {
      let started: StartResult;
      try {
        started = await deps.lifecycle.start(runnerUuid);
      } catch (e) {
        deps.events.pullEnded(runnerUuid, (e as Error).message);
        throw e;
      }
      return withPendingRestart(await runnerView(runnerUuid), started);
    },

    async 'runners.stop'({ runnerUuid, force }) {
      const { removedStepContainers } = await deps.lifecycle.stop(runnerUuid, { force });
      return { ...(await runnerView(runnerUuid)), removedStepContainers };
    },

    async 'runners.remove'(req) {
      if (req.inBitbucket) return removeInBitbucket(deps, req);
      const { runnerUuid, force } = req;
      const { runnerUuid: removed, removedStepContainers } = await deps.lifecycle.remove(runnerUuid, { force });
      return { runnerUuid: removed, removed: true as const, removedStepContainers };
    },

    async 'runners.logs.subscribe'({ runnerUuid, tail }) {
      return deps.logs.subscribe(runnerUuid, tail);
    },

    async 'runners.logs.unsubscribe'({ subscriptionId }) {
      deps.logs.unsubscribe(subscriptionId);
      return { subscriptionId, unsubscribed: true as const };
    },
  };
}
