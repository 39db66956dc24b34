/**
 * Every error and warning text the runner-command parser writes, in one place so their wording
 * stays consistent and reviewable. Words from the paste come in raw and are shown through
 * `Words`, which masks secrets; numbers come from the constants they describe.
 */
import type { GluedContinuation, UnsafeConstruct } from './tokenize.js';
import type { Words } from './parse-failure.js';
import { DEFAULT_WORKING_DIRECTORY, CLIENT_ID_LENGTH, SECRET_LENGTH, UUID_SHAPE, RUNNER_REPOSITORY } from './runner-env.js';
import { RUNNER_IMAGE } from './types.js';
import { describeUnsafeChar, printableText, type UnsafeChar } from '../text-safety.js';

const WHERE_TO_COPY =
  'In Bitbucket, open Workspace settings (or Repository settings) → Runners → Add runner, choose System "Linux" and the "Docker" runner type, and copy the `docker container run …` command it shows';
const COPY_AGAIN = 'Copy the command again from Bitbucket.';
const COPY_WHOLE = 'Copy the whole command again from Bitbucket.';
const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

/** `` `--flag` `` or `` `--flag value` ``, as written. */
export function shownOption(written: string, value: string | undefined, w: Words): string {
  return value === undefined ? `\`${written}\`` : `\`${written} ${w.p(value)}\``;
}

// The paste as a whole (shell level).
export const shell = {
  nothingPasted: () => `Nothing was pasted. ${WHERE_TO_COPY}, then paste it here.`,
  otherRunner: (kind: string) =>
    `This is the command for a ${kind} runner, which runs directly on that machine. Runner Tray runs Linux Docker runners. ${WHERE_TO_COPY}, then paste that instead.`,
  noDocker: () => `This text is not a runner command: it has no \`docker container run …\`. ${WHERE_TO_COPY}, then paste it here.`,
  unclosedQuote: (quote: string, line: number) =>
    `The ${quote} quote opened on line ${line} is never closed, so the paste looks cut off. Copy the whole command again from Bitbucket and paste it here.`,
  noDockerLine: () => `This text is not a runner command: no line starts with \`docker\`. ${WHERE_TO_COPY}, then paste it here.`,
  moreThanOneCommand: (line: number, dockerFirst: boolean) =>
    `The paste holds more than one command: line ${line} starts another one ${dockerFirst ? 'after the docker command' : 'besides the docker command'}. Runner Tray takes exactly one \`docker container run …\` command and never runs shell code. If that line belongs to the docker command, end the line before it with \`\\\`; otherwise paste only the docker command.`,
  joinedLines: (lines: number[]) =>
    `Line${lines.length > 1 ? 's' : ''} ${lines.join(', ')} had no \`\\\` at the end of the line before, which a shell would run as a separate command. They start with an option, so they were read as part of the docker command.`,
  gluedContinuation(glued: GluedContinuation[]): string {
    const { mark, line } = glued[0]!;
    const shellName = mark === '^' ? 'cmd' : 'a shell';
    const others = glued.slice(1).map((g) => g.line);
    const also = others.length === 0 ? '' : ` The same goes for line${others.length > 1 ? 's' : ''} ${others.join(', ')}.`;
    return `A space is missing before the line continuation \`${mark}\` at line ${line}: put a space before it. Glued to the word before it, it makes ${shellName} join that word with the option that starts line ${line + 1}, so Docker would read the command wrongly.${also}`;
  },
  unsafe(u: UnsafeConstruct, w: Words): string {
    const at = `${w.q(u.text)} on line ${u.line}`;
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
  },
};

// The docker argv: global options, `run`, its options, the image.
export const argv = {
  notARun: (written: string) => `\`docker ${written}\` does not run a container. ${WHERE_TO_COPY}, then paste it here.`,
  ignoredGlobal: (shown: string) => `The docker option ${shown} is not applied: Runner Tray uses the Docker engine it is set up with.`,
  notDockerRun: (sub: string | undefined, w: Words) =>
    `This is ${sub === undefined ? '`docker` on its own' : `\`docker ${w.p(sub)}\``}, not \`docker container run …\`. ${WHERE_TO_COPY}, then paste it here.`,
  noImage: () => `The command ends before the image name (\`${RUNNER_IMAGE}\`), so the paste looks cut off. ${COPY_WHOLE}`,
  needsValue: (written: string) => `\`${written}\` needs a value, but the command ends there, so the paste looks cut off. ${COPY_WHOLE}`,
  unknownLong: (written: string, line: number, command: string, w: Words) =>
    `${w.q(written)} (line ${line}) is not a \`${command}\` option, so Docker would stop with "unknown flag". Remove it or correct its spelling.`,
  unknownShort: (written: string, group: string, line: number, command: string, w: Words) =>
    `${w.q(written)} (in ${w.q(group)}, line ${line}) is not a \`${command}\` option, so Docker would stop with "unknown shorthand flag". Remove it or correct its spelling.`,
};

