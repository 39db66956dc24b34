/** A runner spec from the words of one `docker run` command, in named steps. */
import { Secret } from '../secret.js';
import { readDockerRun } from './docker-argv.js';
import { parseImageRef, repositoryOf } from './image-ref.js';
import { findSecretsInText } from './mask.js';
import { credentials, image as imageMsg, name as nameMsg } from './messages.js';
import { fail, type ReadContext } from './parse-failure.js';
import { normalizeUuids, requireEnv, warnAboutCredentials, warnAboutEnvNames } from './read-env.js';
import { readOptions, refuseUnsafeWord, type RunnerOptions } from './read-options.js';
import { CONTAINER_NAME, DEFAULT_WORKING_DIRECTORY, RUNNER_REPOSITORY, isExtraSecret, isVaulted } from './runner-env.js';
import type { Word } from './tokenize.js';
import type { ParseResult, RunnerSpec } from './types.js';

/** Everything after the shell-level checks: options, image, variables. */
export function readRunner(words: Word[], ctx: ReadContext): ParseResult {
  const { uses, image, args } = readDockerRun(words, ctx);
  const options = readOptions(uses, ctx);
  checkImage(image, args, ctx);
  const { envEntries } = options;
  requireEnv(envEntries, ctx);
  normalizeUuids(envEntries, ctx);
  const runnerUuid = envEntries.get('RUNNER_UUID')!;
  const oauthClientId = envEntries.get('OAUTH_CLIENT_ID')!;
  const secretValue = envEntries.get('OAUTH_CLIENT_SECRET')!;
  warnAboutEnvNames(envEntries, ctx);
  warnAboutCredentials(oauthClientId, secretValue, ctx);
  refuseSecretsElsewhere(options, args, image.value, ctx);
  const name = containerName(options.givenName, runnerUuid, ctx);
  return result(options, { image: image.value, args, name }, ctx);
}

/** The image is Bitbucket's runner image (or at least an image), and nothing after it is a credential. */
function checkImage(image: Word, args: Word[], ctx: ReadContext): void {
  refuseUnsafeWord('The image name', image.value, image.line);
  for (const a of args) refuseUnsafeWord('An argument after the image', a.value, a.line);
  const imageRef = parseImageRef(image.value);
  if (!imageRef) fail('NOT_A_RUNNER_COMMAND', imageMsg.invalid(image.value, image.line, ctx));
  if (imageRef.repository !== RUNNER_REPOSITORY) {
    if (args.some((a) => repositoryOf(a.value) === RUNNER_REPOSITORY)) {
      fail('NOT_A_RUNNER_COMMAND', imageMsg.runnerImageAsArgument(image.value, image.line, ctx));
    }
    ctx.warn('UNEXPECTED_IMAGE', imageMsg.unexpected(image.value, ctx));
  }
  // The arguments are stored in plain text, and a variable there is no variable (Docker passes
  // it to the runner as it is), so a credential there can neither be kept safe nor work.
  const secretArg = args.find((a) => findSecretsInText(a.value).length > 0);
  if (secretArg) fail('UNSAFE_COMMAND', imageMsg.secretArgument(secretArg.value, secretArg.line, ctx));
  if (args.length > 0)
    ctx.warn(
      'ARGS_AFTER_IMAGE',
      imageMsg.argumentsAfter(
        args.map((a) => a.value),
        ctx,
      ),
    );
}

/**
 * The spec is stored with the runner's settings, in plain text; only OAUTH_CLIENT_SECRET and the
 * secret-looking extra variables go to the vault. A secret value also written anywhere else
 * would end up in that file, so refuse it. Values under 8 characters are too likely to be
 * ordinary words (`true`, `/tmp`) to be told apart.
 */
function refuseSecretsElsewhere(options: RunnerOptions, args: Word[], image: string, ctx: ReadContext): void {
  const { envEntries, binds, givenName } = options;
  for (const [variable, secret] of envEntries) {
    if (!isVaulted(variable) || secret.length < 8) continue;
    const places: string[] = [];
    for (const [key, value] of envEntries) {
      if (isVaulted(key)) continue;
      if (key.includes(secret)) places.push('a variable name');
      else if (value.includes(secret)) places.push(`\`-e ${ctx.p(key)}\``);
    }
    if (binds.some((b) => b.includes(secret))) places.push('a `-v` bind');
    if (givenName?.includes(secret)) places.push('the container name');
    if (image.includes(secret)) places.push('the image');
    if (args.some((a) => a.value.includes(secret))) places.push('the arguments after the image');
    if (places.length > 0) fail('UNSAFE_COMMAND', credentials.secretElsewhere(variable, places));
  }
}

/** `runner-<uuid>` as Bitbucket names it, unless the paste gives a valid name of its own. */
function containerName(givenName: string | undefined, runnerUuid: string, ctx: ReadContext): string {
  const defaultName = `runner-${runnerUuid.slice(1, -1)}`;
  if (givenName === undefined) return defaultName;
  if (!CONTAINER_NAME.test(givenName)) {
    ctx.warn('NAME_MISMATCH', nameMsg.invalid(givenName, defaultName, ctx));
    return defaultName;
  }
  let name = givenName.replace(/^\//, '');
  // The name Bitbucket gives, spelled with the UUID's case as pasted.
  if (name.toLowerCase() === defaultName) name = defaultName;
  if (name !== defaultName) ctx.warn('NAME_MISMATCH', nameMsg.mismatch(name, defaultName, runnerUuid));
  return name;
}

/** The spec for settings; the OAuth secret and the secret-looking extras apart, for the vault. */
function result(options: RunnerOptions, run: { image: string; args: Word[]; name: string }, ctx: ReadContext): ParseResult {
  const { envEntries, binds } = options;
  const env: Record<string, string> = {};
  const extraSecrets: Record<string, Secret> = {};
  for (const [key, value] of envEntries) {
    if (key === 'OAUTH_CLIENT_SECRET') continue;
    if (isExtraSecret(key)) extraSecrets[key] = new Secret(value);
    else env[key] = value;
  }
  const repositoryUuid = envEntries.get('REPOSITORY_UUID') ?? null;
  const spec: RunnerSpec = {
    kind: repositoryUuid === null ? 'workspace' : 'repository',
    accountUuid: envEntries.get('ACCOUNT_UUID')!,
    repositoryUuid,
    runnerUuid: envEntries.get('RUNNER_UUID')!,
    name: run.name,
    image: run.image,
    oauthClientId: envEntries.get('OAUTH_CLIENT_ID')!,
    workingDirectory: envEntries.get('WORKING_DIRECTORY') || DEFAULT_WORKING_DIRECTORY,
    env,
    binds,
    args: run.args.map((a) => a.value),
  };
  const secret = new Secret(envEntries.get('OAUTH_CLIENT_SECRET')!);
  return { ok: true, spec, secret, extraSecrets, envOrder: [...envEntries.keys()], warnings: ctx.warnings };
}
