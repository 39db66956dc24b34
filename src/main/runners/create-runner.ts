/**
 * Runners made through Bitbucket's API instead of a pasted command: create the runner in
 * Bitbucket, put its one-time OAuth secret straight into the vault and the rest into settings
 * (through the paste path, so the record is the one a paste would give), optionally start it.
 * A failure after the POST deletes the runner in Bitbucket again; the error says what happened.
 * Also: remove a runner here and in Bitbucket. For the CLI and the dashboard (`runners.create`).
 */
import { isAbsolute } from 'node:path';
import { parseRunnerCommand, wizardRunnerCommand, type ParseWarning } from '../../shared/runner-command/index.js';
import { redactText, type Secret } from '../../shared/secret.js';
import { BitbucketError, type BitbucketClient } from '../bitbucket/client.js';
import { normalizeWorkspace, type BitbucketConnection } from '../bitbucket/connection.js';
import type { BitbucketRunnerView } from '../bitbucket/queued.js';
import { checkNewRunner, createRunner, deleteRunner, ownerText, repositoryUuids, workspaceUuid, type RunnerOwner } from '../bitbucket/runners-api.js';
import type { RunnerRecord } from '../settings/types.js';
import type { AddWarning, RunnerService, StartResult } from './runner-service.js';

export interface BitbucketRunnerDeps {
  client: BitbucketClient;
  /** The stored connection: its workspace is the default. */
  connection: BitbucketConnection;
  runners: RunnerService;
  /** Every write to Bitbucket, one line each, without secrets. */
  log?: (line: string) => void;
  /**
   * Connects to the Docker engine, for `start`: asked before the POST, so a runner is not created
   * in Bitbucket while Docker is down (and the cleanup, which removes a container, can reach it).
   */
  engine?: () => Promise<unknown>;
}

export interface CreateRunnerInput {
  /** Default: the connected workspace. */
  workspace?: string;
  /** A repository slug of the workspace: a repository runner. */
  repository?: string;
  name: string;
  labels?: readonly string[];
  /** As `add --work-dir`: an absolute directory, or `auto`. */
  workDir?: string;
  start?: boolean;
  /** The pool that makes it: kept in its record from the moment it is stored. */
  pool?: string;
}

export interface CreateRunnerResult {
  record: RunnerRecord;
  /** Bitbucket's view right after the create (UNREGISTERED until its container connects). */
  bitbucket: BitbucketRunnerView;
  warnings: Array<ParseWarning | AddWarning>;
  started: StartResult | null;
}

/** A step after the POST failed; `cleanedUp` says whether the runner was deleted in Bitbucket again. */
export class CreateRunnerError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly runnerUuid: string,
    readonly cleanedUp: boolean,
  ) {
    super(message);
    this.name = 'CreateRunnerError';
  }
}

const REPOSITORY_SLUG = /^[a-z0-9_.-]+$/i;

function codeOf(e: unknown): string {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : 'UNEXPECTED';
}

/** What is wrong with the input, before anything is asked of Bitbucket. */
function checkInput(deps: BitbucketRunnerDeps, input: CreateRunnerInput): { owner: RunnerOwner; name: string; labels: string[] } {
  const workspace = normalizeWorkspace(input.workspace ?? deps.connection.workspace);
  const repository = input.repository?.trim();
  if (repository !== undefined && !REPOSITORY_SLUG.test(repository)) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `"${input.repository}" is not a repository slug: use the part after https://bitbucket.org/${workspace}/ (letters, digits, ".", "-", "_").`,
    );
  }
  if (input.workDir !== undefined && input.workDir !== 'auto' && !(isAbsolute(input.workDir) && input.workDir.startsWith('/'))) {
    throw new BitbucketError('BITBUCKET_CONFIG', `--work-dir must be an absolute path such as /tmp/runner-tray/build-1, or "auto"; got "${input.workDir}".`);
  }
  const { name, labels } = checkNewRunner({ name: input.name, ...(input.labels ? { labels: input.labels } : {}) });
  return { owner: repository ? { workspace, repository } : { workspace }, name, labels };
}

/** ACCOUNT_UUID and REPOSITORY_UUID of a runner of `owner`, from Bitbucket. */
async function ownerUuids(client: BitbucketClient, owner: RunnerOwner): Promise<{ accountUuid: string; repositoryUuid: string | null }> {
  if (!owner.repository) return { accountUuid: await workspaceUuid(client, owner.workspace), repositoryUuid: null };
  const repo = await repositoryUuids(client, owner.workspace, owner.repository);
  return { accountUuid: repo.workspaceUuid ?? (await workspaceUuid(client, owner.workspace)), repositoryUuid: repo.uuid };
}