// `docker run` options Runner Tray reads or ignores.
export const options = {
  envWithoutName: (written: string, value: string, line: number, w: Words) =>
    `\`${written} ${w.p(value)}\` on line ${line} has no variable name before the \`=\`. ${COPY_AGAIN}`,
  envWithoutValue: (written: string, variable: string, line: number, w: Words) =>
    `\`${written} ${w.p(variable)}\` on line ${line} has no \`=value\`: in a shell, Docker would copy ${w.q(variable)} from that shell's environment, which Runner Tray cannot see. Write the value into the command (\`-e ${w.p(variable)}=…\`), as Bitbucket shows it.`,
  duplicateEnv: (key: string, w: Words) => `${w.q(key)} is set more than once; the last value is used, as Docker would.`,
  anonymousVolume: (written: string, value: string, w: Words) =>
    `\`${written} ${w.p(value)}\` (an anonymous volume, with no host path) is not applied: the runner only needs bind mounts of the form \`host:container\`.`,
  restart: (shown: string) =>
    `${shown} is not applied: Runner Tray always gives the runner the restart policy \`unless-stopped\`, so it comes back after a reboot or an engine restart, but stays stopped when you stop it.`,
  rm: (written: string) =>
    `\`${written}\` is not applied: Runner Tray keeps the runner's container so Docker can restart it; it is removed when you remove the runner.`,
  envFile: (shown: string) =>
    `${shown} is not applied: Runner Tray does not read files named in a pasted command. Put the variables you need into the command as \`-e NAME=value\`.`,
  mount: (shown: string) => `${shown} is not applied. For a bind mount, write it as \`-v /host/path:/container/path\`, which Runner Tray applies.`,
  ignored: (shown: string) =>
    `Docker option ${shown} is not applied: Runner Tray creates the runner's container with its own settings (detached, restart policy, log limits) and only takes over \`-e\`, \`-v\` and \`--name\`.`,
};

// The image and the words after it.
export const image = {
  invalid: (value: string, line: number, w: Words) =>
    `Docker reads ${w.q(value)} (line ${line}) as the image to run, but it is not a valid image name. Usually a value with a space in it was not quoted, or the paste is damaged. ${COPY_AGAIN}`,
  runnerImageAsArgument: (value: string, line: number, w: Words) =>
    `Docker would run ${w.q(value)} (line ${line}) as the image and pass the runner image to it as an argument. Usually a value with a space in it was not quoted, or a word was split by the paste. ${COPY_AGAIN}`,
  unexpected: (value: string, w: Words) =>
    `The image is ${w.q(value)}, not Bitbucket's runner image \`${RUNNER_REPOSITORY}\`. Runner Tray will run it as given; make sure it is a Bitbucket Pipelines runner image (for example a mirror of it).`,
  secretArgument: (value: string, line: number, w: Words) =>
    `${w.q(value)} (line ${line}) comes after the image and looks like a credential. Docker would pass it to the runner program as an argument, not as a variable, and Runner Tray would store it in plain text with the runner's settings. If it is meant as a variable, move \`-e …\` before the image: Runner Tray then keeps it in its vault.`,
  argumentsAfter(values: string[], w: Words): string {
    const n = values.length;
    return `${values.map((v) => w.q(v)).join(' ')} come${plural(n, 's', '')} after the image, so Docker passes ${plural(n, 'it', 'them')} to the runner program as arguments and does not apply ${plural(n, 'it', 'them')} itself. Runner Tray does the same. If you meant Docker options, move them before the image.`;
  },
};

// The `-e` variables.
export const env = {
  missing: (name: string, near: string | undefined, w: Words) =>
    `The command does not set ${name}${near ? ` (there is ${w.q(near)}; names are case-sensitive)` : ''}. Bitbucket's runner command always has \`-e ${name}=…\`; copy the whole command again from Bitbucket.`,
  empty: (name: string) => `${name} is empty in the command. Copy the whole command again from Bitbucket: it fills in every value.`,
  placeholder: (name: string) =>
    `${name} holds a placeholder from documentation, not a real value. Copy the command from Bitbucket's Add runner dialog, which fills in the real values.`,
  uuidBracesAdded: (name: string) => `${name} was pasted without its braces; Runner Tray added them (\`{…}\`), as the runner expects.`,
  uuidEmpty: (name: string) =>
    `${name} is empty. ${name === 'REPOSITORY_UUID' ? 'For a workspace runner leave out `-e REPOSITORY_UUID=…`; for a repository runner copy the command again from Bitbucket.' : COPY_WHOLE}`,
  uuidPlaceholder: (name: string, value: string, w: Words) =>
    `${name} is ${w.q(value)}, a placeholder from documentation. Copy the command from Bitbucket's Add runner dialog, which fills in the real UUIDs.`,
  uuidBlanks: (name: string, value: string, w: Words) => `${name} is ${w.q(value)}, with blanks around it. Remove them: it must be exactly ${UUID_SHAPE}.`,
  uuidBrace: (name: string, value: string, w: Words) =>
    `${name} is ${w.q(value)}, which is missing a brace. It must look like ${UUID_SHAPE}; the paste may be cut, so copy the command again from Bitbucket.`,
  notUuid: (name: string, value: string, w: Words) =>
    `${name} is ${w.q(value)}, which is not a UUID. It must look like ${UUID_SHAPE} (hexadecimal digits in braces); copy the command again from Bitbucket.`,
  noWorkingDirectory: () =>
    `The command does not set WORKING_DIRECTORY; Runner Tray assumes ${DEFAULT_WORKING_DIRECTORY}, the directory Bitbucket's command uses. Current Bitbucket commands set it.`,
  noPrerequisites: () =>
    "The command does not set RUNTIME_PREREQUISITES_ENABLED, which current Bitbucket commands set to `true` (it lets the runner check its prerequisites when it starts). The runner works without it; to add it, create the runner's command again in Bitbucket.",
  extraSecret: (key: string, w: Words) =>
    `${w.q(key)} is not one of the variables in Bitbucket's runner command, and its name says it holds a secret: it is kept in the vault like the OAuth secret, passed to the runner's container, and never written to Runner Tray's settings.`,
  extra: (key: string, w: Words) => `${w.q(key)} is not one of the variables in Bitbucket's runner command; Runner Tray passes it to the runner unchanged.`,
};

