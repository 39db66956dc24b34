/**
 * "Bring back to this machine": the workload and its Secret are deleted, then the local container
 * starts. Mid-step (the cluster watch says BUSY) the service answers STEP_RUNNING and the user decides.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, RunnerView, StartedRunnerView } from '../../shared/contract/index.js';
import { useClient } from '../contract-hooks.js';

export function BringBackButton({
  runner,
  onChanged,
  announce,
  onError,
}: {
  runner: RunnerView;
  onChanged: (view: StartedRunnerView) => void;
  announce: (text: string) => void;
  /**
   * Said by the runner's card, not here: once the workload is deleted the card shows the runner on
   * this machine and this button is gone, while the local start may still fail.
   */
  onError: (error: ContractError | undefined) => void;
}) {
  const { t } = useTranslation();
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [confirmStep, setConfirmStep] = useState(false);

  async function bringBack(force: boolean) {
    setBusy(true);
    onError(undefined);
    setConfirmStep(false);
    const result = await client.invoke('kubernetes.bringBack', { runnerUuid: runner.uuid, force });
    setBusy(false);
    if (result.ok) {
      announce(t('k8s.broughtBack', { name: runner.displayName }));
      onChanged(result.value);
    } else if (result.error.code === 'STEP_RUNNING') setConfirmStep(true);
    else onError(result.error);
  }

  return (
    <>
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
