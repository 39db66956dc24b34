/**
 * The docker CLI's own reading of a command's words: `docker [global options] (run | container
 * run) [options] IMAGE [ARG…]`, the way cobra/pflag read them with interspersed flags off.
 */
import { GLOBAL_FLAGS, RUN_FLAGS, type DockerFlag, type FlagTable } from './docker-flags.js';
import { argv as msg, shownOption } from './messages.js';
import { fail, type ReadContext, type Words } from './parse-failure.js';
import type { Word } from './tokenize.js';

export interface FlagUse {
  flag: DockerFlag;
  /** As written, e.g. `--memory` or `-m`. */
  written: string;
  value: string | undefined;
  line: number;
}

export interface DockerRun {
  /** `docker run` options, in the order given. */
  uses: FlagUse[];
  image: Word;
  /** Every word after the image. */
  args: Word[];
}

/** Index of the `docker` word (after an optional `sudo …`), or -1. */
export function dockerWordIndex(words: Word[]): number {
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
 * Options until the first word that is not one, which is the image; every word after it is an
 * argument. Global options are warned about (not applied); `--help`/`--version` run nothing.
 */
export function readDockerRun(words: Word[], ctx: ReadContext): DockerRun {
  let k = dockerWordIndex(words) + 1;
  const globals: FlagUse[] = [];
  k = readFlags(words, k, GLOBAL_FLAGS, globals, ctx, 'docker');
  for (const g of globals) {
    if (g.flag.name === 'help' || g.flag.name === 'version') fail('NOT_A_RUNNER_COMMAND', msg.notARun(g.written));
    ctx.warn('IGNORED_FLAG', msg.ignoredGlobal(shownOption(g.written, g.value, ctx)));
  }
  const sub = words[k]?.value;
  if (sub === 'run') k++;
  else if (sub === 'container' && words[k + 1]?.value === 'run') k += 2;
  else fail('NOT_A_RUNNER_COMMAND', msg.notDockerRun(sub, ctx));
  const uses: FlagUse[] = [];
  k = readFlags(words, k, RUN_FLAGS, uses, ctx, 'docker run');
  const image = words[k];
  if (!image) fail('NOT_A_RUNNER_COMMAND', msg.noImage());
  return { uses, image, args: words.slice(k + 1) };
}

/** Reads the options from `start` into `out`; returns the index of the first word after them. */
function readFlags(words: Word[], start: number, table: FlagTable, out: FlagUse[], w: Words, command: string): number {
  let k = start;
  while (k < words.length) {
    const word = words[k]!;
    if (word.value === '--') return k + 1;
    if (!word.value.startsWith('-') || word.value === '-') return k;
    const needsValue = (written: string): string => {
      const next = words[k + 1];
      if (!next) fail('NOT_A_RUNNER_COMMAND', msg.needsValue(written));
      k++;
      return next.value;
    };
    if (word.value.startsWith('--')) out.push(longFlag(word, table, needsValue, w, command));
    else out.push(...shortFlags(word, table, needsValue, w, command));
    k++;
  }
  return k;
}

/** `--name`, `--name=value` or `--name value`. */
function longFlag(word: Word, table: FlagTable, needsValue: (written: string) => string, w: Words, command: string): FlagUse {
  const eq = word.value.indexOf('=');
  const name = eq < 0 ? word.value.slice(2) : word.value.slice(2, eq);
  const flag = table.byLong.get(name);
  const written = `--${name}`;
  if (!flag) fail('NOT_A_RUNNER_COMMAND', msg.unknownLong(written, word.line, command, w));
  const value = eq >= 0 ? word.value.slice(eq + 1) : flag.takesValue ? needsValue(written) : undefined;
  return { flag, written, value, line: word.line };
}

/** A group of one-letter options, e.g. `-it`, `-dp 80:80`, `-eNAME=value`. */
function shortFlags(word: Word, table: FlagTable, needsValue: (written: string) => string, w: Words, command: string): FlagUse[] {
  const uses: FlagUse[] = [];
  const letters = word.value.slice(1);
  for (let j = 0; j < letters.length; j++) {
    const letter = letters[j]!;
    const flag = table.byShort.get(letter);
    const written = `-${letter}`;
    if (!flag) fail('NOT_A_RUNNER_COMMAND', msg.unknownShort(written, word.value, word.line, command, w));
    const rest = letters.slice(j + 1);
    if (flag.takesValue) {
      const value = rest === '' ? needsValue(written) : rest.startsWith('=') ? rest.slice(1) : rest;
      uses.push({ flag, written, value, line: word.line });
      break;
    }
    if (rest.startsWith('=')) {
      uses.push({ flag, written, value: rest.slice(1), line: word.line });
      break;
    }
    uses.push({ flag, written, value: undefined, line: word.line });
  }
  return uses;
}
