import { useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, RunnerView } from '../../shared/contract/index.js';
import { useChannel, useClient } from '../contract-hooks.js';
import { RunnerStateBadge } from '../components/StateBadge.js';
import { PullProgress } from '../components/PullProgress.js';
import { formatBytes, formatDuration, formatPercent } from '../format.js';
import { AddRunnerForm } from './AddRunnerForm.js';

export function RunnersScreen({ announce }: { announce: (text: string) => void }) {
  const { t } = useTranslation();
  const runners = useChannel('runners.list', {}, ['runner.changed', 'runner.removed', 'step.changed']);
  const [adding, setAdding] = useState(false);
  const list = runners.value ?? [];

  return (
    <>
      <div className="screen-actions">
        <button type="button" className="primary" aria-expanded={adding} onClick={() => setAdding((a) => !a)}>
          {adding ? t('runners.closeAdd') : t('runners.add')}
        </button>
      </div>
      <PullProgress />
      {adding && (
        <AddRunnerForm
          onSaved={(runner) => {
            setAdding(false);
            announce(t('add.saved', { name: runner.displayName }));
            runners.refetch();
          }}
          onCancel={() => setAdding(false)}
        />
      )}
      {runners.error && <p role="alert" className="error-text">{runners.error.message}</p>}
      {!runners.loading && list.length === 0 && !adding && <EmptyState />}
      {list.length > 0 && (
        <ul className="runner-list" aria-label={t('runners.listLabel')}>
          {list.map((r) => (
            <RunnerItem key={r.uuid} runner={r} onChanged={runners.refetch} announce={announce} />
          ))}
        </ul>
      )}
    </>
  );
}

function EmptyState() {
  const { t } = useTranslation();
  return (
    <section className="card empty" aria-labelledby="empty-title">
      <h2 id="empty-title">{t('runners.empty.title')}</h2>
      <p>{t('runners.empty.intro')}</p>
      <ol>
        <li>{t('runners.empty.step1')}</li>
        <li>{t('runners.empty.step2')}</li>
        <li>{t('runners.empty.step3')}</li>
        <li>{t('runners.empty.step4')}</li>
        <li>{t('runners.empty.step5')}</li>
      </ol>
    </section>
  );
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => {
      if (!document.hidden) setNow(Date.now());
    }, intervalMs);
    return () => clearInterval(id);
  }, [intervalMs]);
  return now;
}

function RunnerItem({ runner, onChanged, announce }: { runner: RunnerView; onChanged: () => void; announce: (text: string) => void }) {
  const { t, i18n } = useTranslation();
  const client = useClient();
  const nameId = useId();
  const now = useNow(1000);
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [error, setError] = useState<ContractError>();
  const running = runner.containerState === 'running' || runner.containerState === 'restarting';

  async function act(channel: 'runners.start' | 'runners.stop' | 'runners.remove', done: string) {
    setBusy(true);
    setError(undefined);
    const result = await client.invoke(channel, { runnerUuid: runner.uuid });
    setBusy(false);
    setConfirmRemove(false);
    if (result.ok) {
      announce(done);
      onChanged();
    } else setError(result.error);
  }

  return (
    <li className="card runner" aria-labelledby={nameId}>
      <div className="runner-head">
        <h2 id={nameId} className="runner-name">{runner.displayName}</h2>
        <RunnerStateBadge state={runner.runnerState} />
      </div>
      <dl className="facts">
        <div>
          <dt>{t('runners.kind')}</dt>
          <dd>{t(`kind.${runner.kind}`)}</dd>
        </div>
        <div>
          <dt>{t('runners.currentStep')}</dt>
          <dd>
            {runner.currentStep
              ? [runner.currentStep.repositoryFullName, runner.currentStep.stepName ?? runner.currentStep.stepUuid].filter(Boolean).join(' · ')
              : t('runners.noStep')}
          </dd>
        </div>
        <div>
          <dt>{t('runners.uptime')}</dt>
          <dd>{running && runner.startedAt ? formatDuration(now - Date.parse(runner.startedAt), t) : '—'}</dd>
        </div>
        <div>
          <dt>{t('runners.cpu')}</dt>
          <dd>{runner.cpuPercent !== undefined ? formatPercent(runner.cpuPercent, i18n.language) : '—'}</dd>
        </div>
        <div>
          <dt>{t('runners.memory')}</dt>
          <dd>{runner.memoryBytes !== undefined ? formatBytes(runner.memoryBytes, i18n.language) : '—'}</dd>
        </div>
        <div>
          <dt>{t('runners.workingDirectory')}</dt>
          <dd><code>{runner.workingDirectory}</code></dd>
        </div>
      </dl>
      {error && <p role="alert" className="error-text">{error.message}</p>}
      {confirmRemove ? (
        <div className="confirm" role="group" aria-label={t('runners.removeConfirmLabel')}>
          <p>{t('runners.removeConfirm', { name: runner.displayName })}</p>
          <button type="button" className="danger" disabled={busy} onClick={() => act('runners.remove', t('runners.removed', { name: runner.displayName }))}>
            {t('runners.removeYes')}
          </button>
          <button type="button" className="secondary" autoFocus onClick={() => setConfirmRemove(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" disabled={busy || running} onClick={() => act('runners.start', t('runners.started', { name: runner.displayName }))}>
            {t('runners.start')}
          </button>
          <button type="button" className="secondary" disabled={busy || !running} onClick={() => act('runners.stop', t('runners.stopped', { name: runner.displayName }))}>
            {t('runners.stop')}
          </button>
          <button type="button" className="danger-outline" disabled={busy} onClick={() => setConfirmRemove(true)}>
            {t('runners.remove')}
          </button>
        </div>
      )}
    </li>
  );
}
