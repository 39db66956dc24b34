import { describe, expect, it } from 'vitest';
import { tokenize } from '../../src/shared/runner-command/tokenize.js';

const words = (text: string) => tokenize(text).commands.map((c) => c.map((w) => w.value));

describe('tokenize: shell words without a shell', () => {
  it('a `\\ ` inside a word is an escaped space; a lone `\\` between blanks is a continuation whose newline vanished', () => {
    expect(words('docker run -v /my\\ dir:/x \\ -e A=1')).toEqual([['docker', 'run', '-v', '/my dir:/x', '-e', 'A=1']]);
  });

  it('`\\` right before a newline joins the words as sh does; with blanks after it, it still continues the line', () => {
    expect(words('docker run -e AB\\\nC=1')).toEqual([['docker', 'run', '-e', 'ABC=1']]);
    expect(words('docker run \\  \t\n  -e A=1')).toEqual([['docker', 'run', '-e', 'A=1']]);
  });

  it('cmd `^` and PowerShell backtick continuations, at line ends and collapsed onto one line', () => {
    expect(words('docker run ^\r\n -e A=1 ^ -e B=2')).toEqual([['docker', 'run', '-e', 'A=1', '-e', 'B=2']]);
    expect(words('docker run `\r\n -e A=1 ` -e B=2')).toEqual([['docker', 'run', '-e', 'A=1', '-e', 'B=2']]);
    expect(tokenize('docker run ` -e A=1').unsafe).toEqual([]);
    expect(tokenize('docker run -e A=`id`').unsafe.map((u) => u.kind)).toEqual(['command-substitution', 'command-substitution']);
    // An opening backtick at a line end is no continuation when it is glued to a word.
    expect(tokenize('docker run -e A=`\nid`').unsafe.map((u) => u.text)).toEqual(['`', '`']);
  });

  it('a mark glued to a word: sh and cmd join the lines, and the join before an option is recorded; a lone PowerShell backtick separates', () => {
    const sh = tokenize('docker run -v /a:/b\\\n-e A=1');
    expect(sh.commands.map((c) => c.map((w) => w.value))).toEqual([['docker', 'run', '-v', '/a:/b-e', 'A=1']]);
    expect(sh.gluedContinuations).toEqual([{ mark: '\\', line: 1 }]);
    const cmd = tokenize('docker run ^\r\n -v /a:/b^\r\n-e A=1');
    expect(cmd.gluedContinuations).toEqual([{ mark: '^', line: 2 }]);
    // Not an option on the next line, or blanks in between: nothing to report.
    expect(tokenize('docker run -e A={0b3c\\\n2f1e}').gluedContinuations).toEqual([]);
    expect(tokenize('docker run -v /a:/b\\\n  -e A=1').gluedContinuations).toEqual([]);
    expect(words('docker run -v /a:/b`\r\n-e A=1 `\r\n-e B=2')).toEqual([['docker', 'run', '-v', '/a:/b', '-e', 'A=1', '-e', 'B=2']]);
    expect(tokenize('docker run -v /a:/b`\n-e A=1').unsafe).toEqual([]);
  });

  it('quotes: single quotes are literal; double quotes keep ;|&<> literal but see $ and backticks', () => {
    expect(words(`docker run -e 'A=$(x);y' -e "B=a;b|c" -e C="x"'y'z`)).toEqual([['docker', 'run', '-e', 'A=$(x);y', '-e', 'B=a;b|c', '-e', 'C=xyz']]);
    expect(tokenize('docker run -e "A=$HOME"').unsafe).toEqual([{ kind: 'expansion', text: '$HOME', line: 1 }]);
    expect(words('docker run -e "A=\\"q\\" \\$ \\\\"')).toEqual([['docker', 'run', '-e', 'A="q" $ \\']]);
  });

  it('comments: a whole line, or from a `#` that starts a word; a `#` inside a word is literal', () => {
    expect(words('# Copy this command\ndocker run -e A=b#c # trailing note')).toEqual([['docker', 'run', '-e', 'A=b#c']]);
  });

  it('operators split commands and are reported with their line, fd digits included', () => {
    const t = tokenize('docker run x\n\ndocker ps 2>&1 | cat');
    expect(t.commands.length).toBe(3);
    expect(t.unsafe).toEqual([
      { kind: 'redirection', text: '2>&1', line: 3 },
      { kind: 'pipe', text: '|', line: 3 },
    ]);
  });

  it('a line starting with an option after a line without continuation is joined and reported', () => {
    const t = tokenize('docker run\n  -e A=1\n\n  -e B=2\necho hi');
    expect(t.commands.map((c) => c.map((w) => w.value))).toEqual([
      ['docker', 'run', '-e', 'A=1', '-e', 'B=2'],
      ['echo', 'hi'],
    ]);
    expect(t.joinedLines).toEqual([2, 4]);
  });

  it('an unclosed quote is reported with the line it opened on', () => {
    expect(tokenize('docker run \\\n -e A="abc\n').unclosedQuote).toEqual({ quote: '"', line: 2 });
    expect(tokenize("docker run -e A='abc").unclosedQuote).toEqual({ quote: "'", line: 1 });
  });

  it('typographic quotes, non-breaking spaces and zero-width characters from web pages are undone', () => {
    expect(words('docker\u00a0run -e \u201cA=1 2\u201d\u200b')).toEqual([['docker', 'run', '-e', 'A=1 2']]);
  });
});
