/**
 * `runners.create` and `runners.remove` with `inBitbucket`: the dashboard's way to the runner
 * endpoints, over the same services as `runner-tray create` / `remove --in-bitbucket`. The
 * created runner's one-time secret goes from Bitbucket's answer into the vault; the answer here
 * carries its view and Bitbucket's status, nothing more.
 */
import type { ValidRequestOf } from '../../../shared/contract/channels.js';
import type { ErrorCode } from '../../../shared/contract/result.js';
import type { CreatedRunnerView } from '../../../shared/contract/views.js';
import type { BitbucketClient } from '../../bitbucket/client.js';
import type { BitbucketConnection } from '../../bitbucket/connection.js';
import { createBitbucketRunner, CreateRunnerError, removeRunnerEverywhere } from '../../runners/create-runner.js';
import { ApiError, toContractError } from '../contract-errors.js';
import type { HandlerDeps } from './types.js';

export const NOT_CONNECTED_MESSAGE =
  'Creating or deleting runners in Bitbucket needs a Bitbucket connection: connect your account in Settings with an API token that has the scopes read:runner:bitbucket and write:runner:bitbucket.';

/** Bitbucket's refusals the user can act on get their own code, so the page can say what to do. */
const BY_BITBUCKET_CODE: Record<string, ErrorCode> = {
  BITBUCKET_FORBIDDEN: 'BITBUCKET_SCOPES',
  BITBUCKET_RUNNER_LIMIT: 'BITBUCKET_RUNNER_LIMIT',
};

/** A service error as the contract's, with the Bitbucket codes above kept apart. */
function toApiError(e: unknown): ApiError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = (e as { message?: unknown } | null)?.message;
  if (typeof code === 'string' && typeof message === 'string' && BY_BITBUCKET_CODE[code]) return new ApiError(BY_BITBUCKET_CODE[code], message);
  const mapped = toContractError(e);
  // Our own words about what was created and undone (secret already masked): worth more than "unexpected".
  if (e instanceof CreateRunnerError && mapped.code === 'INTERNAL') return new ApiError('INTERNAL', e.message);
  return new ApiError(mapped.code, mapped.message);
}

async function connected(deps: HandlerDeps): Promise<{ client: BitbucketClient; connection: BitbucketConnection }> {
  const opened = await deps.bitbucket.open();
  if (!opened) throw new ApiError('BITBUCKET_NOT_CONNECTED', NOT_CONNECTED_MESSAGE);
  return opened;
}

export async function createRunnerHandler(deps: HandlerDeps, req: ValidRequestOf<'runners.create'>): Promise<CreatedRunnerView> {
  try {
    const { client, connection } = await connected(deps);
    const created = await createBitbucketRunner(
      { client, connection, runners: deps.runners, ...(deps.log ? { log: deps.log } : {}) },
      {
        name: req.name,
        labels: req.labels,
        start: req.startNow,
        ...(req.workspace ? { workspace: req.workspace } : {}),
        ...(req.repository ? { repository: req.repository } : {}),
        ...(req.workingDirectory ? { workDir: req.workingDirectory } : {}),
      },
    );
    const uuid = created.record.spec.runnerUuid;
    const view = deps.toRunnerView(await deps.runners.status(uuid));
    const { bitbucket } = created;
    return {
      ...view,
      ...(created.started?.pendingRestart ? { pendingRestart: true as const } : {}),
      bitbucket: { status: bitbucket.status, labels: bitbucket.labels, scope: bitbucket.scope },
      warnings: created.warnings.map(({ code, message }) => ({ code, message })),
    };
  } catch (e) {
    throw e instanceof ApiError ? e : toApiError(e);
  }
}

/** Bitbucket first (see removeRunnerEverywhere), but only once no step runs, or the user said so. */
export async function removeInBitbucket(
  deps: HandlerDeps,
  req: ValidRequestOf<'runners.remove'>,
): Promise<{ runnerUuid: string; removed: true; removedStepContainers: number; bitbucket: 'deleted' | 'already-gone' }> {
  try {
    const { client } = await connected(deps);
    if (!req.force) await deps.lifecycle.refuseDuringStep(req.runnerUuid);
    let removedStepContainers = 0;
    const runners = {
      resolve: (runner: string) => deps.runners.resolve(runner),
      // Through the lifecycle (forced: asked above), so the crash verdict ends and step containers go.
      remove: async (runner: string) => {
        const removed = await deps.lifecycle.remove(runner, { force: true });
        removedStepContainers = removed.removedStepContainers;
        return removed;
      },
    };
    const result = await removeRunnerEverywhere({ client, runners, ...(deps.log ? { log: deps.log } : {}) }, req.runnerUuid);
    return { runnerUuid: result.runnerUuid, removed: true as const, removedStepContainers, bitbucket: result.bitbucket };
  } catch (e) {
    throw e instanceof ApiError ? e : toApiError(e);
  }
}
