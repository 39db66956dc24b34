/** What `bitbucket connect` says about a token's runner scopes (one place, for the CLI and later the dashboard). */
import { API_TOKEN_URL } from './client.js';
import type { RunnerScopeCheck } from './runners-api.js';

/** One line when a runner scope is missing or could not be checked; null when both are there. */
export function runnerScopeWarning(check: RunnerScopeCheck): string | null {
  if (check.read === 'granted' && check.write === 'granted') return null;
  const how = `(${check.notes.join('; ')})`;
  if (check.missing.length > 0) {
    return (
      `the token lacks ${check.missing.join(' and ')} ${how}. Queued steps still show, but "runner-tray create", ` +
      `"remove --in-bitbucket" and pools need read:runner:bitbucket and write:runner:bitbucket: create an API token with them at ` +
      `${API_TOKEN_URL} (or give the access token those scopes) and connect again.`
    );
  }
  return `the token's runner scopes could not be checked ${how}; "runner-tray create" will say if one is missing.`;
}
