/**
 * "Bring back to this machine": the workload and its Secret are deleted, then the local container
 * starts. Mid-step (the cluster watch says BUSY) the service answers STEP_RUNNING and the user decides.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, RunnerView, StartedRunnerView } from '../../shared/contract/index.js';
import { useClient } from '../contract-hooks.js';
import { useErrorText } from '../error-text.js';

export function BringBackButton({
  runner,
  onChanged,
  announce,
}: {
  runner: RunnerView;
  onChanged: (view: StartedRunnerView) => void;
  announce: (text: string) => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const [busy, setBusy] = useState(false);
  const [confirmStep, setConfirmStep] = useState(false);
  const [error, setError] = useState<ContractError>();

  async function bringBack(force: boolean) {
    setBusy(true);
    setError(undefined);
    setConfirmStep(false);
    const result = await client.invoke('kubernetes.bringBack', { runnerUuid: runner.uuid, force });
    setBusy(false);
    if (result.ok) {
      announce(t('k8s.broughtBack', { name: runner.displayName }));
      onChanged(result.value);
    } else if (result.error.code === 'STEP_RUNNING') setConfirmStep(true);
    else setError(result.error);
  }

  return (
    <>
      {error && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
      {confirmStep ? (
        <div className="confirm" role="group" aria-label={t('k8s.bringBackStepLabel')}>
          <p>{t('k8s.bringBackStepConfirm', { name: runner.displayName })}</p>
          <button type="button" className="danger" disabled={busy} onClick={() => void bringBack(true)}>
            {t('k8s.bringBackStepYes')}
          </button>
          <button type="button" className="secondary" autoFocus onClick={() => setConfirmStep(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <button type="button" disabled={busy} onClick={() => void bringBack(false)}>
          {busy ? t('k8s.bringingBack') : t('k8s.bringBack')}
        </button>
      )}
    </>
  );
}
