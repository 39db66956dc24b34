import { useState } from 'react';
import { useTranslation } from 'react-i18next';

/** Copies `text`; says so for a moment, also to screen readers. */
export function CopyButton({ text, label, className }: { text: string | (() => string); label?: string; className?: string }) {
  const { t } = useTranslation();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const onClick = async () => {
    try {
      await navigator.clipboard.writeText(typeof text === 'function' ? text() : text);
      setState('copied');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" className={className ?? 'secondary'} onClick={() => void onClick()}>
      <span aria-live="polite">{state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : (label ?? t('common.copy'))}</span>
    </button>
  );
}
