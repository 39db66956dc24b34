/**
 * The services write their messages in English. An English UI shows them as they are (they are
 * the most specific words there are); another language shows its own text for the error's code,
 * and the service's message only where no translation for that code exists.
 */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, ParsedCommandView } from '../shared/contract/index.js';
import type { ParseWarning } from '../shared/runner-command/types.js';

type ParseErrorView = Extract<ParsedCommandView, { valid: false }>['error'];

export interface ErrorTexts {
  contract(error: ContractError): string;
  parseError(error: ParseErrorView): string;
  warning(warning: ParseWarning): string;
}

export function useErrorText(): ErrorTexts {
  const { t, i18n } = useTranslation();
  const english = i18n.language === 'en' || i18n.language.startsWith('en-');
  // One object per language, so effects can depend on it without running on every render.
  return useMemo(() => {
    const pick = (key: string, fallback: string, params: Record<string, string> = {}): string => (!english && i18n.exists(key) ? t(key, params) : fallback);
    return {
      contract: (e) => pick(`errors.contract.${e.code}`, e.message),
      parseError: (e) => pick(`errors.parse.${e.code}${e.variable ? '_named' : ''}`, e.message, e.variable ? { variable: e.variable } : {}),
      warning: (w) => pick(`errors.warning.${w.code}`, w.message),
    };
  }, [t, i18n, english]);
}
