/**
 * Bitbucket's side of the runners this app runs: which repositories their steps come from, and
 * how Bitbucket sees them (status, busy, labels). Repository runners are addressed by their
 * repository's UUID: Bitbucket accepts `{repository UUID}` in place of the repo slug, so no
 * slug lookup (and no extra request) is needed.
 */
import type { RunnerRecord } from '../settings/types.js';
import { BitbucketError, type BitbucketClient } from './client.js';
import type { BitbucketConnection } from './connection.js';
import { fetchRunners, type BitbucketRunnerView, type RepositoryProblem } from './queued.js';

const lower = (uuid: string) => `{${uuid.replace(/[{}]/g, '').toLowerCase()}}`;

/** `workspace/{repository UUID}` of each repository runner among `records`, once each. */
export function runnerRepositories(workspace: string, records: readonly RunnerRecord[]): string[] {
  const out = new Set<string>();
  for (const r of records) if (r.spec.kind === 'repository' && r.spec.repositoryUuid) out.add(`${workspace}/${lower(r.spec.repositoryUuid)}`);
  return [...out];
}

/**
 * The repositories whose queued steps are shown: every repository runner's own repository,
 * always, then the user's picks (or the default few), without duplicates.
 */
export function watchedRepositories(connection: BitbucketConnection, records: readonly RunnerRecord[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const name of [...runnerRepositories(connection.workspace, records), ...connection.watchedRepositories]) {
    const key = name.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(name);
  }
  return out;
}

export interface OurBitbucketRunners {
  /** Bitbucket's view of the runners this app has (matched by UUID), workspace and repository runners. */
  runners: BitbucketRunnerView[];
  /** Runners of ours Bitbucket did not list (deleted there, or another workspace). */
  missing: string[];
  problems: RepositoryProblem[];
}

/**
 * The workspace's runners plus each repository runner's repository's runners, narrowed to ours.
 * A repository we cannot read is a problem, not a failure; token, rate-limit and network errors
 * propagate (they concern the whole connection).
 */
export async function fetchOurRunners(
  client: BitbucketClient,
  connection: BitbucketConnection,
  records: readonly RunnerRecord[],
  signal?: AbortSignal,
): Promise<OurBitbucketRunners> {
  const ours = new Set(records.map((r) => lower(r.spec.runnerUuid)));
  const result: OurBitbucketRunners = { runners: [], missing: [], problems: [] };
  if (ours.size === 0) return result;
  const found = new Map<string, BitbucketRunnerView>();
  const collect = (list: BitbucketRunnerView[]) => {
    for (const r of list) if (ours.has(lower(r.uuid)) && !found.has(lower(r.uuid))) found.set(lower(r.uuid), r);
  };
  if (records.some((r) => r.spec.kind === 'workspace')) {
    collect(await fetchRunners(client, { workspace: connection.workspace, ...(signal ? { signal } : {}) }));
  }
  for (const repository of runnerRepositories(connection.workspace, records)) {
    try {
      collect(await fetchRunners(client, { workspace: connection.workspace, repository, ...(signal ? { signal } : {}) }));
    } catch (err) {
      if (err instanceof BitbucketError && (err.code === 'BITBUCKET_NOT_FOUND' || err.code === 'BITBUCKET_FORBIDDEN')) {
        result.problems.push({ repository, code: err.code, message: err.message });
        continue;
      }
      throw err;
    }
  }
  result.runners = [...found.values()];
  result.missing = records.map((r) => r.spec.runnerUuid).filter((u) => !found.has(lower(u)));
  return result;
}
