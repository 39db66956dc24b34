/** The variables and value shapes of Bitbucket's Linux Docker runner command. */
import { SECRET_ENV_NAME } from './mask.js';
import { repositoryOf } from './image-ref.js';
import { RUNNER_IMAGE } from './types.js';

export const REQUIRED_ENV = ['ACCOUNT_UUID', 'RUNNER_UUID', 'OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET'] as const;
export const EXPECTED_ENV = ['RUNTIME_PREREQUISITES_ENABLED', 'WORKING_DIRECTORY'] as const;
export const OPTIONAL_ENV = [
  'REPOSITORY_UUID',
  'PAUSE_IMAGE',
  'AUTH_PROXY_IMAGE',
  'CLONE_IMAGE',
  'BITBUCKET_PIPELINES_RUNNER_BUILD_LOG_ENABLED',
  'JAVA_OPTS',
] as const;
export const KNOWN_ENV = new Set<string>([...REQUIRED_ENV, ...EXPECTED_ENV, ...OPTIONAL_ENV]);
export const UUID_ENV = ['ACCOUNT_UUID', 'REPOSITORY_UUID', 'RUNNER_UUID'] as const;

/** An extra variable whose name says it holds a credential: it goes to the vault with the OAuth secret. */
export function isExtraSecret(name: string): boolean {
  return !KNOWN_ENV.has(name) && SECRET_ENV_NAME.test(name);
}

/** The variables whose values live in the vault, not in settings. */
export function isVaulted(name: string): boolean {
  return name === 'OAUTH_CLIENT_SECRET' || isExtraSecret(name);
}

/**
 * The secret values in a container's environment (`Config.Env`, `NAME=value` lines): the OAuth
 * secret and every secret-looking extra, i.e. what the vault held for it. For masking what the
 * runner prints, whoever started the container.
 */
export function secretsInContainerEnv(env: readonly string[] | null | undefined): string[] {
  const values = new Map<string, string>();
  for (const entry of env ?? []) {
    const eq = entry.indexOf('=');
    if (eq > 0 && isVaulted(entry.slice(0, eq)) && eq < entry.length - 1) values.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return [...values.values()];
}

export const RUNNER_REPOSITORY = repositoryOf(RUNNER_IMAGE);
export const DEFAULT_WORKING_DIRECTORY = '/tmp';
export const SECRET_LENGTH = 64;
export const CLIENT_ID_LENGTH = 32;

const UUID_BODY = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
export const BRACED_UUID = new RegExp(`^\\{${UUID_BODY}\\}$`);
export const BARE_UUID = new RegExp(`^${UUID_BODY}$`);
export const UUID_SHAPE = '{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}';
export const PLACEHOLDER = /^\{?(?:__[A-Za-z0-9_]*__|<[^>]*>|\[[^\]]*\]|x{4,}|\.{3}|…)\}?$/i;
export const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** The characters Bitbucket uses in OAuth client ids and secrets. */
export const CREDENTIAL_CHARS = /^[A-Za-z0-9_-]*$/;
