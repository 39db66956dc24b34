/**
 * What keeps this host from working (no Docker yet, no usable keyring), each with its fix, where
 * the user looks: a banner under the header and the top of the Doctor screen. The vault problem
 * offers the explicit choice of the 0600 file, said plainly; nothing is chosen for the user.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { HostStatusView } from '../../shared/contract/index.js';
import { useChannel, useClient, useEvent } from '../contract-hooks.js';
import { CopyButton } from './CopyButton.js';

/** The host's status, current from `host.status` events. */
export function useHostStatus(): HostStatusView | undefined {
  const query = useChannel('host.status', {}, ['engine.connection']);
  const [pushed, setPushed] = useState<HostStatusView>();
  useEvent('host.status', (e) => setPushed(e.status));
  return pushed ?? query.value;
}

export function HostProblems({ status, place }: { status: HostStatusView | undefined; place: 'banner' | 'doctor' }) {
  const { t } = useTranslation();
  const client = useClient();
  const [choosing, setChoosing] = useState(false);
  const [error, setError] = useState<string>();
  if (!status || (status.engine.connected && status.vault.usable)) return null;

  const chooseFileVault = async () => {
    setChoosing(true);
    setError(undefined);
    const r = await client.invoke('host.useVault', { backend: 'file' });
    setChoosing(false);
    if (!r.ok) setError(r.error.message);
  };

  return (
    <section className={`host-problems host-problems-${place}`} aria-label={t('hostProblems.label')}>
      {!status.engine.connected && (
        <div className="card host-problem" data-problem="engine">
          <h2>{t('hostProblems.engineTitle')}</h2>
          {status.engine.problem && <pre className="problem-text">{status.engine.problem}</pre>}
          {status.engine.fix && (
            <div className="fix">
              <p>{t('hostProblems.fix')}</p>
              <pre>
                <code>{status.engine.fix}</code>
              </pre>
              <CopyButton text={status.engine.fix} label={t('doctor.copyFix')} />
            </div>
          )}
          <p className="muted">{t('hostProblems.engineWaiting')}</p>
        </div>
      )}
      {!status.vault.usable && (
        <div className="card host-problem" data-problem="vault">
          <h2>{t('hostProblems.vaultTitle')}</h2>
          {status.vault.problem && (
            <details>
              <summary>{t('hostProblems.why')}</summary>
              <p className="problem-text">{status.vault.problem}</p>
            </details>
          )}
          {status.vault.fixedByEnvironment ? (
            status.vault.fix && <p>{status.vault.fix}</p>
          ) : (
            <div className="fix">
              <p>{t('hostProblems.vaultChoice')}</p>
              <p>
                <strong>{t('hostProblems.fileWarning')}</strong>
              </p>
              <button type="button" disabled={choosing} onClick={() => void chooseFileVault()}>
                {t('hostProblems.useFile')}
              </button>
              <p className="muted">{t('hostProblems.keyringLater')}</p>
              {status.vault.fix && (
                <pre>
                  <code>{status.vault.fix}</code>
                </pre>
              )}
            </div>
          )}
          {error && (
            <p role="alert" className="error-text">
              {error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
