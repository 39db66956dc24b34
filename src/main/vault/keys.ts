import { VaultError } from './types.js';

const RUNNER_KEY = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/;
// Bitbucket workspace IDs: lowercase letters, digits, `-` and `_`.
const BITBUCKET_KEY = /^bitbucket:[a-z0-9_-]+$/;

/** The vault key for a runner's OAuth client secret: its UUID with braces, as Bitbucket prints it. */
export function runnerSecretKey(runnerUuid: string): string {
  return normalizeVaultKey(`{${runnerUuid.trim().replace(/^\{|\}$/g, '')}}`);
}

/** The vault key for a workspace's Bitbucket API token. */
export function bitbucketTokenKey(workspace: string): string {
  return normalizeVaultKey(`bitbucket:${workspace.trim()}`);
}

/**
 * Both backends accept exactly these two shapes, lower-cased (keyrings match
 * case-sensitively; Bitbucket prints lower case), so a typo cannot create a stray entry.
 */
export function normalizeVaultKey(key: string): string {
  const k = key.trim().toLowerCase();
  if (RUNNER_KEY.test(k) || BITBUCKET_KEY.test(k)) return k;
  throw new VaultError(
    'VAULT_CONFIG',
    `"${key}" is not a vault key: use a runner UUID in braces ({xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}) ` +
      'or bitbucket:<workspace>.',
  );
}
