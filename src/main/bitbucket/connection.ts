import type { Secret } from '../../shared/secret.js';
import type { SecretVault } from '../vault/types.js';
import { BitbucketClient, BitbucketError, type BitbucketAuth, type RequestLogEntry } from './client.js';
import { recentRepositories } from './queued.js';
import { checkRunnerScopes, type RunnerScopeCheck } from './runners-api.js';

/** The non-secret half of a connection; the token lives in the vault only. */
export interface BitbucketConnection {
  workspace: string;
  /** Atlassian account email: present for an API token (Basic auth), absent for an access token (Bearer). */
  email?: string;
  authKind: 'basic' | 'bearer';
  /** `workspace/repo_slug` whose queued steps are shown. */
  watchedRepositories: string[];
}

/** Where settings keep the connection; implemented by the settings service. */
export interface BitbucketConnectionStore {
  read(): BitbucketConnection | null | Promise<BitbucketConnection | null>;
  write(connection: BitbucketConnection | null): void | Promise<void>;
}

export interface ConnectionDeps {
  vault: SecretVault;
  store: BitbucketConnectionStore;
  /** Defaults to $RUNNER_TRAY_BITBUCKET_API. */
  baseUrl?: string;
  timeoutMs?: number;
  log?: (entry: RequestLogEntry) => void;
}

export interface ConnectInput {
  workspace: string;
  email?: string;
  token: Secret;
  /** Default: the workspace's most recently updated repositories. */
  watchedRepositories?: string[];
  defaultWatchCount?: number;
  /** Also find out which runner scopes (read/write:runner:bitbucket) the token has: two more requests. */
  checkRunnerScopes?: boolean;
}

// Bitbucket workspace IDs: lower-case letters, digits, `-` and `_` (the vault keys rely on it too).
const WORKSPACE_ID = /^[a-z0-9_-]+$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const REPOSITORY = /^[a-z0-9_.-]+$/i;

export function bitbucketVaultKey(workspace: string): string {
  return `bitbucket:${workspace}`;
}

export function normalizeWorkspace(workspace: string): string {
  const ws = workspace.trim().toLowerCase();
  if (!WORKSPACE_ID.test(ws)) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `"${workspace}" is not a Bitbucket workspace ID: use the lower-case ID from https://bitbucket.org/<workspace> (letters, digits, "-" and "_").`,
    );
  }
  return ws;
}

/**
 * Checks the token with one cheap call that both auth kinds may make with
 * `read:repository:bitbucket` (list the workspace's newest repositories; it also
 * gives the default watch list), then keeps the token in the vault and the rest
 * in settings. Nothing is stored when Bitbucket refuses the token.
 */
export async function connectBitbucket(
  deps: ConnectionDeps,
  input: ConnectInput,
): Promise<{ connection: BitbucketConnection; repositories: string[]; runnerScopes?: RunnerScopeCheck }> {
  const workspace = normalizeWorkspace(input.workspace);
  const email = input.email?.trim() || undefined;
  if (email !== undefined && !EMAIL.test(email)) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `"${email}" is not an email address: --email takes the Atlassian account email the API token belongs to (leave it out for an access token).`,
    );
  }
  const rawToken = input.token.reveal();
  if (rawToken.trim() === '') {
    throw new BitbucketError('BITBUCKET_CONFIG', 'The token is empty: paste it on standard input.');
  }
  if (/\s/.test(rawToken.trim())) {
    throw new BitbucketError('BITBUCKET_CONFIG', 'The token contains spaces or line breaks: paste exactly the token Bitbucket showed, on one line.');
  }
  const watched = (input.watchedRepositories ?? []).map((r) => qualify(workspace, r));

  const auth: BitbucketAuth = email ? { kind: 'basic', email, token: input.token } : { kind: 'bearer', token: input.token };
  const client = new BitbucketClient({ auth, baseUrl: deps.baseUrl, timeoutMs: deps.timeoutMs, log: deps.log });
  const repositories = await recentRepositories(client, workspace, input.defaultWatchCount ?? 5);
  // A token without runner scopes still shows queued steps; what it lacks is reported, not refused.
  const runnerScopes = input.checkRunnerScopes ? await checkRunnerScopes(client, workspace) : undefined;

  const connection: BitbucketConnection = {
    workspace,
    ...(email ? { email } : {}),
    authKind: auth.kind,
    watchedRepositories: watched.length > 0 ? watched : repositories,
  };
  const previous = await deps.store.read();
  const key = bitbucketVaultKey(workspace);
  await deps.vault.set(key, input.token);
  try {
    await deps.store.write(connection);
  } catch (err) {
    // Settings failed: leave no token behind that no setting points to.
    await deps.vault.delete(key).catch(() => false);
    throw err;
  }
  // One connection at a time: a token for another workspace is no longer used.
  if (previous && previous.workspace !== workspace) {
    await deps.vault.delete(bitbucketVaultKey(previous.workspace)).catch(() => false);
  }
  return { connection, repositories, ...(runnerScopes ? { runnerScopes } : {}) };
}

