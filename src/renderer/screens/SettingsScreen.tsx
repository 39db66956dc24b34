import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { ContractError, RequestOf, SettingsView } from '../../shared/contract/index.js';
import { useClient } from '../contract-hooks.js';
import { useErrorText } from '../error-text.js';

export function SettingsScreen({ settings, onChange }: { settings: SettingsView | undefined; onChange: (s: SettingsView) => void }) {
  const { t } = useTranslation();
  const client = useClient();
  const errorText = useErrorText();
  const ids = { language: useId(), notifications: useId() };
  const [error, setError] = useState<ContractError>();

  /** True when the service took the change. */
  async function update(patch: RequestOf<'settings.update'>): Promise<boolean> {
    if (!settings) return false;
    // Shown at once (a radio that snaps back until the reply arrives reads as broken), undone on failure.
    const { watchedRepositories: _later, ...immediate } = patch;
    onChange({ ...settings, ...immediate });
    const r = await client.invoke('settings.update', patch);
    if (r.ok) {
      setError(undefined);
      onChange(r.value);
      return true;
    }
    onChange(settings);
    setError(r.error);
    return false;
  }

  function setNotifications(on: boolean) {
    // Asked here, on the user's own click: browsers ignore (and may block) a request made without one.
    if (on && !window.runnerTray && 'Notification' in window && Notification.permission === 'default') void Notification.requestPermission();
    void update({ notifications: on });
  }

  if (!settings) return null;
  return (
    <>
      {error && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
      <section className="card" aria-labelledby="appearance-title">
        <h2 id="appearance-title">{t('settings.appearance')}</h2>
        <div className="field">
          <label htmlFor={ids.language}>{t('settings.language')}</label>
          <select id={ids.language} value={settings.language} onChange={(e) => void update({ language: e.target.value as SettingsView['language'] })}>
            <option value="auto">{t('settings.languageAuto')}</option>
            <option value="en" lang="en">
              English
            </option>
            <option value="pl" lang="pl">
              Polski
            </option>
          </select>
        </div>
        <fieldset className="radio-row">
          <legend>{t('settings.theme')}</legend>
          {(['system', 'light', 'dark'] as const).map((theme) => (
            <label key={theme} className="check">
              <input type="radio" name="theme" value={theme} checked={settings.theme === theme} onChange={() => void update({ theme })} />
              {t(`settings.themes.${theme}`)}
            </label>
          ))}
        </fieldset>
        <label className="check">
          <input id={ids.notifications} type="checkbox" checked={settings.notifications} onChange={(e) => setNotifications(e.target.checked)} />
          {t('settings.notifications')}
        </label>
      </section>
      <BitbucketSection settings={settings} onChange={onChange} update={update} />
    </>
  );
}

function BitbucketSection({
  settings,
  onChange,
  update,
}: {
  settings: SettingsView;
  onChange: (s: SettingsView) => void;
  update: (patch: RequestOf<'settings.update'>) => Promise<boolean>;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const client = useClient();
  const ids = { workspace: useId(), email: useId(), token: useId(), repos: useId() };
  const bb = settings.bitbucket;
  const [workspace, setWorkspace] = useState(bb.workspace ?? '');
  const [email, setEmail] = useState(bb.email ?? '');
  // Uncontrolled, read through the ref on submit: React writes a controlled input's value into the
  // DOM, and the token has no business in the page's state or markup.
  const apiToken = useRef<HTMLInputElement>(null);
  const [repos, setRepos] = useState(bb.watchedRepositories.join('\n'));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ContractError>();
  const [saved, setSaved] = useState(false);

  useEffect(() => setRepos(bb.watchedRepositories.join('\n')), [bb.watchedRepositories]);

  async function connect(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    const token = apiToken.current?.value ?? '';
    // The token is handed over; the page keeps no copy, whatever the outcome.
    if (apiToken.current) apiToken.current.value = '';
    const r = await client.invoke('bitbucket.connect', { workspace, email, apiToken: token });
    setBusy(false);
    if (r.ok) {
      setError(undefined);
      onChange({ ...settings, bitbucket: r.value });
    } else setError(r.error);
  }

  async function disconnect() {
    const r = await client.invoke('bitbucket.disconnect', {});
    if (r.ok) onChange({ ...settings, bitbucket: r.value });
    else setError(r.error);
  }

  async function saveRepos(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    if (!(await update({ watchedRepositories: repos.split(/\s+/).filter(Boolean) }))) return;
    setSaved(true);
    setTimeout(() => setSaved(false), 2000);
  }

  return (
    <section className="card" aria-labelledby="bitbucket-title">
      <h2 id="bitbucket-title">{t('settings.bitbucket')}</h2>
      <p className="muted">{t('settings.bitbucketWhy')}</p>
      {error && (
        <p role="alert" className="error-text">
          {errorText.contract(error)}
        </p>
      )}
      {bb.connected ? (
        <div className="connected">
          <p className="ok-text">{t('settings.connectedAs', { workspace: bb.workspace, email: bb.email })}</p>
          <button type="button" className="secondary" onClick={() => void disconnect()}>
            {t('settings.disconnect')}
          </button>
        </div>
      ) : (
        <form onSubmit={(e) => void connect(e)} className="field-grid">
          <div className="field">
            <label htmlFor={ids.workspace}>{t('settings.workspace')}</label>
            <input id={ids.workspace} value={workspace} onChange={(e) => setWorkspace(e.target.value)} required autoComplete="off" />
          </div>
          <div className="field">
            <label htmlFor={ids.email}>{t('settings.email')}</label>
            <input id={ids.email} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoComplete="email" />
          </div>
          <div className="field">
            <label htmlFor={ids.token}>{t('settings.apiToken')}</label>
            <p className="hint" id={`${ids.token}-hint`}>
              {t('settings.apiTokenHint')}
            </p>
            <input id={ids.token} ref={apiToken} type="password" required autoComplete="off" aria-describedby={`${ids.token}-hint`} />
          </div>
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {t('settings.connect')}
            </button>
          </div>
        </form>
      )}
      <form onSubmit={(e) => void saveRepos(e)} className="repos">
        <div className="field">
          <label htmlFor={ids.repos}>{t('settings.watched')}</label>
          <p className="hint" id={`${ids.repos}-hint`}>
            {t('settings.watchedHint')}
          </p>
          <textarea
            id={ids.repos}
            rows={4}
            value={repos}
            onChange={(e) => setRepos(e.target.value)}
            spellCheck={false}
            aria-describedby={`${ids.repos}-hint`}
          />
        </div>
        <div className="actions">
          <button type="submit">{t('settings.saveWatched')}</button>
          <span aria-live="polite" className="ok-text">
            {saved ? t('settings.saved') : ''}
          </span>
        </div>
      </form>
    </section>
  );
}
