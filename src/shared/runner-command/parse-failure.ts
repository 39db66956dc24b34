import { plainWord, quoteWord } from './mask.js';
import type { ParseError, ParseErrorCode, ParseWarning, ParseWarningCode } from './types.js';

/** Thrown by any step of the parser; `parseRunnerCommand` turns it into `{ok: false}`. */
export class ParseFailure extends Error {
  constructor(readonly error: ParseError) {
    super(error.message);
  }
}

export function fail(code: ParseErrorCode, message: string, variable?: string): never {
  throw new ParseFailure(variable === undefined ? { code, message } : { code, message, variable });
}

/** How messages show a word from the paste: masked, on one line, shortened. */
export interface Words {
  /** As inline code: `` `word` ``. */
  q(word: string): string;
  /** Plain, for inside a code span the message writes itself. */
  p(word: string): string;
}

export function wordsMasking(secrets: readonly string[]): Words {
  // `secrets` grows while the options are read; both read it at call time.
  return { q: (word) => quoteWord(word, secrets), p: (word) => plainWord(word, secrets) };
}

/** What every reading step shares: the secrets known so far, how to show words, and the warnings. */
export interface ReadContext extends Words {
  /** Values to mask in every message; a step that learns one pushes it before writing any message. */
  secrets: string[];
  warnings: ParseWarning[];
  warn(code: ParseWarningCode, message: string): void;
}

export function readContext(secrets: string[], warnings: ParseWarning[]): ReadContext {
  return { ...wordsMasking(secrets), secrets, warnings, warn: (code, message) => warnings.push({ code, message }) };
}
