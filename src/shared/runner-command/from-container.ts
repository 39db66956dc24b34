/**
 * A runner started by hand, read back from the engine (`docker inspect`), through the very
 * checks a pasted command goes through: its name, binds, variables, image and arguments become
 * the words of the `docker container run` that would make it, and `readRunner` builds the spec.
 * Words, not text: values are taken as Docker holds them, never re-split or "repaired" as a paste is.
 */
import { findSecretsInText, maskCredentials } from './mask.js';
import { ParseFailure, readContext } from './parse-failure.js';
import { readRunner } from './read-runner.js';
import { isVaulted } from './runner-env.js';
import type { Word } from './tokenize.js';
import type { ParseError, ParseResult } from './types.js';

/** What of a container the runner command sets, as `docker inspect` shows it. */
export interface HandMadeContainer {
  /** Without the leading `/`. */
  name: string;
  /** `Config.Image`: the image as it was given to `docker run`. */
  image: string;
  /** `Config.Env` without the entries the image itself sets (those were not given with `-e`). */
  env: readonly string[];
  /** `HostConfig.Binds`. */
  binds: readonly string[];
  /** `Config.Cmd` when it differs from the image's (arguments given after the image), else empty. */
  args: readonly string[];
}

/** The words of the `docker container run` command that made this container. */
export function runWords(c: HandMadeContainer): string[] {
  return ['docker', 'container', 'run', '--name', c.name, ...c.binds.flatMap((b) => ['-v', b]), ...c.env.flatMap((e) => ['-e', e]), c.image, ...c.args];
}

/** The container's runner spec and secrets, or why it is not a runner Runner Tray can take over. */
export function parseHandMadeContainer(c: HandMadeContainer): ParseResult {
  const words: Word[] = runWords(c).map((value) => ({ value, line: 1 }));
  // Every vaulted value is known before the first message is written, so each one is masked.
  const secrets = c.env.flatMap((e) => {
    const eq = e.indexOf('=');
    return eq > 0 && isVaulted(e.slice(0, eq)) && eq < e.length - 1 ? [e.slice(eq + 1)] : [];
  });
  secrets.push(...findSecretsInText(words.map((w) => w.value).join(' ')));
  let result: ParseResult;
  try {
    result = readRunner(words, readContext(secrets, []));
  } catch (e) {
    if (!(e instanceof ParseFailure)) throw e;
    result = { ok: false, error: e.error };
  }
  if (!result.ok) {
    const { code, message, variable } = result.error;
    const error: ParseError = { code, message: maskCredentials(message, secrets) };
    if (variable !== undefined) error.variable = maskCredentials(variable, secrets);
    return { ok: false, error };
  }
  return { ...result, warnings: result.warnings.map((w) => ({ code: w.code, message: maskCredentials(w.message, secrets) })) };
}
