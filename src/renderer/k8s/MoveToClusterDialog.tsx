/**
 * "Move to cluster…": context, namespace, workload kind and step size, a preview of the YAML the
 * move applies (secret values masked; Reveal asks the service for them explicitly, where the host
 * allows it, and they live only in this dialog's state), then the move. A runner running a step on
 * this machine is moved only after the user says so (STEP_RUNNING, then `force`).
 */
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, ManifestPreviewView, MovedRunnerView, RequestOf, RunnerView } from '../../shared/contract/index.js';
import { STEP_SIZES, STEP_SIZE_MEMORY_GB, type StepSize } from '../../shared/pipelines-snippet/index.js';
import { CopyButton } from '../components/CopyButton.js';
import { useChannel, useClient } from '../contract-hooks.js';
import { useErrorText } from '../error-text.js';

const DEFAULT_NAMESPACE = 'bitbucket-runner';
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
/** Typing in the namespace field asks for one preview, not one per key. */
const PREVIEW_DEBOUNCE_MS = 300;

type Target = RequestOf<'kubernetes.preview'>;

export function MoveToClusterDialog({ runner, onMoved, onClose }: { runner: RunnerView; onMoved: (moved: MovedRunnerView) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const ids = { title: useId(), context: useId(), namespace: useId(), kind: useId(), size: useId(), pull: useId() };
  const dialog = useRef<HTMLDialogElement>(null);
  const contexts = useChannel('kubernetes.contexts', {}, []);
  const [context, setContext] = useState<string>();
  const [namespace, setNamespace] = useState(DEFAULT_NAMESPACE);
  const [kind, setKind] = useState<'deployment' | 'job'>('deployment');
  const [size, setSize] = useState<StepSize>('1x');
  const [pull, setPull] = useState<(typeof PULL_POLICIES)[number]>('Always');
  const [preview, setPreview] = useState<{ value?: ManifestPreviewView; error?: ContractError; loading: boolean }>({ loading: true });
  const [revealed, setRevealed] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmStep, setConfirmStep] = useState(false);
  const [error, setError] = useState<ContractError>();

  const list = useMemo(() => contexts.value?.contexts ?? [], [contexts.value]);
  useEffect(() => {
    if (context === undefined && list.length > 0) setContext((list.find((c) => c.current) ?? list[0])!.name);
  }, [context, list]);

  const target: Target = {
    runnerUuid: runner.uuid,
    ...(context !== undefined ? { context } : {}),
    namespace: namespace.trim(),
    kind,
    size,
    imagePullPolicy: pull,
  };
  const key = JSON.stringify(target);

  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);

  // A new target: the old preview (and any revealed secret) goes at once, the new one follows.
  useEffect(() => {
    if (contexts.loading) return;
    setRevealed(null);
    setPreview((p) => ({ ...p, loading: true }));
    let current = true;
    const timer = setTimeout(() => {
      void client.invoke('kubernetes.preview', JSON.parse(key) as Target).then((r) => {
        if (!current) return;
        setPreview(r.ok ? { value: r.value, loading: false } : { error: r.error, loading: false });
      });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [client, key, contexts.loading]);

  async function reveal() {
    setError(undefined);
    const r = await client.invoke('kubernetes.reveal', JSON.parse(key) as Target);
    if (r.ok) setRevealed(r.value.yaml);
    else setError(r.error);
  }

  async function move(force: boolean) {
    setBusy(true);
    setError(undefined);
    setConfirmStep(false);
    const r = await client.invoke('kubernetes.move', { ...(JSON.parse(key) as Target), force });
    setBusy(false);
    if (r.ok) onMoved(r.value);
    else if (r.error.code === 'STEP_RUNNING') setConfirmStep(true);
    else setError(r.error);
  }

  const shown = revealed ?? preview.value?.yaml ?? '';
  return (
    <dialog
      ref={dialog}
      className="move-dialog"
      aria-labelledby={ids.title}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      <h2 id={ids.title}>{t('k8s.dialog.title', { name: runner.displayName })}</h2>
      <p>{t('k8s.dialog.intro')}</p>
      {contexts.value?.problem && (
        <p role="alert" className="error-text">
          {contexts.value.problem}
        </p>
      )}
      {contexts.error && (
        <p role="alert" className="error-text">
          {errorText.contract(contexts.error)}
        </p>
      )}
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.context}>{t('k8s.dialog.context')}</label>
          <select id={ids.context} value={context ?? ''} disabled={list.length === 0} onChange={(e) => setContext(e.target.value)}>
            {list.map((c) => (
              <option key={c.name} value={c.name}>
                {t(c.current ? 'k8s.dialog.contextCurrent' : 'k8s.dialog.contextOption', { name: c.name, server: c.server })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.namespace}>{t('k8s.dialog.namespace')}</label>
          <p className="hint" id={`${ids.namespace}-hint`}>
            {t('k8s.dialog.namespaceHint')}
          </p>
          <input
            id={ids.namespace}
            value={namespace}
            spellCheck={false}
            aria-describedby={`${ids.namespace}-hint`}
            onChange={(e) => setNamespace(e.target.value)}
          />
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={ids.kind}>{t('k8s.dialog.kind')}</label>
          <select id={ids.kind} value={kind} onChange={(e) => setKind(e.target.value as 'deployment' | 'job')}>
            <option value="deployment">{t('k8s.dialog.kinds.deployment')}</option>
            <option value="job">{t('k8s.dialog.kinds.job')}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.size}>{t('k8s.dialog.size')}</label>
          <select id={ids.size} value={size} onChange={(e) => setSize(e.target.value as StepSize)}>
            {STEP_SIZES.map((s) => (
              <option key={s} value={s}>
                {t('k8s.dialog.sizeOption', { size: s, gb: STEP_SIZE_MEMORY_GB[s] })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.pull}>{t('k8s.dialog.pullPolicy')}</label>
          <select id={ids.pull} value={pull} onChange={(e) => setPull(e.target.value as (typeof PULL_POLICIES)[number])}>
            {PULL_POLICIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ManifestPreview
        preview={preview}
        revealed={revealed !== null}
        shown={shown}
        onReveal={() => void reveal()}
        onHide={() => setRevealed(null)}
        runnerUuid={runner.uuid}
      />
      {error && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
      {confirmStep ? (
        <div className="confirm" role="group" aria-label={t('k8s.dialog.stepLabel')}>
          <p>{t('k8s.dialog.stepConfirm', { name: runner.displayName })}</p>
          <button type="button" className="danger" disabled={busy} onClick={() => void move(true)}>
            {t('k8s.dialog.stepYes')}
          </button>
          <button type="button" className="secondary" autoFocus onClick={() => setConfirmStep(false)}>
            {t('common.cancel')}
          </button>
        </div>
      ) : (
        <div className="actions">
          <button type="button" className="primary" disabled={busy || list.length === 0} onClick={() => void move(false)}>
            {busy ? t('k8s.dialog.moving') : t('k8s.dialog.move')}
          </button>
          <button type="button" className="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      )}
    </dialog>
  );
}

function ManifestPreview({
  preview,
  revealed,
  shown,
  onReveal,
  onHide,
  runnerUuid,
}: {
  preview: { value?: ManifestPreviewView; error?: ContractError; loading: boolean };
  revealed: boolean;
  shown: string;
  onReveal: () => void;
  onHide: () => void;
  runnerUuid: string;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const v = preview.value;
  return (
    <section className="manifest-preview" aria-label={t('k8s.dialog.preview')} aria-busy={preview.loading}>
      <h3>{t('k8s.dialog.preview')}</h3>
      {preview.error && (
        <p role="alert" className="error-text">
          {errorText.contract(preview.error)}
        </p>
      )}
      {v && (
        <>
          <p className="hint">{t('k8s.dialog.dind', { image: v.dind.image, reason: v.dind.reason })}</p>
          {v.notes.length > 0 && (
            <ul className="hint">
              {v.notes.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          )}
          <p className="hint">
            {revealed ? t('k8s.dialog.revealedNote') : v.maskedKeys.length > 0 ? t('k8s.dialog.maskedNote', { keys: v.maskedKeys.join(', ') }) : null}{' '}
            {t('k8s.dialog.sameAsExport', { uuid: runnerUuid })}
          </p>
          <pre className="code-block manifest-yaml" aria-label={t('k8s.dialog.yamlLabel')}>
            <code>{shown}</code>
          </pre>
          <div className="actions">
            {v.maskedKeys.length > 0 &&
              (revealed ? (
                <button type="button" className="secondary" onClick={onHide}>
                  {t('k8s.dialog.hide')}
                </button>
              ) : (
                <button
                  type="button"
                  className="secondary"
                  disabled={!v.revealable}
                  aria-describedby={v.revealHint ? 'reveal-hint' : undefined}
                  onClick={onReveal}
                >
                  {t('k8s.dialog.reveal')}
                </button>
              ))}
            <CopyButton text={shown} label={t('k8s.dialog.copy')} />
          </div>
          {!v.revealable && v.revealHint && (
            <p className="hint" id="reveal-hint">
              {v.revealHint}
            </p>
          )}
        </>
      )}
      {preview.loading && !v && <p className="hint">{t('k8s.dialog.previewLoading')}</p>}
    </section>
  );
}
