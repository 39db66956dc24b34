/**
 * Splits pasted text into words the way a POSIX shell would, without expanding or running
 * anything. Everything a shell would *do* (a second command, a pipe, a redirection, an
 * expansion) is recorded as an unsafe construct instead, so the caller can refuse it.
 *
 * Forgiving where real pastes are broken in harmless ways: line continuations written for
 * sh (`\`), cmd (`^`) or PowerShell (`` ` ``), with stray blanks after them, or left behind as
 * a lone `\ ` when copying joined the lines.
 */

export interface Word {
  value: string;
  /** 1-based line of the paste where the word starts. */
  line: number;
}

export type UnsafeKind = 'second-command' | 'background' | 'pipe' | 'redirection' | 'heredoc' | 'subshell' | 'expansion' | 'command-substitution';

export interface UnsafeConstruct {
  kind: UnsafeKind;
  /** The characters as written, e.g. `&&`, `2>&1`, `$(`. Never includes a value. */
  text: string;
  line: number;
}

export interface GluedContinuation {
  mark: '\\' | '^';
  /** The line that ends with the mark. */
  line: number;
}

export interface Tokenized {
  /** Simple commands: words between newlines and control operators. */
  commands: Word[][];
  unsafe: UnsafeConstruct[];
  /** Lines that began with an option but had no continuation mark before them; read as part of the command above. */
  joinedLines: number[];
  /**
   * Continuation marks glued to the word before them (`…:ro^⏎-e …`) where the next line starts
   * with an option. sh and cmd join the two lines into one word there, and so does the
   * tokenizer; the parser uses these to explain a command that then makes no sense.
   */
  gluedContinuations: GluedContinuation[];
  /** Set when a quote is never closed (usually a paste cut short). */
  unclosedQuote?: { quote: '"' | "'"; line: number };
}

