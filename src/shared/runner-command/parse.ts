/**
 * The entry point: a pasted text → a runner spec and its secrets, or one clear error. Shell-level
 * checks here (is it one `docker run`, nothing a shell would run besides it); the docker argv in
 * `docker-argv.ts`, the options, image and variables in `read-runner.ts`, every text in `messages.ts`.
 */
import { dockerWordIndex } from './docker-argv.js';
import { findSecretsInText, maskCredentials } from './mask.js';
import { shell as msg } from './messages.js';
import { ParseFailure, fail, readContext, wordsMasking } from './parse-failure.js';
import { readRunner } from './read-runner.js';
import { normalizePaste, tokenize, type Tokenized } from './tokenize.js';
import type { ParseError, ParseResult, ParseWarning } from './types.js';

/** True when the text is worth offering to parse: a `docker run` of a Bitbucket runner. Cheap; for clipboard watching. */
export function looksLikeRunnerCommand(text: string): boolean {
  if (text.length > 100_000) return false;
  return /\bdocker(?:\.exe)?[\s\\^`]+(?:container[\s\\^`]+)?run\b/.test(text) && /RUNNER_UUID|bitbucket-pipelines-runner/.test(text);
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

function parse(text: string, secrets: string[]): ParseResult {
  refuseNonDockerText(text);
  const tokens = tokenize(text);
  const dockerIndex = checkOneDockerCommand(tokens, secrets);
  const warnings: ParseWarning[] = [];
  if (tokens.joinedLines.length > 0) warnings.push({ code: 'JOINED_LINES', message: msg.joinedLines(tokens.joinedLines) });
  try {
    return readRunner(tokens.commands[dockerIndex]!, readContext(secrets, warnings));
  } catch (e) {
    // Whatever else went wrong, a continuation glued to an option is what the user must fix first.
    const glued = tokens.gluedContinuations;
    if (!(e instanceof ParseFailure) || e.error.code === 'UNSAFE_COMMAND' || glued.length === 0) throw e;
    fail('NOT_A_RUNNER_COMMAND', msg.gluedContinuation(glued));
  }
}

/** Empty text, another kind of runner's command, or text without `docker` at all. */
function refuseNonDockerText(text: string): void {
  if (text.trim() === '') fail('NOT_A_RUNNER_COMMAND', msg.nothingPasted());
  const normalized = normalizePaste(text);
  const hasDockerRun = /\bdocker(?:\.exe)?\b[^\n]*?\brun\b/.test(normalized) || looksLikeRunnerCommand(normalized);
  const other = otherRunnerKind(normalized);
  if (other && !hasDockerRun) fail('NOT_DOCKER_RUNNER', msg.otherRunner(other));
  if (!/\bdocker(?:\.exe)?\b/i.test(normalized)) fail('NOT_A_RUNNER_COMMAND', msg.noDocker());
}

/** The paste is complete and holds exactly one command, a docker one, and no shell code; returns its index. */
function checkOneDockerCommand(tokens: Tokenized, secrets: string[]): number {
  if (tokens.unclosedQuote) {
    fail('NOT_A_RUNNER_COMMAND', msg.unclosedQuote(tokens.unclosedQuote.quote, tokens.unclosedQuote.line));
  }
  const dockerIndex = tokens.commands.findIndex((words) => dockerWordIndex(words) >= 0);
  if (dockerIndex < 0) fail('NOT_A_RUNNER_COMMAND', msg.noDockerLine());
  const firstUnsafe = tokens.unsafe[0];
  if (firstUnsafe) fail('UNSAFE_COMMAND', msg.unsafe(firstUnsafe, wordsMasking(secrets)));
  if (tokens.commands.length > 1) {
    const second = tokens.commands.find((_, i) => i !== dockerIndex)![0]!;
    fail('UNSAFE_COMMAND', msg.moreThanOneCommand(second.line, dockerIndex === 0));
  }
  return dockerIndex;
}

/** Which non-Docker runner a pasted command starts, if any. */
function otherRunnerKind(text: string): string | null {
  if (/start\.ps1\b/i.test(text) || /(?:^|\s)-accountUuid\b/.test(text)) return 'Windows';
  if (/--runtime[\s=]+["']?macos/i.test(text)) return 'macOS';
  if (/--runtime[\s=]+["']?linux-shell/i.test(text)) return 'Linux Shell';
  if (/(?:^|[\s/])start\.sh\b/.test(text) || /--accountUuid\b/.test(text)) return 'Linux Shell or macOS';
  return null;
}
