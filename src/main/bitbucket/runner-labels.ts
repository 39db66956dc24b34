/**
 * Our runners' labels as Bitbucket lists them, for the preflight (`doctor` in the CLI and
 * `host.preflight` in the dashboard ask the same way, so the arm64 label finding cannot differ).
 */
import type { RunnerRecord } from '../settings/types.js';
import { openBitbucketClient, type ConnectionDeps } from './connection.js';
import { fetchOurRunners } from './our-runners.js';
import type { BitbucketRunnerView } from './queued.js';

/** A preflight must not hang on Bitbucket: past this, labels are reported unknown. */
export const LABELS_TIMEOUT_MS = 10_000;

/**
 * Bitbucket's view of our runners; null (labels unknown) when there are none, Bitbucket is not
 * connected, or it cannot be asked — `onProblem` then hears why, in one line.
 */
export async function bitbucketRunnersForPreflight(
  deps: Pick<ConnectionDeps, 'vault' | 'store' | 'baseUrl' | 'timeoutMs'>,
  records: readonly RunnerRecord[],
  onProblem: (message: string) => void = () => {},
): Promise<BitbucketRunnerView[] | null> {
  if (records.length === 0) return null;
  try {
    const opened = await openBitbucketClient({ timeoutMs: LABELS_TIMEOUT_MS, ...deps });
    if (!opened) return null;
    return (await fetchOurRunners(opened.client, opened.connection, records)).runners;
  } catch (e) {
    onProblem(`runner labels not checked: ${(e as Error).message}`);
    return null;
  }
}
