import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventOf } from '../../shared/contract/index.js';
import { useEvent } from '../contract-hooks.js';
import { formatBytes } from '../format.js';

type Pull = EventOf<'pull.progress'>;

/** One progress bar per image being pulled; finished pulls disappear after a moment. */
export function PullProgress() {
  const { t, i18n } = useTranslation();
  const [pulls, setPulls] = useState<Record<string, Pull>>({});
  useEvent('pull.progress', (e) => {
    setPulls((p) => ({ ...p, [e.image]: e }));
    if (e.phase === 'done') {
      setTimeout(() => setPulls(({ [e.image]: _gone, ...rest }) => rest), 3000);
    }
  });
  const list = Object.values(pulls);
  if (list.length === 0) return null;
  return (
    <section className="card pulls" aria-label={t('pull.region')}>
      {list.map((p) => {
        const label = t(`pull.${p.phase}`, { image: p.image });
        const known = p.totalBytes !== undefined && p.currentBytes !== undefined;
        return (
          <div key={p.image} className="pull">
            <div className="pull-label">
              <span>{label}</span>
              {known && (
                <span className="muted">
                  {formatBytes(p.currentBytes!, i18n.language)} / {formatBytes(p.totalBytes!, i18n.language)}
                </span>
              )}
            </div>
            <progress aria-label={label} max={known ? p.totalBytes : undefined} value={known ? p.currentBytes : undefined} />
            {p.phase === 'failed' && p.message && <p className="error-text">{p.message}</p>}
            {p.phase === 'failed' && (
              <button type="button" className="secondary" onClick={() => setPulls(({ [p.image]: _gone, ...rest }) => rest)}>
                {t('pull.dismiss')}
              </button>
            )}
          </div>
        );
      })}
    </section>
  );
}
