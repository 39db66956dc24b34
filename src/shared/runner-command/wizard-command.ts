/**
 * The `docker container run …` command Bitbucket's "Add runner" wizard shows for a Linux Docker
 * runner, built from a runner created through the API. Runners created without pasting go through
 * the same parser as pasted ones (parseRunnerCommand), so both give the same spec.
 */
import { Secret } from '../secret.js';
import { DEFAULT_WORKING_DIRECTORY } from './runner-env.js';
import { RUNNER_IMAGE } from './types.js';

export interface WizardCommandInput {
  /** The workspace's UUID, braces kept. */
  accountUuid: string;
  /** The repository's UUID for a repository runner; null for a workspace runner. */
  repositoryUuid: string | null;
  runnerUuid: string;
  oauthClientId: string;
  oauthClientSecret: Secret;
}

/** The wizard's command, one line; a Secret because the OAuth secret is in it. */
export function wizardRunnerCommand(input: WizardCommandInput): Secret {
  const bare = input.runnerUuid.replace(/^\{|\}$/g, '');
  const words = [
    'docker container run -it',
    `-v ${DEFAULT_WORKING_DIRECTORY}:${DEFAULT_WORKING_DIRECTORY}`,
    '-v /var/run/docker.sock:/var/run/docker.sock',
    '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
    `-e ACCOUNT_UUID=${input.accountUuid}`,
    ...(input.repositoryUuid ? [`-e REPOSITORY_UUID=${input.repositoryUuid}`] : []),
    `-e RUNNER_UUID=${input.runnerUuid}`,
    '-e RUNTIME_PREREQUISITES_ENABLED=true',
    `-e OAUTH_CLIENT_ID=${input.oauthClientId}`,
    `-e OAUTH_CLIENT_SECRET=${input.oauthClientSecret.reveal()}`,
    `-e WORKING_DIRECTORY=${DEFAULT_WORKING_DIRECTORY}`,
    `--name runner-${bare}`,
    RUNNER_IMAGE,
  ];
  return new Secret(words.join(' '));
}