/** Undo what web pages, chat apps and word processors do to copied commands. */
export function normalizePaste(text: string): string {
  const unified = text
    .replace(/\r\n?/g, '\n')
    // An alternation, not a class: U+200D in a class reads as a joined sequence to linters and humans.
    .replace(/\u200B|\u200C|\u200D|\u2060|\uFEFF/g, '')
    .replace(/[\u00A0\u2007\u202F]/g, ' ')
    .replace(/[\u201C\u201D\u201E\u201F]/g, '"')
    .replace(/[\u2018\u2019\u201A\u201B]/g, "'");
  return unified
    .split('\n')
    .map((line) => {
      // Markdown code fences around a command copied from a chat or a README.
      if (/^[ \t]*```[\w-]*[ \t]*$/.test(line)) return '';
      return (
        line
          // Shell prompts copied along with the command.
          .replace(/^[ \t]*\$[ \t]+(?=(?:sudo[ \t]+)?docker)/, '')
          .replace(/^[ \t]*PS [A-Za-z]:[^>\n]*>[ \t]*(?=docker)/, '')
          // Bitbucket's "# Copy this command …" hint when copying glued it to the command.
          .replace(/^[ \t]*#[ \t]*copy this command\b.*?[ \t](?=(?:sudo[ \t]+)?docker[ \t])/i, '')
      );
    })
    .join('\n');
}

const CONTINUATION_TAIL = /^[ \t]*(?:\n|$)/;
const OPERATOR = /^(?:<<-|<<|>>|&&|\|\||;;|>&|<&|&>>|&>|\|&|[;&|<>()])/;
const OPERATOR_CHARS = ';&|<>()';
const EXPANSION_START = /[A-Za-z_{(0-9?!#*@$]/;
/** Characters with no meaning to the shell, taken in one step. */
const PLAIN_RUN = /[^\s\\^`#'"$;&|<>()]+/y;

function classify(op: string): UnsafeKind {
  if (op === '&') return 'background';
  if (op === '|' || op === '|&') return 'pipe';
  if (op === '<<' || op === '<<-') return 'heredoc';
  if (op === '(' || op === ')') return 'subshell';
  if (/[<>]/.test(op)) return 'redirection';
  return 'second-command';
}

type Item = { word: Word } | { separator: 'newline' | 'operator' };

export function tokenize(input: string): Tokenized {
  const text = normalizePaste(input);
  const items: Item[] = [];
  const unsafe: UnsafeConstruct[] = [];
  const gluedContinuations: GluedContinuation[] = [];
  /*
   * Each shell treats a continuation mark glued to a word differently, so each is read as its
   * own shell would:
   * - sh: `a\⏎b` is the word `ab`. That is valid and sometimes meant (a long value wrapped,
   *   e.g. a UUID split at a dash), so the words are joined.
   * - cmd: a `^` at a line end escapes the newline, and `a^⏎b` is also the word `ab`; joined too.
   *   For both, when the next line starts with an option, the join is recorded: if the command
   *   then does not parse, the missing space is the likely cause and the parser says so.
   * - PowerShell: a backtick before a newline is whitespace even when glued (`a`⏎b` is two
   *   words), but in sh a glued backtick opens a command substitution. When every backtick in
   *   the paste sits at a line end, no substitution could ever close, so the paste cannot be sh:
   *   the glued backtick is read as PowerShell's continuation.
   */
  const backticksOnlyAtLineEnds = /`/.test(text) && !/`(?![ \t]*\n)/.test(text);
  let unclosedQuote: Tokenized['unclosedQuote'];
  let line = 1;
  let cur: string | null = null;
  let curLine = 1;

  const append = (s: string) => {
    if (cur === null) {
      cur = '';
      curLine = line;
    }
    cur += s;
  };
  const flush = () => {
    if (cur !== null) items.push({ word: { value: cur, line: curLine } });
    cur = null;
  };
  /** Skip a continuation mark at `i` and the blanks and newline after it; returns the next index. */
  const skipContinuation = (i: number): number => {
    const tail = CONTINUATION_TAIL.exec(text.slice(i + 1, i + 200));
    const blanks = tail ? tail[0].replace('\n', '').length : 0;
    const hasNewline = tail ? tail[0].endsWith('\n') : false;
    // sh joins `abc\<newline>def` into one word; with blanks in between, the user meant a break.
    if (blanks > 0) flush();
    if (hasNewline) line++;
    return i + 1 + (tail ? tail[0].length : 0);
  };
  const noteExpansion = (i: number) => {
    const m = /^\$(?:\(|\{|[A-Za-z_][A-Za-z0-9_]*(?::[A-Za-z_][A-Za-z0-9_]*)?|[0-9?!#*@$])/.exec(text.slice(i, i + 80));
    unsafe.push({ kind: 'expansion', text: m ? m[0] : '$', line });
  };

  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    const next = text[i + 1];

    if (ch === ' ' || ch === '\t') {
      flush();
      i++;
      continue;
    }
    if (ch === '\n') {
      flush();
      items.push({ separator: 'newline' });
      line++;
      i++;
      continue;
    }
    if (ch === '\\' || ch === '^' || ch === '`') {
      // A backtick glued to a word (`A=`id`) is sh command substitution, even at a line end,
      // unless the paste can only be PowerShell (see above).
      const mayContinue = ch !== '`' || cur === null || backticksOnlyAtLineEnds;
      const tail = mayContinue ? CONTINUATION_TAIL.exec(text.slice(i + 1, i + 200)) : null;
      if (tail) {
        const after = i + 1 + tail[0].length;
        if (ch === '`') flush();
        else if (cur !== null && tail[0] === '\n' && /^-[A-Za-z-]/.test(text.slice(after, after + 2))) {
          gluedContinuations.push({ mark: ch, line });
        }
        i = skipContinuation(i);
        continue;
      }
      // A lone mark between blanks: a continuation whose newline vanished when copying.
      if (cur === null && (next === ' ' || next === '\t')) {
        i++;
        continue;
      }
      if (ch === '\\') {
        if (next !== undefined) append(next);
        i += 2;
        continue;
      }
      if (ch === '`') unsafe.push({ kind: 'command-substitution', text: '`', line });
      append(ch);
      i++;
      continue;
    }
    if (ch === '#' && cur === null) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (ch === "'") {
      const close = text.indexOf("'", i + 1);
      if (close < 0) {
        unclosedQuote = { quote: "'", line };
        break;
      }
      const content = text.slice(i + 1, close);
      append(content);
      line += content.split('\n').length - 1;
      i = close + 1;
      continue;
    }
    if (ch === '"') {
      append('');
      const openLine = line;
      let j = i + 1;
      let closed = false;
      while (j < text.length) {
        const c = text[j]!;
        if (c === '"') {
          closed = true;
          break;
        }
        if (c === '\\') {
          const n = text[j + 1];
          if (n === '\n') {
            line++;
            j += 2;
            continue;
          }
          if (n === '$' || n === '`' || n === '"' || n === '\\') {
            append(n);
            j += 2;
            continue;
          }
        }
        if (c === '$' && EXPANSION_START.test(text[j + 1] ?? '')) noteExpansion(j);
        if (c === '`') unsafe.push({ kind: 'command-substitution', text: '`', line });
        if (c === '\n') line++;
        append(c);
        j++;
      }
      if (!closed) {
        unclosedQuote = { quote: '"', line: openLine };
        break;
      }
      i = j + 1;
      continue;
    }
    if (ch === '$' && EXPANSION_START.test(next ?? '')) {
      noteExpansion(i);
      append(ch);
      i++;
      continue;
    }
    PLAIN_RUN.lastIndex = i;
    const plain = PLAIN_RUN.exec(text);
    if (plain) {
      append(plain[0]);
      i += plain[0].length;
      continue;
    }
    const op = OPERATOR_CHARS.includes(ch) ? OPERATOR.exec(text.slice(i, i + 4)) : null;
    if (op) {
      let written = op[0];
      let end = i + written.length;
      if (written === '>&' || written === '<&') {
        const fd = /^(?:\d+|-)/.exec(text.slice(end, end + 10));
        if (fd) {
          written += fd[0];
          end += fd[0].length;
        }
      }
      const fdPrefix: string | null = cur;
      if (/[<>]/.test(written) && fdPrefix !== null && /^\d+$/.test(fdPrefix)) {
        written = fdPrefix + written;
        cur = null;
      }
      flush();
      unsafe.push({ kind: classify(op[0]), text: written, line });
      items.push({ separator: 'operator' });
      i = end;
      continue;
    }
    append(ch);
    i++;
  }
  if (!unclosedQuote) flush();

  const commands: Word[][] = [];
  const joinedLines: number[] = [];
  let current: Word[] = [];
  let currentAfter: 'newline' | 'operator' | null = null;
  let pending: 'newline' | 'operator' | null = null;
  const close = () => {
    if (current.length === 0) return;
    const first = current[0]!;
    const prev = commands[commands.length - 1];
    // No command starts with an option: this line lost its continuation mark.
    if (currentAfter === 'newline' && prev && first.value.startsWith('-') && first.value.length > 1) {
      prev.push(...current);
      joinedLines.push(first.line);
    } else {
      commands.push(current);
    }
    current = [];
    pending = null;
  };
  for (const item of items) {
    if ('word' in item) {
      if (current.length === 0) currentAfter = pending;
      current.push(item.word);
      continue;
    }
    close();
    // Blank and comment lines in between do not hide an operator.
    pending = pending === 'operator' || item.separator === 'operator' ? 'operator' : 'newline';
  }
  close();

  return { commands, unsafe, joinedLines, gluedContinuations, ...(unclosedQuote ? { unclosedQuote } : {}) };
}
