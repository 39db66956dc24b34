import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, ImportCandidateView, RunnerView } from '../../shared/contract/index.js';
import { useChannel, useClient } from '../contract-hooks.js';
import { useErrorText } from '../error-text.js';

/**
 * Runner containers started by hand (the article's `docker container run …`), offered for import.
 * Shown only when there are some: most users never see it. An engine that cannot be reached is
 * the banner's business, not this section's.
 */
export function ImportSection({ onImported, announce }: { onImported: (runner: RunnerView) => void; announce: (text: string) => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const candidates = useChannel('imports.list', {}, ['engine.connection']);
  const list = candidates.value ?? [];
  if (list.length === 0) return null;
  return (
    <section className="card import" aria-labelledby={titleId}>
      <h2 id={titleId}>{t('import.title', { count: list.length })}</h2>
      <p>{t('import.intro', { count: list.length })}</p>
      <ul className="import-list" aria-label={t('import.listLabel')}>
        {list.map((c) => (
          <Candidate
            key={c.containerId}
            candidate={c}
            onImported={(runner) => {
              candidates.patch((cs) => cs.filter((x) => x.containerId !== c.containerId));
              onImported(runner);
              announce(t('import.done', { name: c.name }));
            }}
          />
        ))}
      </ul>
    </section>
  );
}

function Candidate({ candidate: c, onImported }: { candidate: ImportCandidateView; onImported: (runner: RunnerView) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractError>();

  async function runImport() {
    setBusy(true);
    setError(undefined);
    const result = await client.invoke('imports.run', { containerId: c.containerId });
    setBusy(false);
    if (result.ok) onImported(result.value.runner);
    else setError(result.error);
  }

  return (
    <li className="import-candidate">
      <p>
        <strong>{c.name}</strong> · {t('import.state', { state: c.state })}
        {c.runnerUuid && (
          <>
            {' · '}
            <code>{c.runnerUuid}</code>
          </>
        )}
      </p>
      {c.problem !== undefined ? (
        <p className="muted">{c.savedAs !== undefined ? t('import.alreadySaved', { name: c.savedAs }) : t('import.cannot', { reason: c.problem })}</p>
      ) : (
        <button type="button" className="primary" disabled={busy} aria-label={t('import.buttonLabel', { name: c.name })} onClick={() => void runImport()}>
          {busy ? t('import.busy') : t('import.button')}
        </button>
      )}
      {error && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
    </li>
  );
}
