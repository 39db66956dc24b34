/** Diagnoses in Polish: every text key of the shared English table has Polish words, with the same placeholders, and they reach the view. */
import { describe, expect, it } from 'vitest';
import { toDiagnosisView } from '../../src/main/api/views.js';
import { diagnose, DIAGNOSIS_TEXT, DIAGNOSIS_TEXT_PL, localizedDiagnosis } from '../../src/shared/diagnostics/index.js';

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('Polish diagnosis texts', () => {
  it('cover every text key, with the same {{placeholders}} as the English, and are not English', () => {
    const keys = Object.keys(DIAGNOSIS_TEXT).sort();
    expect(Object.keys(DIAGNOSIS_TEXT_PL).sort()).toEqual(keys);
    for (const key of keys as Array<keyof typeof DIAGNOSIS_TEXT>) {
      const en = DIAGNOSIS_TEXT[key];
      const pl = DIAGNOSIS_TEXT_PL[key];
      expect(placeholders(pl.message), `${key}.message`).toEqual(placeholders(en.message));
      expect(placeholders(pl.fix), `${key}.fix`).toEqual(placeholders(en.fix));
      expect(pl.message, key).not.toBe(en.message);
      expect(pl.fix.trim().length, key).toBeGreaterThan(0);
    }
  });

  it('a step-container diagnosis keeps its text key, params and container role in the view, and reads in Polish', () => {
    const d = diagnose("Service 'docker' exceeded memory limit.", { lineNumber: 12 });
    expect(d).toBeTruthy();
    d!.container = 'docker';
    const view = toDiagnosisView(d!);
    expect(view).toMatchObject({ code: 'MEMORY_LIMIT', textKey: 'MEMORY_LIMIT.service', params: { container: 'docker' }, container: 'docker', lineNumber: 12 });
    expect(localizedDiagnosis(view, 'pl').message).toBe('Usłudze „docker” w kroku zabrakło pamięci i została zatrzymana.');
    expect(localizedDiagnosis(view, 'pl').fix).toContain('services: docker: memory');
    expect(localizedDiagnosis(view, 'en')).toEqual({ message: view.message, fix: view.fix });
  });

  it('falls back to the words the diagnosis came with when the key is unknown', () => {
    const old = { code: 'X', message: 'As sent.', fix: 'Do this.', textKey: 'NO_SUCH_KEY', line: 'x' };
    expect(localizedDiagnosis(old, 'pl')).toEqual({ message: 'As sent.', fix: 'Do this.' });
    expect(localizedDiagnosis({ ...old, textKey: 'toString' }, 'pl')).toEqual({ message: 'As sent.', fix: 'Do this.' });
  });
});
