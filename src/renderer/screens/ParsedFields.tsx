import { useTranslation } from 'react-i18next';
import type { ParsedCommandView } from '../../shared/contract/index.js';
import { useErrorText } from '../error-text.js';

/** What a valid pasted command says, the secret shown only as its length. */
export function ParsedFields({ parsed }: { parsed: Extract<ParsedCommandView, { valid: true }> }) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const r = parsed.runner;
  return (
    <section className="parsed" aria-label={t('add.parsedLabel')}>
      <p className="ok-text">{t('add.looksGood')}</p>
      <dl className="facts">
        <div>
          <dt>{t('add.field.kind')}</dt>
          <dd>{t(`kind.${r.kind}`)}</dd>
        </div>
        <div>
          <dt>{t('add.field.runnerUuid')}</dt>
          <dd>
            <code>{r.runnerUuid}</code>
          </dd>
        </div>
        <div>
          <dt>{t('add.field.accountUuid')}</dt>
          <dd>
            <code>{r.accountUuid}</code>
          </dd>
        </div>
        {r.repositoryUuid && (
          <div>
            <dt>{t('add.field.repositoryUuid')}</dt>
            <dd>
              <code>{r.repositoryUuid}</code>
            </dd>
          </div>
        )}
        <div>
          <dt>{t('add.field.name')}</dt>
          <dd>
            <code>{r.name}</code>
          </dd>
        </div>
        <div>
          <dt>{t('add.field.clientId')}</dt>
          <dd>
            <code>{r.oauthClientId}</code>
          </dd>
        </div>
        <div>
          <dt>{t('add.field.secret')}</dt>
          <dd>
            <span className="masked" aria-hidden="true">
              {parsed.secretMasked.slice(0, 16)}
            </span>{' '}
            <span className="muted">{t('add.secretHidden', { count: parsed.secretLength })}</span>
          </dd>
        </div>
        <div>
          <dt>{t('add.field.workingDirectory')}</dt>
          <dd>
            <code>{r.workingDirectory}</code>
          </dd>
        </div>
        <div>
          <dt>{t('add.field.image')}</dt>
          <dd>
            <code>{r.image}</code>
          </dd>
        </div>
      </dl>
      {parsed.warnings.length > 0 && (
        <div className="notice warn">
          <p>
            <strong>{t('add.warnings')}</strong>
          </p>
          <ul>
            {parsed.warnings.map((w) => (
              <li key={w.code + w.message}>{errorText.warning(w)}</li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
