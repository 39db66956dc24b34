/** The `docker run` options Runner Tray takes over (`-e`, `-v`, `--name`) and the ones it only warns about. */
import { SILENT_FLAGS } from './docker-flags.js';
import type { FlagUse } from './docker-argv.js';
import { options as msg, shownOption } from './messages.js';
import { maskCredentials } from './mask.js';
import { fail, type ReadContext } from './parse-failure.js';
import { isVaulted } from './runner-env.js';
import { chars } from './messages.js';
import { findUnsafeChar, printableText } from '../text-safety.js';

export interface RunnerOptions {
  /** Every `-e` variable, last value wins, in the order first given. */
  envEntries: Map<string, string>;
  /** `host:container[:opts]` binds, as given. */
  binds: string[];
  /** `--name`, as given. */
  givenName: string | undefined;
}

export function readOptions(uses: FlagUse[], ctx: ReadContext): RunnerOptions {
  const read: RunnerOptions = { envEntries: new Map(), binds: [], givenName: undefined };
  for (const use of uses) {
    if (use.flag.name !== 'env') refuseUnsafeWord(`\`${use.written} …\``, use.value ?? '', use.line);
    const shown = shownOption(use.written, use.value, ctx);
    switch (use.flag.name) {
      case 'env':
        readEnv(use, read.envEntries, ctx);
        break;
      case 'volume': {
        const value = use.value ?? '';
        if (value.includes(':')) read.binds.push(value);
        else ctx.warn('IGNORED_FLAG', msg.anonymousVolume(use.written, value, ctx));
        break;
      }
      case 'name':
        read.givenName = use.value ?? '';
        break;
      case 'restart':
        ctx.warn('IGNORED_FLAG', msg.restart(shown));
        break;
      case 'rm':
        if (use.value === undefined || use.value === 'true') ctx.warn('IGNORED_FLAG', msg.rm(use.written));
        break;
      case 'env-file':
        ctx.warn('IGNORED_FLAG', msg.envFile(shown));
        break;
      case 'mount':
        ctx.warn('IGNORED_FLAG', msg.mount(shown));
        break;
      default:
        if (!SILENT_FLAGS.has(use.flag.name)) ctx.warn('IGNORED_FLAG', msg.ignored(shown));
    }
  }
  return read;
}

/** `-e NAME=value`; `-e NAME` alone would copy from a shell Runner Tray does not have. */
function readEnv(use: FlagUse, envEntries: Map<string, string>, ctx: ReadContext): void {
  const value = use.value ?? '';
  const eq = value.indexOf('=');
  if (eq === 0) fail('NOT_A_RUNNER_COMMAND', msg.envWithoutName(use.written, value, use.line, ctx));
  if (eq < 0) fail('MISSING_ENV', msg.envWithoutValue(use.written, value, use.line, ctx), maskCredentials(value, ctx.secrets));
  const key = value.slice(0, eq);
  const v = value.slice(eq + 1);
  // Known before any message is written, so every message masks them.
  if (isVaulted(key) && v.length > 0) ctx.secrets.push(v);
  refuseUnsafeChars(key, v, use.line);
  if (envEntries.has(key)) ctx.warn('DUPLICATE_ENV', msg.duplicateEnv(key, ctx));
  envEntries.set(key, v);
}

/** A NUL or control character, a lone surrogate or undecodable bytes: named, never echoed (the value may be a secret). */
function refuseUnsafeChars(key: string, value: string, line: number): void {
  const inName = findUnsafeChar(key);
  if (inName) fail('INVALID_CHARACTERS', chars.inName(key, line, inName), printableText(key));
  const inValue = findUnsafeChar(value);
  if (inValue) fail('INVALID_CHARACTERS', chars.inValue(key, line, inValue), key);
}

/** The same for any other word of the command: an option's value, the image, an argument. */
export function refuseUnsafeWord(what: string, value: string, line: number): void {
  const u = findUnsafeChar(value);
  if (u) fail('INVALID_CHARACTERS', chars.inWord(what, line, u));
}
