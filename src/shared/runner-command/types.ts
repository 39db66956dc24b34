import type { Secret } from '../secret.js';

export type RunnerKind = 'workspace' | 'repository';

/**
 * A Linux Docker runner as the pasted command describes it, without its secret.
 * UUIDs keep their braces (`{…}`), as Bitbucket prints them.
 */
export interface RunnerSpec {
  kind: RunnerKind;
  accountUuid: string;
  repositoryUuid: string | null;
  runnerUuid: string;
  /** Container name: `runner-<uuid without braces>` unless the paste named it otherwise. */
  name: string;
  image: string;
  oauthClientId: string;
  workingDirectory: string;
  /**
   * Every `-e` variable in the order given, except OAUTH_CLIENT_SECRET and the other
   * secret-looking ones (`ParseResult.extraSecrets`), which live in the vault.
   */
  env: Record<string, string>;
  /** `host:container[:ro]`, as given. */
  binds: string[];
  /** Tokens after the image: Docker passes them to the runner's entrypoint. */
  args: string[];
}

export type ParseErrorCode =
  | 'NOT_A_RUNNER_COMMAND'
  | 'NOT_DOCKER_RUNNER'
  | 'MISSING_ENV'
  | 'INVALID_UUID'
  | 'UNSAFE_COMMAND'
  /** A NUL, another control character, a lone surrogate or bytes that were not UTF-8 in a name or value. */
  | 'INVALID_CHARACTERS';

export interface ParseError {
  code: ParseErrorCode;
  message: string;
  variable?: string;
}

export type ParseWarningCode =
  | 'ARGS_AFTER_IMAGE'
  | 'IGNORED_FLAG'
  | 'EXTRA_ENV'
  | 'UNEXPECTED_IMAGE'
  | 'SECRET_LENGTH'
  | 'MISSING_EXPECTED_ENV'
  | 'NAME_MISMATCH'
  /** The secret has characters Bitbucket never puts in one (it uses A–Z, a–z, 0–9, `-`, `_`). */
  | 'SECRET_FORMAT'
  /** The OAuth client id is not 32 letters and digits. */
  | 'CLIENT_ID_FORMAT'
  /** A UUID was pasted without its braces; the parser added them, as the runner expects. */
  | 'UUID_BRACES_ADDED'
  /** Lines starting with an option had no continuation mark before them; read as one command. */
  | 'JOINED_LINES'
  /** The same `-e` variable was given twice; the last value wins, as in Docker. */
  | 'DUPLICATE_ENV'
  /** An extra `-e` variable whose name says it holds a credential: kept in the vault, not in the spec. */
  | 'EXTRA_SECRET';

export interface ParseWarning {
  code: ParseWarningCode;
  message: string;
}

export type ParseResult =
  | {
      ok: true;
      spec: RunnerSpec;
      /** OAUTH_CLIENT_SECRET. */
      secret: Secret;
      /**
       * Extra `-e` variables whose name looks like a credential (`NPM_TOKEN`,
       * `ARTIFACTORY_PASSWORD`, see `SECRET_ENV_NAME`), in the order given; `{}` when none.
       * Not in `spec.env`: like the OAuth secret they go to the vault and into the
       * runner's container environment, never into settings.
       */
      extraSecrets: Record<string, Secret>;
      /**
       * Names of all `-e` variables in the order given, secrets included (names only), so
       * output can list them where they stood. Set by `parseRunnerCommand`; a result built by
       * hand may leave it out.
       */
      envOrder?: string[];
      warnings: ParseWarning[];
    }
  | { ok: false; error: ParseError };

export const RUNNER_IMAGE = 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1';
