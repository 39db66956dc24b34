import { Secret } from '../secret.js';
import { GLOBAL_FLAGS, RUN_FLAGS, SILENT_FLAGS, type DockerFlag, type FlagTable } from './docker-flags.js';
import { parseImageRef, repositoryOf } from './image-ref.js';
import { SECRET_ENV_NAME, findSecretsInText, maskCredentials, plainWord, quoteWord } from './mask.js';
import { normalizePaste, tokenize, type GluedContinuation, type UnsafeConstruct, type Word } from './tokenize.js';
import {
  RUNNER_IMAGE,
  type ParseError,
  type ParseErrorCode,
  type ParseResult,
  type ParseWarning,
  type ParseWarningCode,
  type RunnerSpec,
} from './types.js';

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
const KNOWN_ENV = new Set<string>([...REQUIRED_ENV, ...EXPECTED_ENV, ...OPTIONAL_ENV]);
const UUID_ENV = ['ACCOUNT_UUID', 'REPOSITORY_UUID', 'RUNNER_UUID'] as const;

/** An extra variable whose name says it holds a credential: it goes to the vault with the OAuth secret. */
function isExtraSecret(name: string): boolean {
  return !KNOWN_ENV.has(name) && SECRET_ENV_NAME.test(name);
}

export const RUNNER_REPOSITORY = repositoryOf(RUNNER_IMAGE);
export const DEFAULT_WORKING_DIRECTORY = '/tmp';
export const SECRET_LENGTH = 64;
export const CLIENT_ID_LENGTH = 32;

const UUID_BODY = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const BRACED_UUID = new RegExp(`^\\{${UUID_BODY}\\}$`);
const BARE_UUID = new RegExp(`^${UUID_BODY}$`);
const UUID_SHAPE = '{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}';
const PLACEHOLDER = /^\{?(?:__[A-Za-z0-9_]*__|<[^>]*>|\[[^\]]*\]|x{4,}|\.{3}|…)\}?$/i;
const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const WHERE_TO_COPY =
  'In Bitbucket, open Workspace settings (or Repository settings) → Runners → Add runner, choose System "Linux" and the "Docker" runner type, and copy the `docker container run …` command it shows';

class ParseFailure extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
  }
}

function fail(code: ParseErrorCode, message: string, variable?: string): never {
  throw new ParseFailure(variable === undefined ? { code, message } : { code, message, variable });
}

/** True when the text is worth offering to parse: a `docker run` of a Bitbucket runner. Cheap; for clipboard watching. */
export function looksLikeRunnerCommand(text: string): boolean {
  if (text.length > 100_000) return false;
  return (
    /\bdocker(?:\.exe)?[\s\\^`]+(?:container[\s\\^`]+)?run\b/.test(text) &&
    /RUNNER_UUID|bitbucket-pipelines-runner/.test(text)
  );
}

/**
 * Parse a pasted Bitbucket "Linux Docker" runner command into a runner spec and its secret.
 * Pure: the text is never run or expanded. Errors and warnings never contain the secret.
 */
export function parseRunnerCommand(text: string): ParseResult {
  const secrets = findSecretsInText(normalizePaste(text));
  let result: ParseResult;
  try {
    result = parse(text, secrets);
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    result = { ok: false, error: e.error };
  }
  return scrub(result, secrets);
}

/** Last line of defence: no message may carry a secret, even one written somewhere unexpected. */
function scrub(result: ParseResult, secrets: readonly string[]): ParseResult {
  if (!result.ok) {
    const { code, message, variable } = result.error;
    const error: ParseError = { code, message: maskCredentials(message, secrets) };
    if (variable !== undefined) error.variable = maskCredentials(variable, secrets);
    return { ok: false, error };
  }
  return {
    ...result,
    warnings: result.warnings.map((w) => ({ code: w.code, message: maskCredentials(w.message, secrets) })),
  };
}

interface FlagUse {
  flag: DockerFlag;
  /** As written, e.g. `--memory` or `-m`. */
  written: string;
  value: string | undefined;
  line: number;
}

