import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Made-up values used in every fixture under test/fixtures/pastes (none of them real). */
export const IDS = {
  account: '{0b3c2f1e-1111-4a2b-9c3d-000000000001}',
  repository: '{0b3c2f1e-2222-4a2b-9c3d-000000000002}',
  runner: '{0b3c2f1e-3333-4a2b-9c3d-000000000003}',
  name: 'runner-0b3c2f1e-3333-4a2b-9c3d-000000000003',
  clientId: 'Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56',
  secret: 'Zq3xK9mP2vL8nR4tW6yB1cD5fG7hJ0kQ-aSeUiOpXrTyNm_vCbWd8Fh2Jk4Lm6Np',
  /** Extra secret-looking `-e` variables (fixture extra-secrets.txt). */
  npmToken: 'npm_Mq7RtZ2xLp9WvK4sNb8YdC3fHj6Ug0Ae1Tz5',
  artifactoryPassword: 'Pw9-MadeUp-Artifactory-Pass-Q7xLr2',
} as const;

/** Every secret value in the fixtures: none may appear in anything shown. */
export const ALL_SECRETS = [IDS.secret, IDS.npmToken, IDS.artifactoryPassword] as const;

export const IMAGE = 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1';

const dir = fileURLToPath(new URL('../fixtures/pastes/', import.meta.url));

export function paste(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

export function allPastes(): Array<[string, string]> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => [f, paste(f)]);
}

/** The `-e` options of a workspace runner's command as Bitbucket shows it, with the made-up IDS. */
export const BASE_ENV: readonly string[] = [
  `-e ACCOUNT_UUID=${IDS.account}`,
  `-e RUNNER_UUID=${IDS.runner}`,
  '-e RUNTIME_PREREQUISITES_ENABLED=true',
  `-e OAUTH_CLIENT_ID=${IDS.clientId}`,
  `-e OAUTH_CLIENT_SECRET=${IDS.secret}`,
  '-e WORKING_DIRECTORY=/tmp',
];

/** A Bitbucket-shaped command built from parts, for the cases no fixture file needs. */
export function command(opts: { env?: readonly string[]; before?: string; after?: string; docker?: string; image?: string } = {}): string {
  const env = opts.env ?? BASE_ENV;
  return [
    opts.docker ?? 'docker container run',
    opts.before ?? '-it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
    ...env,
    `--name ${IDS.name}`,
    opts.image ?? IMAGE,
    opts.after ?? '',
  ]
    .filter((s) => s !== '')
    .join(' ');
}

/** Every 16-character piece of the secret: none may appear in anything the parser outputs. */
export function secretPieces(secret: string = IDS.secret, size = 16): string[] {
  const pieces: string[] = [];
  for (let i = 0; i + size <= secret.length; i++) pieces.push(secret.slice(i, i + size));
  return pieces;
}
