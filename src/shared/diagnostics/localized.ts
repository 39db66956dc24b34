import { DIAGNOSIS_TEXT, fillText, type DiagnosisTextKey } from './text.js';
import { DIAGNOSIS_TEXT_PL } from './text-pl.js';

/**
 * A diagnosis's message and fix in `language`, from its text key and params; the words it came
 * with (English) when it has no known key (an older service) or the language has no table.
 */
export function localizedDiagnosis(
  d: { textKey?: string; params?: Readonly<Record<string, string>>; message: string; fix: string },
  language: string,
): { message: string; fix: string } {
  const table = language === 'pl' ? DIAGNOSIS_TEXT_PL : language === 'en' ? DIAGNOSIS_TEXT : null;
  const entry = table && d.textKey !== undefined && Object.prototype.hasOwnProperty.call(table, d.textKey) ? table[d.textKey as DiagnosisTextKey] : undefined;
  if (!entry) return { message: d.message, fix: d.fix };
  return { message: fillText(entry.message, d.params), fix: fillText(entry.fix, d.params) };
}
