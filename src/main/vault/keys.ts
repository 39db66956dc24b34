import { VaultError } from './types.js';

const RUNNER_KEY = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;
// A secret-looking extra `-e` variable of a runner: `{uuid}#env:NAME`. Env names keep their case
// (Docker's are case-sensitive), so only the UUID part is lower-cased.
const RUNNER_ENV_KEY = /^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\})#env:([A-Za-z_][A-Za-z0-9_]*)$/;
// Bitbucket workspace IDs: lowercase letters, digits, `-` and `_`.
const BITBUCKET_KEY = /^bitbucket:[a-z0-9_-]+$/;

/** The vault key for a runner's OAuth client secret: its UUID with braces, as Bitbucket prints it. */
export function runnerSecretKey(runnerUuid: string): string {
  return normalizeVaultKey(`{${runnerUuid.trim().replace(/^\{|\}$/g, '')}}`);
}

/** The vault key for one secret-looking extra `-e` variable of a runner (e.g. NPM_TOKEN). */
export function runnerEnvSecretKey(runnerUuid: string, name: string): string {
  return normalizeVaultKey(`{${runnerUuid.trim().replace(/^\{|\}$/g, '')}}#env:${name}`);
}

/** The vault key for a workspace's Bitbucket API token. */
export function bitbucketTokenKey(workspace: string): string {
  return normalizeVaultKey(`bitbucket:${workspace.trim()}`);
}

/**
 * Both backends accept exactly these shapes, lower-cased except an env name (keyrings match
 * case-sensitively; Bitbucket prints lower case), so a typo cannot create a stray entry.
 */
export function normalizeVaultKey(key: string): string {
  const trimmed = key.trim();
  const env = RUNNER_ENV_KEY.exec(trimmed.replace(/^[^#]*/, (uuid) => uuid.toLowerCase()));
  if (env) return `${env[1]}#env:${env[2]}`;
  const k = trimmed.toLowerCase();
  if (RUNNER_KEY.test(k) || BITBUCKET_KEY.test(k)) return k;
  throw new VaultError(
    'VAULT_CONFIG',
    `"${key}" is not a vault key: use a runner UUID in braces ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}), ` +
      '{runner-uuid}#env:NAME for a secret variable of that runner, or bitbucket:<workspace>.',
  );
}
