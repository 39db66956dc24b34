import type { StepView } from './views.js';

/**
 * The step's page on bitbucket.org. The runner log only knows UUIDs; the URL
 * needs workspace, repository slug and build number from Bitbucket, so without
 * them there is no link rather than a wrong one.
 */
export function stepUrl(step: Pick<StepView, 'stepUuid' | 'workspace' | 'repoSlug' | 'buildNumber'>): string | null {
  const { workspace, repoSlug, buildNumber, stepUuid } = step;
  if (!workspace || !repoSlug || buildNumber === undefined || !Number.isInteger(buildNumber) || buildNumber < 1) return null;
  if (!/^\{[0-9a-f-]{36}\}$/i.test(stepUuid)) return null;
  return `https://bitbucket.org/${encodeURIComponent(workspace)}/${encodeURIComponent(repoSlug)}/pipelines/results/${buildNumber}/steps/${encodeURIComponent(stepUuid)}`;
}
