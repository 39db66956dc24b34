import { useTranslation } from 'react-i18next';
import type { RunnerState, StepState } from '../../shared/contract/index.js';

export function RunnerStateBadge({ state }: { state: RunnerState }) {
  const { t } = useTranslation();
  return <span className={`badge badge-${state.toLowerCase()}`}>{t(`runnerState.${state}`)}</span>;
}

export function StepStateBadge({ state }: { state: StepState }) {
  const { t } = useTranslation();
  return <span className={`badge step-${state.toLowerCase()}`}>{t(`stepState.${state}`, { defaultValue: state })}</span>;
}
