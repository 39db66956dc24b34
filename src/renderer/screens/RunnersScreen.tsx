import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, RunnerView, StartedRunnerView } from '../../shared/contract/index.js';
import { useClient, useNow, useRunnerList } from '../contract-hooks.js';
import { useErrorText } from '../error-text.js';
import { RunnerStateBadge } from '../components/StateBadge.js';
import { PullProgress } from '../components/PullProgress.js';
import { formatBytes, formatDuration, formatPercent } from '../format.js';
import { AddRunnerForm } from './AddRunnerForm.js';
import { ImportSection } from './ImportSection.js';
import { BringBackButton } from '../k8s/BringBackButton.js';
import { MoveToClusterDialog } from '../k8s/MoveToClusterDialog.js';
import { PlacementFact } from '../k8s/PlacementFact.js';

export function RunnersScreen({
  announce,
  clipboardRequest = null,
  onClipboardRequestTaken,
  onOpenSettings,
  moveRequest = null,
  onMoveRequestTaken,
}: {
  announce: (text: string) => void;
  /** Where the add form's "connect Bitbucket" leads. */
  onOpenSettings?: () => void;
  /** Set when the tray asked for the form with the clipboard's command; taken once. */
  clipboardRequest?: number | null;
  onClipboardRequestTaken?: () => void;
  /** Set when the tray asked for one runner's "Move to cluster…" dialog; taken once. */
  moveRequest?: { runnerUuid: string; at: number } | null;
  onMoveRequestTaken?: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const runners = useRunnerList();
  const [adding, setAdding] = useState(false);
  const [formClipboardRequest, setFormClipboardRequest] = useState<number>();
  /** A runner saved by the form whose "start now" failed: the error is shown on its item. */
  const [startErrors, setStartErrors] = useState<Record<string, ContractError>>({});
  /** Runners left running with settings changed since they started (restarting would kill a step). */
  const [pendingRestarts, setPendingRestarts] = useState<Record<string, true>>({});
  const notePending = (view: StartedRunnerView) =>
    setPendingRestarts((m) => {
      const { [view.uuid]: _old, ...rest } = m;
      return view.pendingRestart ? { ...rest, [view.uuid]: true } : rest;
    });
  const addButton = useRef<HTMLButtonElement>(null);
  const list = runners.value ?? [];
  const { patch } = runners;

  useEffect(() => {
    if (clipboardRequest === null) return;
    // An open form stays as it is (a half-typed paste is kept); it looks at the clipboard again.
    setAdding(true);
    setFormClipboardRequest(clipboardRequest);
    onClipboardRequestTaken?.();
  }, [clipboardRequest, onClipboardRequestTaken]);

  // The form is gone: focus goes back to the button that opened it, not to the page's start.
  const closeForm = () => {
    setAdding(false);
    requestAnimationFrame(() => addButton.current?.focus());
  };

  return (
    <>
      <div className="screen-actions">
        <button
          type="button"
          className="primary"
          ref={addButton}
          aria-expanded={adding}
          onClick={() => {
            // Opened by hand, the form is a plain one again.
            setFormClipboardRequest(undefined);
            setAdding((a) => !a);
          }}
        >
          {adding ? t('runners.closeAdd') : t('runners.add')}
        </button>
      </div>
      <PullProgress />
      {adding && (
        <AddRunnerForm
          clipboardRequest={formClipboardRequest}
          {...(onOpenSettings ? { onOpenSettings } : {})}
          onSaved={({ startError, pendingRestart, notice: _notice, ...runner }) => {
            closeForm();
            notePending({ ...runner, ...(pendingRestart ? { pendingRestart } : {}) });
            announce(t('add.saved', { name: runner.displayName }));
            patch((rs) => (rs.some((r) => r.uuid === runner.uuid) ? rs.map((r) => (r.uuid === runner.uuid ? runner : r)) : [...rs, runner]));
            setStartErrors((m) => {
              const { [runner.uuid]: _old, ...rest } = m;
              return startError ? { ...rest, [runner.uuid]: startError } : rest;
            });
          }}
          onCancel={closeForm}
        />
      )}
      <ImportSection
        announce={announce}
        onImported={(runner) =>
          patch((rs) => (rs.some((r) => r.uuid === runner.uuid) ? rs.map((r) => (r.uuid === runner.uuid ? runner : r)) : [...rs, runner]))
        }
      />
      {runners.error && (
        <p role="alert" className="error-text">
          {errorText.contract(runners.error)}
        </p>
      )}
      {!runners.loading && list.length === 0 && !adding && <EmptyState />}
      {list.length > 0 && (
        <ul className="runner-list" aria-label={t('runners.listLabel')}>
          {list.map((r) => (
            <RunnerItem
              key={r.uuid}
              runner={r}
              startError={startErrors[r.uuid]}
              moveRequested={moveRequest?.runnerUuid === r.uuid ? moveRequest.at : null}
              onMoveRequestTaken={onMoveRequestTaken}
              pendingRestart={pendingRestarts[r.uuid] === true}
              onChanged={({ pendingRestart, notice: _notice, ...view }: StartedRunnerView) => {
                notePending({ ...view, ...(pendingRestart ? { pendingRestart } : {}) });
                patch((rs) => rs.map((x) => (x.uuid === view.uuid ? view : x)));
              }}
              onRemoved={(uuid) => {
                patch((rs) => rs.filter((x) => x.uuid !== uuid));
                // The item and its buttons are gone: land on the button that adds one back.
                requestAnimationFrame(() => addButton.current?.focus());
              }}
              announce={announce}
            />
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

function RunnerItem({
  runner,
  startError,
  moveRequested,
  onMoveRequestTaken,
  pendingRestart,
  onChanged,
  onRemoved,
  announce,
}: {
  runner: RunnerView;
  startError: ContractError | undefined;
  moveRequested: number | null;
  onMoveRequestTaken: (() => void) | undefined;
  pendingRestart: boolean;
  onChanged: (view: StartedRunnerView) => void;
  onRemoved: (runnerUuid: string) => void;
  announce: (text: string) => void;
}) {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const client = useClient();
  const nameId = useId();
  const now = useNow(1000);
  const [busy, setBusy] = useState(false);
  const [confirmRemove, setConfirmRemove] = useState(false);
  /** The removal's "Also delete it in Bitbucket" box. */
  const [inBitbucket, setInBitbucket] = useState(false);
  const alsoBitbucketId = useId();
  const [moving, setMoving] = useState(false);
  const placed = runner.placement !== undefined;
  useEffect(() => {
    if (moveRequested === null) return;
    if (!placed) setMoving(true);
    onMoveRequestTaken?.();
  }, [moveRequested, placed, onMoveRequestTaken]);
  const [confirmStep, setConfirmStep] = useState<{ channel: 'runners.stop' | 'runners.remove'; done: string } | null>(null);
  const [error, setError] = useState<ContractError | undefined>(startError);
  useEffect(() => setError(startError), [startError]);
  const running = runner.containerState === 'running' || runner.containerState === 'restarting';

  async function act(channel: 'runners.start' | 'runners.stop' | 'runners.remove', done: string, force = false) {
    setBusy(true);
    setError(undefined);
    setConfirmStep(null);
    const result =
      channel === 'runners.start'
        ? await client.invoke(channel, { runnerUuid: runner.uuid })
        : channel === 'runners.remove'
          ? await client.invoke(channel, { runnerUuid: runner.uuid, force, inBitbucket })
          : await client.invoke(channel, { runnerUuid: runner.uuid, force });
    setBusy(false);
    setConfirmRemove(false);
    if (result.ok) {
      const removed = 'removedStepContainers' in result.value ? result.value.removedStepContainers : 0;
      const gone = 'bitbucket' in result.value ? result.value.bitbucket : undefined;
      const extras = [
        ...(gone ? [t(gone === 'deleted' ? 'runners.deletedInBitbucket' : 'runners.alreadyGoneInBitbucket')] : []),
        ...(removed > 0 ? [t('runners.stepContainersRemoved', { count: removed })] : []),
      ];
      announce([done, ...extras].join(' '));
      if ('removed' in result.value) onRemoved(result.value.runnerUuid);
      else onChanged(result.value);
    } else if (result.error.code === 'STEP_RUNNING' && channel !== 'runners.start') {
      // The service refused because a step runs: the user's word decides, then it is forced.
      setConfirmStep({ channel, done });
    } else setError(result.error);
  }

  /** Stop, then start: the new container gets the saved settings. Only on the user's word, since a running step dies with it. */
  async function restart() {
    setBusy(true);
    setError(undefined);
    const stopped = await client.invoke('runners.stop', { runnerUuid: runner.uuid });
    const result = stopped.ok ? await client.invoke('runners.start', { runnerUuid: runner.uuid }) : stopped;
    setBusy(false);
    if (result.ok) {
      announce(t('runners.restarted', { name: runner.displayName }));
      onChanged(result.value);
    } else setError(result.error);
  }

  function removeQuestion(): string {
    const name = runner.displayName;
    if (runner.placement) {
      const namespace = runner.placement.namespace;
      return inBitbucket ? t('k8s.removePlacedConfirmBitbucket', { name, namespace }) : t('k8s.removePlacedConfirm', { name, namespace });
    }
    return inBitbucket ? t('runners.removeConfirmBitbucket', { name }) : t('runners.removeConfirm', { name });
  }

  return (
    <li className="card runner" aria-labelledby={nameId}>
      <div className="runner-head">
        <h2 id={nameId} className="runner-name">
          {runner.displayName}
        </h2>
        <RunnerStateBadge state={runner.runnerState} />
      </div>
      <dl className="facts">
        <PlacementFact placement={runner.placement} />
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
          <dd>
            <code>{runner.workingDirectory}</code>
          </dd>
        </div>
        {runner.pool && (
          <div>
            <dt>{t('runners.pool')}</dt>
            <dd>{runner.pool}</dd>
          </div>
        )}
      </dl>
      {error && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
      {pendingRestart && running && (
        <div className="notice warn" role="status">
          <p>{t('runners.pendingRestart')}</p>
          <button type="button" disabled={busy} onClick={() => void restart()}>
            {t('runners.restartNow')}
          </button>
        </div>
      )}
      {confirmStep ? (
        <div className="confirm" role="group" aria-label={t('runners.stepRunningLabel')}>
          <p>{t('runners.stepRunningConfirm', { name: runner.displayName })}</p>
          <button type="button" className="danger" disabled={busy} onClick={() => void act(confirmStep.channel, confirmStep.done, true)}>
            {confirmStep.channel === 'runners.stop' ? t('runners.stepRunningStop') : t('runners.stepRunningRemove')}
          </button>
          <button type="button" className="secondary" autoFocus onClick={() => setConfirmStep(null)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : confirmRemove ? (
        <div className="confirm" role="group" aria-label={t('runners.removeConfirmLabel')}>
          <p>{removeQuestion()}</p>
          <label className="check" htmlFor={alsoBitbucketId}>
            <input id={alsoBitbucketId} type="checkbox" checked={inBitbucket} onChange={(e) => setInBitbucket(e.target.checked)} />
            {t('runners.alsoInBitbucket')}
          </label>
          <button
            type="button"
            className="danger"
            disabled={busy}
            onClick={() => void act('runners.remove', t('runners.removed', { name: runner.displayName }))}
          >
            {t('runners.removeYes')}
          </button>
          <button type="button" className="secondary" autoFocus onClick={() => setConfirmRemove(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : placed ? (
        <div className="actions">
          <BringBackButton runner={runner} onChanged={onChanged} announce={announce} onError={setError} />
          <button type="button" className="danger-outline" disabled={busy} onClick={() => setConfirmRemove(true)}>
            {t('runners.remove')}
          </button>
          <p className="hint">{t('k8s.placedHint')}</p>
        </div>
      ) : (
        <div className="actions">
          <button type="button" disabled={busy || running} onClick={() => void act('runners.start', t('runners.started', { name: runner.displayName }))}>
            {t('runners.start')}
          </button>
          <button
            type="button"
            className="secondary"
            disabled={busy || !running}
            onClick={() => void act('runners.stop', t('runners.stopped', { name: runner.displayName }))}
          >
            {t('runners.stop')}
          </button>
          <button type="button" className="danger-outline" disabled={busy} onClick={() => setConfirmRemove(true)}>
            {t('runners.remove')}
          </button>
          <button type="button" className="secondary" disabled={busy} onClick={() => setMoving(true)}>
            {t('k8s.move')}
          </button>
        </div>
      )}
      {moving && (
        <MoveToClusterDialog
          runner={runner}
          onClose={() => setMoving(false)}
          onMoved={(moved) => {
            setMoving(false);
            announce(t('k8s.moved', { name: runner.displayName, cluster: moved.cluster, namespace: moved.namespace }));
            onChanged(moved.runner);
          }}
        />
      )}
    </li>
  );
}
