/** The log view's line store: what the user sees (newest lines kept, search results) matches a plain array, over many batches. */
import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../../src/shared/contract/index.js';
import { LogStore, type LineList } from '../../../src/renderer/log-store.js';

const lines = (from: number, count: number): LogLine[] =>
  Array.from({ length: count }, (_, i) => ({ n: from + i, text: `line ${from + i}${(from + i) % 7 === 0 ? ' Needle here' : ''}` }));
const ns = (list: LineList) => Array.from({ length: list.length }, (_, i) => list.at(i).n);

describe('LogStore', () => {
  it('keeps lines in order across chunks, and at least the newest `capacity` of them', () => {
    const store = new LogStore(100, 16);
    let next = 1;
    for (let batch = 0; batch < 40; batch++) {
      store.push(lines(next, 7));
      next += 7;
    }
    const kept = ns(store);
    expect(kept.at(-1)).toBe(280);
    expect(kept.length).toBeGreaterThanOrEqual(100);
    expect(kept.length).toBeLessThan(116);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 281 - kept.length + i));
  });

  it('searches incrementally, with the same result as filtering everything kept', () => {
    const store = new LogStore(200, 32);
    let next = 1;
    for (let batch = 0; batch < 60; batch++) {
      store.push(lines(next, 11));
      next += 11;
      const found = store.search('needle');
      const naive = ns(store).filter((n) => n % 7 === 0);
      expect(ns(found)).toEqual(naive);
    }
    // A new query scans again from the oldest kept line.
    expect(ns(store.search('line 65'))).toEqual(ns(store).filter((n) => String(n).startsWith('65')));
  });

  it('drains (resume after pause), clears, and finds a line by its text', () => {
    const held = new LogStore(1000, 8);
    held.push(lines(1, 20));
    const store = new LogStore(1000, 8);
    store.push(held.drain());
    expect(held.length).toBe(0);
    expect(ns(store)).toEqual(ns({ length: 20, at: (i) => ({ n: i + 1, text: '' }) }));
    expect(store.findText('line 14 Needle here')?.n).toBe(14);
    expect(store.texts(store.search('needle'))).toBe('line 7 Needle here\nline 14 Needle here');
    store.clear();
    expect(store.length).toBe(0);
    expect(store.search('needle').length).toBe(0);
  });
});