// The OAuth credentials and where the secrets appear.
export const credentials = {
  secretTooShort: (length: number) =>
    `The OAuth client secret is ${length} characters long, but Bitbucket's are ${SECRET_LENGTH}: it may have been cut off when copying, and the runner would then fail to log in. Copy the command again while Bitbucket still shows it; if that dialog is closed, add the runner again in Bitbucket to get a new secret.`,
  secretTooLong: (length: number) =>
    `The OAuth client secret is ${length} characters long, but Bitbucket's are ${SECRET_LENGTH}: something may have been pasted into it. ${COPY_AGAIN}`,
  secretFormat: () =>
    `The OAuth client secret contains characters Bitbucket never uses in one (it uses only letters, digits, \`-\` and \`_\`). The paste may be damaged; copy the command again from Bitbucket.`,
  clientIdFormat: (length: number, unusual: boolean) =>
    `The OAuth client id is ${length} characters long${unusual ? ' and has unusual characters' : ''}; Bitbucket's are ${CLIENT_ID_LENGTH} letters and digits. It may have been cut when copying; check it against Bitbucket's command.`,
  secretElsewhere(variable: string, places: string[]): string {
    const oauth = variable === 'OAUTH_CLIENT_SECRET';
    const what = oauth ? 'The OAuth client secret' : `The value of ${variable}`;
    const needs = oauth ? 'the runner needs it only in `-e OAUTH_CLIENT_SECRET=…`' : `the runner gets it from \`-e ${variable}=…\``;
    return `${what} also appears in ${places.join(', ')}. Runner Tray keeps it only in its vault, and everything else in the command is stored in plain text with the runner's settings. Remove it from there: ${needs}.`;
  },
};

// The container name.
export const name = {
  invalid: (given: string, defaultName: string, w: Words) =>
    `\`--name ${w.p(given)}\` is not a valid container name (letters, digits, \`_\`, \`.\`, \`-\`); Runner Tray uses \`${defaultName}\` instead.`,
  mismatch: (given: string, defaultName: string, runnerUuid: string) =>
    `The container name \`${given}\` is kept, but Bitbucket names this runner's container \`${defaultName}\`. Check that the command belongs to runner ${runnerUuid}.`,
};

// Characters no container variable, option or terminal can take. Never the value: it may be a secret.
const CHAR_FIX: Record<UnsafeChar['kind'], string> = {
  nul: 'Docker cannot pass it to the container (the runner would not start). It comes from a damaged copy:',
  control: 'Docker would pass it to the runner as it is, and a terminal that shows it may act on it. It comes from a damaged copy:',
  bidi: 'it makes the text show in another order than the runner reads it. It comes from a damaged copy:',
  surrogate: 'it cannot be written as UTF-8, so the runner would get a different value. It comes from a damaged copy:',
  replacement: 'the pasted text was not UTF-8 (a file saved in another encoding, or a damaged copy). Save the command as UTF-8, or',
};

export const chars = {
  inValue: (variable: string, line: number, u: UnsafeChar) =>
    `The value of ${printableText(variable)} (\`-e ${printableText(variable)}=…\`, line ${line}) contains ${describeUnsafeChar(u)}: ${CHAR_FIX[u.kind]} copy the command again from Bitbucket, or retype the value.`,
  inName: (variable: string, line: number, u: UnsafeChar) =>
    `The variable name \`${printableText(variable)}\` (line ${line}) contains ${describeUnsafeChar(u)}: ${CHAR_FIX[u.kind]} copy the command again from Bitbucket, or retype the name (letters, digits and \`_\`).`,
  inWord: (what: string, line: number, u: UnsafeChar) =>
    `${what} (line ${line}) contains ${describeUnsafeChar(u)}: ${CHAR_FIX[u.kind]} copy the command again from Bitbucket.`,
};
