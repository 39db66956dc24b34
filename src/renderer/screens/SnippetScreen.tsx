import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { pipelinesSnippet, STEP_SIZES, STEP_SIZE_MEMORY_GB, type StepSize } from '../../shared/pipelines-snippet/index.js';
import { CopyButton } from '../components/CopyButton.js';

export function SnippetScreen() {
  const { t } = useTranslation();
  const ids = { labels: useId(), size: useId() };
  const [labels, setLabels] = useState('');
  const [size, setSize] = useState<StepSize>('1x');
  const snippet = pipelinesSnippet({ extraLabels: labels.split(','), size, stepName: t('snippet.stepName') });

  return (
    <section className="card" aria-labelledby="snippet-title">
      <h2 id="snippet-title">{t('snippet.heading')}</h2>
      <p>{t('snippet.intro')}</p>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.labels}>{t('snippet.labels')}</label>
          <p className="hint" id={`${ids.labels}-hint`}>
            {t('snippet.labelsHint')}
          </p>
          <input id={ids.labels} value={labels} onChange={(e) => setLabels(e.target.value)} aria-describedby={`${ids.labels}-hint`} spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={ids.size}>{t('snippet.size')}</label>
          <select id={ids.size} value={size} onChange={(e) => setSize(e.target.value as StepSize)}>
            {STEP_SIZES.map((s) => (
              <option key={s} value={s}>
                {t('snippet.sizeOption', { size: s, gb: STEP_SIZE_MEMORY_GB[s] })}
              </option>
            ))}
          </select>
        </div>
      </div>
      {snippet.invalidLabels.length > 0 && (
        <p role="alert" className="error-text">
          {t('snippet.invalidLabels', { labels: snippet.invalidLabels.join(', ') })}
        </p>
      )}
      <pre className="code-block" aria-label={t('snippet.yamlLabel')}>
        <code>{snippet.yaml}</code>
      </pre>
      <CopyButton text={snippet.yaml} label={t('snippet.copy')} className="primary" />
    </section>
  );
}
