import { describe, expect, it } from 'vitest';
import { en, type Dictionary } from '../../../src/renderer/i18n/en.js';
import { pl } from '../../../src/renderer/i18n/pl.js';
import { readFragmentToken } from '../../../src/renderer/transport/http.js';

/** Keys with plural suffixes folded, since Polish has more plural forms than English. */
function keys(d: Dictionary, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(d)) {
    const key = prefix + k.replace(/_(zero|one|two|few|many|other)$/, '');
    if (typeof v === 'string') out.add(key);
    else for (const sub of keys(v, `${key}.`)) out.add(sub);
  }
  return out;
}

describe('translations', () => {
  it('Polish has every English text and no stray ones', () => {
    expect([...keys(pl)].sort()).toEqual([...keys(en)].sort());
  });

  it('Polish plurals have the few and many forms', () => {
    const flat = JSON.stringify(pl);
    for (const base of ['lineCount', 'matches', 'secretHidden', 'diagnoses']) {
      expect(flat).toContain(`"${base}_few"`);
      expect(flat).toContain(`"${base}_many"`);
    }
  });
});

describe('dashboard link token', () => {
  it('is read from the fragment only', () => {
    expect(readFragmentToken('#token=abc-123')).toBe('abc-123');
    expect(readFragmentToken('')).toBeNull();
    expect(readFragmentToken('#other=1')).toBeNull();
  });
});