function parse(text: string, secrets: string[]): ParseResult {
  const q = (word: string) => quoteWord(word, secrets);
  if (text.trim() === '') {
    fail('NOT_A_RUNNER_COMMAND', `Nothing was pasted. ${WHERE_TO_COPY}, then paste it here.`);
  }
  const normalized = normalizePaste(text);
  const hasDockerRun = /\bdocker(?:\.exe)?\b[^\n]*?\brun\b/.test(normalized) || looksLikeRunnerCommand(normalized);
  const other = otherRunnerKind(normalized);
  if (other && !hasDockerRun) {
    fail(
      'NOT_DOCKER_RUNNER',
      `This is the command for a ${other} runner, which runs directly on that machine. Runner Tray runs Linux Docker runners. ${WHERE_TO_COPY}, then paste that instead.`,
    );
  }
  if (!/\bdocker(?:\.exe)?\b/i.test(normalized)) {
    fail(
      'NOT_A_RUNNER_COMMAND',
      `This text is not a runner command: it has no \`docker container run …\`. ${WHERE_TO_COPY}, then paste it here.`,
    );
  }

  const tokens = tokenize(text);
  if (tokens.unclosedQuote) {
    const { quote, line } = tokens.unclosedQuote;
    fail(
      'NOT_A_RUNNER_COMMAND',
      `The ${quote} quote opened on line ${line} is never closed, so the paste looks cut off. Copy the whole command again from Bitbucket and paste it here.`,
    );
  }
  const dockerIndex = tokens.commands.findIndex((words) => dockerWordIndex(words) >= 0);
  if (dockerIndex < 0) {
    fail(
      'NOT_A_RUNNER_COMMAND',
      `This text is not a runner command: no line starts with \`docker\`. ${WHERE_TO_COPY}, then paste it here.`,
    );
  }
  const firstUnsafe = tokens.unsafe[0];
  if (firstUnsafe) fail('UNSAFE_COMMAND', unsafeMessage(firstUnsafe, q));
  if (tokens.commands.length > 1) {
    const second = tokens.commands.find((_, i) => i !== dockerIndex)![0]!;
    const where = dockerIndex === 0 ? 'after the docker command' : 'besides the docker command';
    fail(
      'UNSAFE_COMMAND',
      `The paste holds more than one command: line ${second.line} starts another one ${where}. Runner Tray takes exactly one \`docker container run …\` command and never runs shell code. If that line belongs to the docker command, end the line before it with \`\\\`; otherwise paste only the docker command.`,
    );
  }

  const warnings: ParseWarning[] = [];
  const warn = (code: ParseWarningCode, message: string) => warnings.push({ code, message });
  if (tokens.joinedLines.length > 0) {
    const lines = tokens.joinedLines.join(', ');
    warn(
      'JOINED_LINES',
      `Line${tokens.joinedLines.length > 1 ? 's' : ''} ${lines} had no \`\\\` at the end of the line before, which a shell would run as a separate command. They start with an option, so they were read as part of the docker command.`,
    );
  }

  try {
    return readRunner(tokens.commands[dockerIndex]!, secrets, warnings);
  } catch (e) {
    // Whatever else went wrong, a continuation glued to an option is what the user must fix first.
    const glued = tokens.gluedContinuations;
    if (!(e instanceof ParseFailure) || e.error.code === 'UNSAFE_COMMAND' || glued.length === 0) throw e;
    fail('NOT_A_RUNNER_COMMAND', gluedContinuationMessage(glued));
  }
}

function gluedContinuationMessage(glued: GluedContinuation[]): string {
  const { mark, line } = glued[0]!;
  const shell = mark === '^' ? 'cmd' : 'a shell';
  const others = glued.slice(1).map((g) => g.line);
  const also = others.length === 0 ? '' : ` The same goes for line${others.length > 1 ? 's' : ''} ${others.join(', ')}.`;
  return `A space is missing before the line continuation \`${mark}\` at line ${line}: put a space before it. Glued to the word before it, it makes ${shell} join that word with the option that starts line ${line + 1}, so Docker would read the command wrongly.${also}`;
}