/**
 * Replace the watched repositories of the stored connection (no token needed, nothing asked of
 * Bitbucket); an empty list is refused, since a workspace runner would then show nothing queued.
 */
export async function setWatchedRepositories(deps: Pick<ConnectionDeps, 'store'>, repositories: readonly string[]): Promise<BitbucketConnection> {
  const current = await deps.store.read();
  if (!current) {
    throw new BitbucketError('BITBUCKET_CONFIG', 'Bitbucket is not connected: run "runner-tray bitbucket connect --workspace W --repos ws/a,ws/b" first.');
  }
  const watched = [...new Set(repositories.map((r) => qualify(current.workspace, r)))];
  if (watched.length === 0) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      '--repos needs at least one repository, e.g. --repos acme/web-app,acme/api (slugs from https://bitbucket.org/<workspace>/<repository>).',
    );
  }
  const next: BitbucketConnection = { ...current, watchedRepositories: watched };
  await deps.store.write(next);
  return next;
}

/** `--repos a,ws/b` → the names, blanks dropped. */
export function splitRepositoryList(value: string): string[] {
  return value
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
}

/** Removes the token from the vault and the connection from settings. */
export async function disconnectBitbucket(
  deps: Pick<ConnectionDeps, 'vault' | 'store'>,
): Promise<{ workspace: string | null; removedToken: boolean; removedSettings: boolean }> {
  const current = await deps.store.read();
  if (!current) return { workspace: null, removedToken: false, removedSettings: false };
  const removedToken = await deps.vault.delete(bitbucketVaultKey(current.workspace));
  await deps.store.write(null);
  return { workspace: current.workspace, removedToken, removedSettings: true };
}

/** A client for the stored connection, or null when Bitbucket is not connected. */
export async function openBitbucketClient(deps: ConnectionDeps): Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null> {
  const connection = await deps.store.read();
  if (!connection) return null;
  const token = await deps.vault.get(bitbucketVaultKey(connection.workspace));
  if (!token) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `Settings say Bitbucket workspace "${connection.workspace}" is connected, but the vault (${deps.vault.location}) has no token for it. Run "runner-tray bitbucket connect --workspace ${connection.workspace}${connection.email ? ` --email ${connection.email}` : ''}" and paste the token again.`,
    );
  }
  const auth: BitbucketAuth =
    connection.authKind === 'basic' && connection.email ? { kind: 'basic', email: connection.email, token } : { kind: 'bearer', token };
  return { client: new BitbucketClient({ auth, baseUrl: deps.baseUrl, timeoutMs: deps.timeoutMs, log: deps.log }), connection };
}

function qualify(workspace: string, name: string): string {
  const n = name.trim();
  const [ws, slug, extra] = n.includes('/') ? n.split('/') : [workspace, n];
  if (!ws || !slug || extra !== undefined || !REPOSITORY.test(slug) || !WORKSPACE_ID.test(ws.toLowerCase())) {
    throw new BitbucketError(
      'BITBUCKET_CONFIG',
      `"${name}" is not a repository: give its slug from https://bitbucket.org/<workspace>/<repository>, or "workspace/repository".`,
    );
  }
  return `${ws.toLowerCase()}/${slug}`;
}
