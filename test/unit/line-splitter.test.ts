import { describe, expect, it } from 'vitest';
import { LineSplitter, splitLines } from '../../src/shared/line-splitter.js';

function collect(maxLine: number) {
  const lines: string[] = [];
  return { lines, splitter: new LineSplitter((l) => lines.push(l), maxLine) };
}

describe('LineSplitter', () => {
  it('joins lines cut anywhere across chunks, keeping blank lines and the \\r of CRLF', () => {
    const { lines, splitter } = collect(1000);
    for (const chunk of ['fir', 'st\nsec', 'ond\r\n', '\nthi', 'rd']) splitter.push(chunk);
    expect(lines).toEqual(['first', 'second\r', '']);
    splitter.end();
    expect(lines).toEqual(['first', 'second\r', '', 'third']);
    splitter.end();
    expect(lines).toHaveLength(4);
  });

  it('hands a runaway line out in maxLine pieces instead of holding it', () => {
    const { lines, splitter } = collect(4);
    splitter.push('abcdefghij');
    expect(lines).toEqual(['abcd', 'efgh']);
    splitter.push('\n');
    expect(lines).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('reset drops the unfinished line', () => {
    const { lines, splitter } = collect(100);
    splitter.push('half a li');
    splitter.reset();
    splitter.push('ne\n');
    expect(lines).toEqual(['ne']);
  });

  it('refuses a maxLine below 1, naming it', () => {
    expect(() => new LineSplitter(() => undefined, 0)).toThrow(/maxLine must be at least 1/);
  });

  it('splitLines: a whole text, its last line without newline included', () => {
    expect(splitLines('a\nb\n\nc')).toEqual(['a', 'b', '', 'c']);
    expect(splitLines('')).toEqual([]);
  });
});