/** Everything after the shell-level checks: options, image, variables. */
function readRunner(words: Word[], secrets: string[], warnings: ParseWarning[]): ParseResult {
  const q = (word: string) => quoteWord(word, secrets);
  const p = (word: string) => plainWord(word, secrets);
  const warn = (code: ParseWarningCode, message: string) => warnings.push({ code, message });
  const { uses, image, args } = readDockerRun(words, q, warn);

  // Options, in the order given.
  const envEntries = new Map<string, string>();
  const binds: string[] = [];
  let givenName: string | undefined;
  for (const use of uses) {
    const shown = use.value === undefined ? `\`${use.written}\`` : `\`${use.written} ${p(use.value)}\``;
    switch (use.flag.name) {
      case 'env': {
        const value = use.value ?? '';
        const eq = value.indexOf('=');
        if (eq === 0) {
          fail('NOT_A_RUNNER_COMMAND', `\`${use.written} ${p(value)}\` on line ${use.line} has no variable name before the \`=\`. Copy the command again from Bitbucket.`);
        }
        if (eq < 0) {
          const variable = value;
          fail(
            'MISSING_ENV',
            `\`${use.written} ${p(variable)}\` on line ${use.line} has no \`=value\`: in a shell, Docker would copy ${q(variable)} from that shell's environment, which Runner Tray cannot see. Write the value into the command (\`-e ${p(variable)}=…\`), as Bitbucket shows it.`,
            maskCredentials(variable, secrets),
          );
        }
        const key = value.slice(0, eq);
        const v = value.slice(eq + 1);
        // Known before any message is written, so every message masks them.
        if ((key === 'OAUTH_CLIENT_SECRET' || isExtraSecret(key)) && v.length > 0) secrets.push(v);
        if (envEntries.has(key)) {
          warn('DUPLICATE_ENV', `${q(key)} is set more than once; the last value is used, as Docker would.`);
        }
        envEntries.set(key, v);
        break;
      }
      case 'volume': {
        const value = use.value ?? '';
        if (value.includes(':')) binds.push(value);
        else {
          warn('IGNORED_FLAG', `\`${use.written} ${p(value)}\` (an anonymous volume, with no host path) is not applied: the runner only needs bind mounts of the form \`host:container\`.`);
        }
        break;
      }
      case 'name':
        givenName = use.value ?? '';
        break;
      case 'restart':
        warn('IGNORED_FLAG', `${shown} is not applied: Runner Tray always gives the runner the restart policy \`unless-stopped\`, so it comes back after a reboot or an engine restart, but stays stopped when you stop it.`);
        break;
      case 'rm':
        if (use.value === undefined || use.value === 'true') {
          warn('IGNORED_FLAG', `\`${use.written}\` is not applied: Runner Tray keeps the runner's container so Docker can restart it; it is removed when you remove the runner.`);
        }
        break;
      case 'env-file':
        warn('IGNORED_FLAG', `${shown} is not applied: Runner Tray does not read files named in a pasted command. Put the variables you need into the command as \`-e NAME=value\`.`);
        break;
      case 'mount':
        warn('IGNORED_FLAG', `${shown} is not applied. For a bind mount, write it as \`-v /host/path:/container/path\`, which Runner Tray applies.`);
        break;
      default:
        if (SILENT_FLAGS.has(use.flag.name)) break;
        warn('IGNORED_FLAG', `Docker option ${shown} is not applied: Runner Tray creates the runner's container with its own settings (detached, restart policy, log limits) and only takes over \`-e\`, \`-v\` and \`--name\`.`);
    }
  }

  // Image and what follows it.
  const imageRef = parseImageRef(image.value);
  if (!imageRef) {
    fail(
      'NOT_A_RUNNER_COMMAND',
      `Docker reads ${q(image.value)} (line ${image.line}) as the image to run, but it is not a valid image name. Usually a value with a space in it was not quoted, or the paste is damaged. Copy the command again from Bitbucket.`,
    );
  }
  if (imageRef.repository !== RUNNER_REPOSITORY) {
    const runnerArg = args.findIndex((a) => repositoryOf(a.value) === RUNNER_REPOSITORY);
    if (runnerArg >= 0) {
      fail(
        'NOT_A_RUNNER_COMMAND',
        `Docker would run ${q(image.value)} (line ${image.line}) as the image and pass the runner image to it as an argument. Usually a value with a space in it was not quoted, or a word was split by the paste. Copy the command again from Bitbucket.`,
      );
    }
    warn('UNEXPECTED_IMAGE', `The image is ${q(image.value)}, not Bitbucket's runner image \`${RUNNER_REPOSITORY}\`. Runner Tray will run it as given; make sure it is a Bitbucket Pipelines runner image (for example a mirror of it).`);
  }
  // The arguments are stored in plain text, and a variable there is no variable (Docker passes
  // it to the runner as it is), so a credential there can neither be kept safe nor work.
  const secretArg = args.find((a) => findSecretsInText(a.value).length > 0);
  if (secretArg) {
    fail(
      'UNSAFE_COMMAND',
      `${q(secretArg.value)} (line ${secretArg.line}) comes after the image and looks like a credential. Docker would pass it to the runner program as an argument, not as a variable, and Runner Tray would store it in plain text with the runner's settings. If it is meant as a variable, move \`-e …\` before the image: Runner Tray then keeps it in its vault.`,
    );
  }
  if (args.length > 0) {
    const shownArgs = args.map((a) => q(a.value)).join(' ');
    warn(
      'ARGS_AFTER_IMAGE',
      `${shownArgs} come${args.length === 1 ? 's' : ''} after the image, so Docker passes ${args.length === 1 ? 'it' : 'them'} to the runner program as arguments and does not apply ${args.length === 1 ? 'it' : 'them'} itself. Runner Tray does the same. If you meant Docker options, move them before the image.`,
    );
  }

  // Variables.
  for (const name of REQUIRED_ENV) {
    const value = envEntries.get(name);
    if (value === undefined) {
      const near = [...envEntries.keys()].find((k) => k.toUpperCase() === name || k.toUpperCase().replace(/-/g, '_') === name);
      const hint = near ? ` (there is ${q(near)}; names are case-sensitive)` : '';
      fail('MISSING_ENV', `The command does not set ${name}${hint}. Bitbucket's runner command always has \`-e ${name}=…\`; copy the whole command again from Bitbucket.`, name);
    }
    if (value.trim() === '') {
      fail('MISSING_ENV', `${name} is empty in the command. Copy the whole command again from Bitbucket: it fills in every value.`, name);
    }
    if (!name.endsWith('_UUID') && PLACEHOLDER.test(value)) {
      fail('MISSING_ENV', `${name} holds a placeholder from documentation, not a real value. Copy the command from Bitbucket's Add runner dialog, which fills in the real values.`, name);
    }
  }
  for (const name of UUID_ENV) {
    const value = envEntries.get(name);
    if (value === undefined) continue;
    // Bitbucket prints UUIDs in lower case and they compare without regard to case; one spelling
    // keeps the container name, labels, settings and vault entry of a runner the same.
    if (BRACED_UUID.test(value)) {
      envEntries.set(name, value.toLowerCase());
      continue;
    }
    if (BARE_UUID.test(value)) {
      envEntries.set(name, `{${value.toLowerCase()}}`);
      warn('UUID_BRACES_ADDED', `${name} was pasted without its braces; Runner Tray added them (\`{…}\`), as the runner expects.`);
      continue;
    }
    const shown = q(value);
    let why: string;
    if (value.trim() === '') {
      why = name === 'REPOSITORY_UUID'
        ? 'is empty. For a workspace runner leave out `-e REPOSITORY_UUID=…`; for a repository runner copy the command again from Bitbucket.'
        : 'is empty. Copy the whole command again from Bitbucket.';
    } else if (PLACEHOLDER.test(value)) {
      why = `is ${shown}, a placeholder from documentation. Copy the command from Bitbucket's Add runner dialog, which fills in the real UUIDs.`;
    } else if (value.trim() !== value) {
      why = `is ${shown}, with blanks around it. Remove them: it must be exactly ${UUID_SHAPE}.`;
    } else if (value.startsWith('{') !== value.endsWith('}')) {
      why = `is ${shown}, which is missing a brace. It must look like ${UUID_SHAPE}; the paste may be cut, so copy the command again from Bitbucket.`;
    } else {
      why = `is ${shown}, which is not a UUID. It must look like ${UUID_SHAPE} (hexadecimal digits in braces); copy the command again from Bitbucket.`;
    }
    fail('INVALID_UUID', `${name} ${why}`, name);
  }

  const accountUuid = envEntries.get('ACCOUNT_UUID')!;
  const runnerUuid = envEntries.get('RUNNER_UUID')!;
  const repositoryUuid = envEntries.get('REPOSITORY_UUID') ?? null;
  const oauthClientId = envEntries.get('OAUTH_CLIENT_ID')!;
  const secretValue = envEntries.get('OAUTH_CLIENT_SECRET')!;

  for (const name of EXPECTED_ENV) {
    if (envEntries.has(name)) continue;
    warn(
      'MISSING_EXPECTED_ENV',
      name === 'WORKING_DIRECTORY'
        ? `The command does not set WORKING_DIRECTORY; Runner Tray assumes ${DEFAULT_WORKING_DIRECTORY}, the directory Bitbucket's command uses. Current Bitbucket commands set it.`
        : `The command does not set RUNTIME_PREREQUISITES_ENABLED, which current Bitbucket commands set to \`true\` (it lets the runner check its prerequisites when it starts). The runner works without it; to add it, create the runner's command again in Bitbucket.`,
    );
  }
  for (const key of envEntries.keys()) {
    if (KNOWN_ENV.has(key)) continue;
    if (isExtraSecret(key)) {
      warn('EXTRA_SECRET', `${q(key)} is not one of the variables in Bitbucket's runner command, and its name says it holds a secret: it is kept in the vault like the OAuth secret, passed to the runner's container, and never written to Runner Tray's settings.`);
    } else {
      warn('EXTRA_ENV', `${q(key)} is not one of the variables in Bitbucket's runner command; Runner Tray passes it to the runner unchanged.`);
    }
  }

  if (secretValue.length !== SECRET_LENGTH) {
    const cut = secretValue.length < SECRET_LENGTH;
    warn(
      'SECRET_LENGTH',
      cut
        ? `The OAuth client secret is ${secretValue.length} characters long, but Bitbucket's are ${SECRET_LENGTH}: it may have been cut off when copying, and the runner would then fail to log in. Copy the command again while Bitbucket still shows it; if that dialog is closed, add the runner again in Bitbucket to get a new secret.`
        : `The OAuth client secret is ${secretValue.length} characters long, but Bitbucket's are ${SECRET_LENGTH}: something may have been pasted into it. Copy the command again from Bitbucket.`,
    );
  }
  if (!/^[A-Za-z0-9_-]*$/.test(secretValue)) {
    warn('SECRET_FORMAT', 'The OAuth client secret contains characters Bitbucket never uses in one (it uses only letters, digits, `-` and `_`). The paste may be damaged; copy the command again from Bitbucket.');
  }
  if (!new RegExp(`^[A-Za-z0-9_-]{${CLIENT_ID_LENGTH}}$`).test(oauthClientId)) {
    warn('CLIENT_ID_FORMAT', `The OAuth client id is ${oauthClientId.length} characters long${/^[A-Za-z0-9_-]*$/.test(oauthClientId) ? '' : ' and has unusual characters'}; Bitbucket's are ${CLIENT_ID_LENGTH} letters and digits. It may have been cut when copying; check it against Bitbucket's command.`);
  }

  const vaulted = [...envEntries].filter(([key]) => key === 'OAUTH_CLIENT_SECRET' || isExtraSecret(key));
  refuseSecretsElsewhere(vaulted, { envEntries, binds, args, image: image.value, name: givenName }, p);

  const defaultName = `runner-${runnerUuid.slice(1, -1)}`;
  let name = defaultName;
  if (givenName !== undefined) {
    if (!CONTAINER_NAME.test(givenName)) {
      warn('NAME_MISMATCH', `\`--name ${p(givenName)}\` is not a valid container name (letters, digits, \`_\`, \`.\`, \`-\`); Runner Tray uses \`${defaultName}\` instead.`);
    } else {
      name = givenName.replace(/^\//, '');
      // The name Bitbucket gives, spelled with the UUID's case as pasted.
      if (name.toLowerCase() === defaultName) name = defaultName;
      if (name !== defaultName) {
        warn('NAME_MISMATCH', `The container name \`${name}\` is kept, but Bitbucket names this runner's container \`${defaultName}\`. Check that the command belongs to runner ${runnerUuid}.`);
      }
    }
  }

  const env: Record<string, string> = {};
  const extraSecrets: Record<string, Secret> = {};
  for (const [key, value] of envEntries) {
    if (key === 'OAUTH_CLIENT_SECRET') continue;
    if (isExtraSecret(key)) extraSecrets[key] = new Secret(value);
    else env[key] = value;
  }
  const spec: RunnerSpec = {
    kind: repositoryUuid === null ? 'workspace' : 'repository',
    accountUuid,
    repositoryUuid,
    runnerUuid,
    name,
    image: image.value,
    oauthClientId,
    workingDirectory: envEntries.get('WORKING_DIRECTORY') || DEFAULT_WORKING_DIRECTORY,
    env,
    binds,
    args: args.map((a) => a.value),
  };
  return { ok: true, spec, secret: new Secret(secretValue), extraSecrets, envOrder: [...envEntries.keys()], warnings };
}

/**
 * The spec is stored with the runner's settings, in plain text; only OAUTH_CLIENT_SECRET and the
 * secret-looking extra variables go to the vault. A secret value also written anywhere else
 * would end up in that file, so refuse it. Values under 8 characters are too likely to be
 * ordinary words (`true`, `/tmp`) to be told apart.
 */
function refuseSecretsElsewhere(
  vaulted: Array<[string, string]>,
  where: { envEntries: Map<string, string>; binds: string[]; args: Word[]; image: string; name: string | undefined },
  p: (w: string) => string,
): void {
  for (const [variable, secret] of vaulted) {
    if (secret.length < 8) continue;
    const places: string[] = [];
    for (const [key, value] of where.envEntries) {
      if (key === 'OAUTH_CLIENT_SECRET' || isExtraSecret(key)) continue;
      if (key.includes(secret)) places.push('a variable name');
      else if (value.includes(secret)) places.push(`\`-e ${p(key)}\``);
    }
    if (where.binds.some((b) => b.includes(secret))) places.push('a `-v` bind');
    if (where.name?.includes(secret)) places.push('the container name');
    if (where.image.includes(secret)) places.push('the image');
    if (where.args.some((a) => a.value.includes(secret))) places.push('the arguments after the image');
    if (places.length === 0) continue;
    const what = variable === 'OAUTH_CLIENT_SECRET' ? 'The OAuth client secret' : `The value of ${variable}`;
    const needs = variable === 'OAUTH_CLIENT_SECRET' ? 'the runner needs it only in `-e OAUTH_CLIENT_SECRET=…`' : `the runner gets it from \`-e ${variable}=…\``;
    fail(
      'UNSAFE_COMMAND',
      `${what} also appears in ${places.join(', ')}. Runner Tray keeps it only in its vault, and everything else in the command is stored in plain text with the runner's settings. Remove it from there: ${needs}.`,
    );
  }
}

/** Index of the `docker` word (after an optional `sudo …`), or -1. */
function dockerWordIndex(words: Word[]): number {
  let k = 0;
  if (words[k]?.value === 'sudo') {
    k++;
    while (words[k]?.value.startsWith('-')) {
      // sudo's options that take a value.
      if (/^-[CDghpRrTtUu]$/.test(words[k]!.value)) k++;
      k++;
    }
  }
  const w = words[k]?.value;
  if (w === undefined) return -1;
  return /(?:^|[\\/])docker(?:\.exe)?$/i.test(w) ? k : -1;
}

/**
 * Read options the way the docker CLI (cobra/pflag, interspersed off) does: options until the
 * first word that is not one, which is the image; every word after it is an argument.
 */
function readDockerRun(
  words: Word[],
  q: (w: string) => string,
  warn: (code: ParseWarningCode, message: string) => void,
): { uses: FlagUse[]; image: Word; args: Word[] } {
  let k = dockerWordIndex(words) + 1;
  const globals: FlagUse[] = [];
  const p = (w: string) => q(w).slice(1, -1);
  k = readFlags(words, k, GLOBAL_FLAGS, globals, q, 'docker');
  for (const g of globals) {
    if (g.flag.name === 'help' || g.flag.name === 'version') {
      fail('NOT_A_RUNNER_COMMAND', `\`docker ${g.written}\` does not run a container. ${WHERE_TO_COPY}, then paste it here.`);
    }
    const shown = g.value === undefined ? `\`${g.written}\`` : `\`${g.written} ${p(g.value)}\``;
    warn('IGNORED_FLAG', `The docker option ${shown} is not applied: Runner Tray uses the Docker engine it is set up with.`);
  }
  const sub = words[k]?.value;
  if (sub === 'run') k++;
  else if (sub === 'container' && words[k + 1]?.value === 'run') k += 2;
  else {
    const what = sub === undefined ? '`docker` on its own' : `\`docker ${p(sub)}\``;
    fail('NOT_A_RUNNER_COMMAND', `This is ${what}, not \`docker container run …\`. ${WHERE_TO_COPY}, then paste it here.`);
  }
  const uses: FlagUse[] = [];
  k = readFlags(words, k, RUN_FLAGS, uses, q, 'docker run');
  const image = words[k];
  if (!image) {
    fail(
      'NOT_A_RUNNER_COMMAND',
      `The command ends before the image name (\`${RUNNER_IMAGE}\`), so the paste looks cut off. Copy the whole command again from Bitbucket.`,
    );
  }
  return { uses, image, args: words.slice(k + 1) };
}

function readFlags(words: Word[], start: number, table: FlagTable, out: FlagUse[], q: (w: string) => string, command: string): number {
  let k = start;
  while (k < words.length) {
    const word = words[k]!;
    const w = word.value;
    if (w === '--') return k + 1;
    if (!w.startsWith('-') || w === '-') return k;
    const needsValue = (written: string): string => {
      const next = words[k + 1];
      if (!next) {
        fail('NOT_A_RUNNER_COMMAND', `\`${written}\` needs a value, but the command ends there, so the paste looks cut off. Copy the whole command again from Bitbucket.`);
      }
      k++;
      return next.value;
    };
    if (w.startsWith('--')) {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w.slice(2) : w.slice(2, eq);
      const flag = table.byLong.get(name);
      const written = `--${name}`;
      if (!flag) {
        fail('NOT_A_RUNNER_COMMAND', `${q(written)} (line ${word.line}) is not a \`${command}\` option, so Docker would stop with "unknown flag". Remove it or correct its spelling.`);
      }
      const value = eq >= 0 ? w.slice(eq + 1) : flag.takesValue ? needsValue(written) : undefined;
      out.push({ flag, written, value, line: word.line });
      k++;
      continue;
    }
    // A group of one-letter options, e.g. `-it`, `-dp 80:80`, `-eNAME=value`.
    const letters = w.slice(1);
    for (let j = 0; j < letters.length; j++) {
      const letter = letters[j]!;
      const flag = table.byShort.get(letter);
      const written = `-${letter}`;
      if (!flag) {
        fail('NOT_A_RUNNER_COMMAND', `${q(written)} (in ${q(w)}, line ${word.line}) is not a \`${command}\` option, so Docker would stop with "unknown shorthand flag". Remove it or correct its spelling.`);
      }
      const rest = letters.slice(j + 1);
      if (flag.takesValue) {
        const value = rest === '' ? needsValue(written) : rest.startsWith('=') ? rest.slice(1) : rest;
        out.push({ flag, written, value, line: word.line });
        break;
      }
      if (rest.startsWith('=')) {
        out.push({ flag, written, value: rest.slice(1), line: word.line });
        break;
      }
      out.push({ flag, written, value: undefined, line: word.line });
    }
    k++;
  }
  return k;
}

function unsafeMessage(u: UnsafeConstruct, q: (w: string) => string): string {
  const at = `${q(u.text)} on line ${u.line}`;
  const never = 'Runner Tray never runs pasted text through a shell; it takes exactly one `docker container run …` command.';
  switch (u.kind) {
    case 'second-command':
      return `${at} starts a second command. ${never} Paste only the docker command Bitbucket shows.`;
    case 'background':
      return `${at} would run the command in the background and go on with another one. ${never} Remove it; Runner Tray runs the runner in the background itself.`;
    case 'pipe':
      return `${at} pipes the output into another command. ${never} Remove it and what follows; Runner Tray shows the runner's output itself.`;
    case 'redirection':
      return `${at} is a shell redirection. ${never} Remove it; Runner Tray reads the runner's output itself. If it is part of a \`<placeholder>\`, replace the placeholder with the real value.`;
    case 'heredoc':
      return `${at} starts a heredoc (the following lines would be fed to a command). ${never} Paste only the docker command.`;
    case 'subshell':
      return `${at} groups commands in a subshell. ${never} Paste only the docker command.`;
    case 'expansion':
      return u.text === '$('
        ? `${at} would run a command and insert its output. ${never} Write the actual value instead.`
        : `${at} is a shell variable, which Runner Tray does not expand. Write the actual value instead, as Bitbucket's command has it.`;
    case 'command-substitution':
      return `A backtick (\`) on line ${u.line} would run a command in a shell and insert its output. ${never} Remove it. (A backtick at the very end of a line, which continues a PowerShell command, is fine.)`;
  }
}

/** Which non-Docker runner a pasted command starts, if any. */
function otherRunnerKind(text: string): string | null {
  if (/start\.ps1\b/i.test(text) || /(?:^|\s)-accountUuid\b/.test(text)) return 'Windows';
  if (/--runtime[\s=]+["']?macos/i.test(text)) return 'macOS';
  if (/--runtime[\s=]+["']?linux-shell/i.test(text)) return 'Linux Shell';
  if (/(?:^|[\s/])start\.sh\b/.test(text) || /--accountUuid\b/.test(text)) return 'Linux Shell or macOS';
  return null;
}
