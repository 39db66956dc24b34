import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AddedRunnerView, ContractError } from '../../shared/contract/index.js';
import { useChannel, useClient } from '../contract-hooks.js';
import { TextField } from '../components/TextField.js';
import { useErrorText } from '../error-text.js';

/** Labels as typed: commas or spaces between them. */
export function splitLabels(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/**
 * The "Create in Bitbucket" tab: Runner Tray creates the runner through Bitbucket's API with the
 * connected account. Its one-time secret goes from Bitbucket's answer into the vault in the
 * service; this page never sees it.
 */
export function CreateRunnerForm({
  onSaved,
  onCancel,
  onOpenSettings,
}: {
  onSaved: (runner: AddedRunnerView) => void;
  onCancel: () => void;
  onOpenSettings?: () => void;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const client = useClient();
  const ids = { workspace: useId(), repository: useId(), name: useId(), labels: useId(), workdir: useId(), startNow: useId() };
  const settings = useChannel('settings.get', {}, ['settings.changed']);
  const connection = settings.value?.bitbucket;
  const [workspace, setWorkspace] = useState('');
  const [repository, setRepository] = useState('');
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [workDir, setWorkDir] = useState('');
  const [startNow, setStartNow] = useState(true);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ContractError>();
  const notConnected = connection?.connected === false || error?.code === 'BITBUCKET_NOT_CONNECTED';
  const canSave = name.trim() !== '' && !saving && connection?.connected === true;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!canSave) return;
    setSaving(true);
    setError(undefined);
    const r = await client.invoke('runners.create', {
      name: name.trim(),
      labels: splitLabels(labels),
      startNow,
      ...(workspace.trim() ? { workspace: workspace.trim() } : {}),
      ...(repository.trim() ? { repository: repository.trim() } : {}),
      ...(workDir.trim() ? { workingDirectory: workDir.trim() } : {}),
    });
    setSaving(false);
    if (!r.ok) {
      setError(r.error);
      return;
    }
    const { bitbucket: _bitbucket, warnings: _warnings, ...runner } = r.value;
    onSaved(runner);
  }

  return (
    <form aria-label={t('add.tab.create')} onSubmit={(e) => void submit(e)}>
      <p className="hint">{t('create.intro')}</p>
      {notConnected && (
        <div className="notice warn" role="status">
          <p>{t('create.notConnected')}</p>
          {onOpenSettings && (
            <button type="button" className="link" onClick={onOpenSettings}>
              {t('create.connect')}
            </button>
          )}
        </div>
      )}
      <TextField
        id={ids.workspace}
        label={t('create.workspace')}
        hint={t('create.workspaceHint')}
        value={workspace}
        placeholder={connection?.workspace ?? ''}
        autoComplete="off"
        onChange={(e) => setWorkspace(e.target.value)}
      />
      <TextField
        id={ids.repository}
        label={t('create.repository')}
        hint={t('create.repositoryHint')}
        value={repository}
        autoComplete="off"
        onChange={(e) => setRepository(e.target.value)}
      />
      <TextField id={ids.name} label={t('create.name')} value={name} required maxLength={80} autoComplete="off" onChange={(e) => setName(e.target.value)} />
      <TextField
        id={ids.labels}
        label={t('create.labels')}
        hint={t('create.labelsHint')}
        value={labels}
        autoComplete="off"
        onChange={(e) => setLabels(e.target.value)}
      />
      <TextField
        id={ids.workdir}
        label={t('add.workingDirectory')}
        hint={t('create.workingDirectoryHint')}
        value={workDir}
        placeholder="auto"
        onChange={(e) => setWorkDir(e.target.value)}
      />
      <label className="check">
        <input id={ids.startNow} type="checkbox" checked={startNow} onChange={(e) => setStartNow(e.target.checked)} />
        {t('add.startNow')}
      </label>
      {error && error.code !== 'BITBUCKET_NOT_CONNECTED' && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={!canSave}>
          {saving ? t('create.creating') : t('create.save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
