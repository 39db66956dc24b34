import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosisView } from '../shared/contract/index.js';
import { localizedDiagnosis } from '../shared/diagnostics/localized.js';

export interface DiagnosisWords {
  message: string;
  fix: string;
  /** Which step container the line came from, when not the runner's own log. */
  where?: string;
}

/** A diagnosis in the UI's language (the shared text tables, by its text key), with its container role. */
export function useDiagnosisWords(): (d: DiagnosisView) => DiagnosisWords {
  const { t, i18n } = useTranslation();
  const language = i18n.language;
  return useCallback(
    (d: DiagnosisView) => {
      const words = localizedDiagnosis(d, language);
      if (d.container === undefined) return words;
      return { ...words, where: d.container === 'build' ? t('diagnosis.inBuild') : t('diagnosis.inService', { container: d.container }) };
    },
    [t, language],
  );
}