export async function createBitbucketRunner(deps: BitbucketRunnerDeps, input: CreateRunnerInput): Promise<CreateRunnerResult> {
  const { owner, name, labels } = checkInput(deps, input);
  if (input.start && deps.engine) {
    try {
      await deps.engine();
    } catch (e) {
      throw new CreateRunnerError(codeOf(e), `No runner was created in Bitbucket: --start needs Docker, and ${(e as Error).message}`, '', true);
    }
  }
  const uuids = await ownerUuids(deps.client, owner);
  const created = await createRunner(deps.client, owner, { name, labels });
  const runnerUuid = created.runner.uuid;
  deps.log?.(`created runner "${name}" ${runnerUuid} in Bitbucket ${ownerText(owner)} (labels ${created.runner.labels.join(', ')})`);
  let added = false;
  let step = "reading the runner command built from Bitbucket's answer";
  try {
    const parsed = parseRunnerCommand(
      wizardRunnerCommand({ ...uuids, runnerUuid, oauthClientId: created.oauthClientId, oauthClientSecret: created.secret }).reveal(),
    );
    if (!parsed.ok) throw new BitbucketError('BITBUCKET_BAD_RESPONSE', `Bitbucket's answer does not make a usable runner: ${parsed.error.message}`);
    step = 'storing the runner (secret into the vault, the rest into settings)';
    const result = await deps.runners.add(parsed, {
      displayName: name,
      ...(input.workDir !== undefined ? { workDir: input.workDir } : {}),
      ...(input.pool !== undefined ? { pool: input.pool } : {}),
    });
    added = true;
    let started: StartResult | null = null;
    if (input.start) {
      step = 'starting its container';
      started = await deps.runners.start(runnerUuid);
    }
    return { record: result.record, bitbucket: created.runner, warnings: [...parsed.warnings, ...result.warnings], started };
  } catch (e) {
    throw await undoCreate(deps, { owner, name, runnerUuid, secret: created.secret, added, step }, e);
  }
}

/** Remove what was made here, delete the runner in Bitbucket, and say so in one error. */
async function undoCreate(
  deps: BitbucketRunnerDeps,
  made: { owner: RunnerOwner; name: string; runnerUuid: string; secret: Secret; added: boolean; step: string },
  cause: unknown,
): Promise<CreateRunnerError> {
  const { owner, name, runnerUuid } = made;
  const why = redactText((cause as Error)?.message ?? String(cause), [made.secret]);
  let local = '';
  if (made.added) {
    local = await deps.runners.remove(runnerUuid).then(
      () => ' Its container, secret and settings here were removed.',
      (r: unknown) => ` Removing it here failed too (${redactText((r as Error).message, [made.secret])}); run "runner-tray remove ${runnerUuid}".`,
    );
  }
  const head = `Runner "${name}" was created in Bitbucket (${runnerUuid}, ${ownerText(owner)}), but ${made.step} failed: ${why}${local}`;
  try {
    const outcome = await deleteRunner(deps.client, owner, runnerUuid);
    deps.log?.(`deleted runner "${name}" ${runnerUuid} in Bitbucket ${ownerText(owner)} again (${made.step} failed)`);
    const gone = outcome === 'deleted' ? 'It was deleted in Bitbucket again' : 'Bitbucket no longer has it';
    return new CreateRunnerError(codeOf(cause), `${head} ${gone}, so nothing is left behind.`, runnerUuid, true);
  } catch (d) {
    return new CreateRunnerError(
      codeOf(cause),
      `${head} Deleting it in Bitbucket again failed as well (${(d as Error).message}): delete runner ${runnerUuid} in Bitbucket's Runners settings (${ownerText(owner)}).`,
      runnerUuid,
      false,
    );
  }
}

/** Where a stored runner lives in Bitbucket, addressed by the UUIDs it was configured with. */
export function ownerOf(record: RunnerRecord): RunnerOwner {
  const { spec } = record;
  return spec.kind === 'repository' && spec.repositoryUuid ? { workspace: spec.accountUuid, repository: spec.repositoryUuid } : { workspace: spec.accountUuid };
}

/**
 * Delete the runner in Bitbucket, then remove it here. Bitbucket first: when the local removal
 * fails, running this again works (Bitbucket's 404 counts as already deleted); the other order
 * would leave a runner in Bitbucket nothing here knows about.
 */
export async function removeRunnerEverywhere(
  deps: Omit<BitbucketRunnerDeps, 'connection' | 'runners'> & { runners: Pick<RunnerService, 'resolve' | 'remove'> },
  runner: string,
): Promise<{ runnerUuid: string; bitbucket: 'deleted' | 'already-gone' }> {
  const record = deps.runners.resolve(runner);
  const uuid = record.spec.runnerUuid;
  const owner = ownerOf(record);
  let bitbucket: 'deleted' | 'already-gone';
  try {
    bitbucket = await deleteRunner(deps.client, owner, uuid);
  } catch (e) {
    throw new CreateRunnerError(codeOf(e), `Runner ${uuid} was not removed (not in Bitbucket, not here): ${(e as Error).message}`, uuid, false);
  }
  deps.log?.(`deleted runner ${uuid} in Bitbucket ${ownerText(owner)}${bitbucket === 'already-gone' ? ' (it was already gone)' : ''}`);
  try {
    await deps.runners.remove(uuid);
  } catch (e) {
    throw new CreateRunnerError(
      codeOf(e),
      `Runner ${uuid} was deleted in Bitbucket, but removing it here failed: ${(e as Error).message} Run "runner-tray remove ${uuid}" again once that is fixed.`,
      uuid,
      true,
    );
  }
  return { runnerUuid: uuid, bitbucket };
}
