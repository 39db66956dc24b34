import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AddedRunnerView, ClipboardOfferView, ContractError, ParsedCommandView } from '../../shared/contract/index.js';
import { redactPaste } from '../../shared/runner-command/mask.js';
import { useClient } from '../contract-hooks.js';
import { TextField } from '../components/TextField.js';
import { useErrorText } from '../error-text.js';
import { ParsedFields } from './ParsedFields.js';

/** Long enough that pasting then typing a fix does not send every keystroke. */
export const PARSE_DEBOUNCE_MS = 250;

type Source = { kind: 'paste' } | { kind: 'clipboard'; draftId: string };

/** The "Paste command" tab: a command copied from Bitbucket, checked live by the service and hidden once checked. */
export function PasteRunnerForm({
  onSaved,
  onCancel,
  clipboardRequest,
}: {
  onSaved: (runner: AddedRunnerView) => void;
  onCancel: () => void;
  /** Opened for the clipboard's command (the tray): a new number looks at the clipboard again and offers it first. */
  clipboardRequest?: number;
}) {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const client = useClient();
  const ids = { command: useId(), status: useId(), displayName: useId(), workdir: useId(), startNow: useId(), replace: useId() };
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [command, setCommand] = useState('');
  const [source, setSource] = useState<Source>({ kind: 'paste' });
  const [parsed, setParsed] = useState<ParsedCommandView | null>(null);
  const [checking, setChecking] = useState(false);
  const [displayName, setDisplayName] = useState('');
  const [workingDirectory, setWorkingDirectory] = useState('');
  const [startNow, setStartNow] = useState(true);
  const [replace, setReplace] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<ContractError>();
  const [offer, setOffer] = useState<ClipboardOfferView['offer']>(null);
  /** Asked for the clipboard's command, and the clipboard holds none (any more). */
  const [clipboardEmpty, setClipboardEmpty] = useState(false);
  const offerButton = useRef<HTMLButtonElement>(null);
  const [focusOffer, setFocusOffer] = useState(false);
  useEffect(() => {
    if (!offer || !focusOffer) return;
    offerButton.current?.focus();
    setFocusOffer(false);
  }, [offer, focusOffer]);
  const [editing, setEditing] = useState(false);
  const displayNameInput = useRef<HTMLInputElement>(null);
  const editButton = useRef<HTMLButtonElement>(null);
  // Once the paste has been checked, the box gives way to a redacted view (the parsed fields, or
  // for a paste that cannot be used the redacted text beside the parser's error), so the secret
  // is not left on screen (screen shares, screenshots) while the user reads or fills in options.
  const checked = source.kind === 'paste' && parsed !== null && !checking && !editing;
  const concealed = checked && parsed?.valid === true;
  const rejected = checked && parsed?.valid === false;

  useEffect(() => {
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (concealed && lost) displayNameInput.current?.focus();
    if (rejected && lost) editButton.current?.focus();
  }, [concealed, rejected]);

  const [refill, setRefill] = useState(false);
  useEffect(() => {
    // Refill a reopened box through the DOM property only (see the textarea's note).
    if (refill && textarea.current) {
      textarea.current.value = command;
      textarea.current.focus();
      setRefill(false);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [refill]);
  const reopen = () => {
    setEditing(true);
    setRefill(true);
  };

  useEffect(() => {
    if (clipboardRequest === undefined) textarea.current?.focus();
    let stale = false;
    void client.invoke('clipboard.peek', {}).then((r) => {
      if (stale) return;
      const found = r.ok && r.value.available ? r.value.offer : null;
      if (found !== null || clipboardRequest !== undefined) setOffer(found);
      setClipboardEmpty(clipboardRequest !== undefined && found === null);
      // Asked for from the tray: the offer is what the user came for (focused once it is on screen).
      setFocusOffer(found !== null && clipboardRequest !== undefined);
      if (found === null && clipboardRequest !== undefined) textarea.current?.focus();
    });
    return () => {
      stale = true;
    };
  }, [client, clipboardRequest]);

  // Live validation: the paste goes to the service, which answers redacted.
  useEffect(() => {
    if (source.kind !== 'paste') return;
    if (command.trim() === '') {
      setParsed(null);
      setChecking(false);
      return;
    }
    setChecking(true);
    let stale = false;
    const timer = setTimeout(() => {
      void client.invoke('runners.parseCommand', { command }).then((r) => {
        if (stale) return;
        setChecking(false);
        if (r.ok) setParsed(r.value);
        else setParsed({ valid: false, error: { code: 'NOT_A_RUNNER_COMMAND', message: errorText.contract(r.error) } });
      });
    }, PARSE_DEBOUNCE_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [client, command, source.kind, errorText]);

  useEffect(() => setReplace(false), [parsed]);

  async function pasteFromClipboard() {
    const r = await client.invoke('clipboard.read', {});
    setOffer(null);
    setClipboardEmpty(false);
    if (!r.ok) {
      setSaveError(r.error);
      return;
    }
    setCommand('');
    if (textarea.current) textarea.current.value = '';
    setSource({ kind: 'clipboard', draftId: r.value.draftId });
    setParsed(r.value.parsed);
  }

  const valid = parsed?.valid === true ? parsed : null;
  const needsReplace = valid?.existing != null;
  const canSave = valid !== null && !saving && (!needsReplace || replace);

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!canSave) return;
    setSaving(true);
    setSaveError(undefined);
    const options = {
      ...(displayName.trim() ? { displayName: displayName.trim() } : {}),
      ...(workingDirectory.trim() ? { workingDirectory: workingDirectory.trim() } : {}),
      startNow,
      replaceExisting: replace,
    };
    const r = await client.invoke('runners.add', source.kind === 'clipboard' ? { draftId: source.draftId, ...options } : { command, ...options });
    setSaving(false);
    if (r.ok) {
      // The secret leaves the page as soon as it has done its job.
      setCommand('');
      if (textarea.current) textarea.current.value = '';
      setParsed(null);
      setSource({ kind: 'paste' });
      onSaved(r.value);
    } else setSaveError(r.error);
  }

  return (
    <form aria-label={t('add.tab.paste')} onSubmit={(e) => void submit(e)}>
      {offer && (
        <div className="offer" role="group" aria-label={t('add.clipboard.label')}>
          <p>{t('add.clipboard.found', { kind: t(`kind.${offer.kind}`) })}</p>
          <pre className="preview">{offer.preview}</pre>
          <div className="actions">
            <button type="button" ref={offerButton} onClick={() => void pasteFromClipboard()}>
              {t('add.clipboard.use')}
            </button>
            <button type="button" className="secondary" onClick={() => setOffer(null)}>
              {t('add.clipboard.dismiss')}
            </button>
          </div>
        </div>
      )}

      {clipboardEmpty && !offer && (
        <p className="notice" role="status">
          {t('add.clipboard.none')}
        </p>
      )}

      {source.kind === 'clipboard' ? (
        <p className="notice">
          {t('add.clipboard.using')}{' '}
          <button
            type="button"
            className="link"
            onClick={() => {
              setSource({ kind: 'paste' });
              setParsed(null);
            }}
          >
            {t('add.clipboard.pasteInstead')}
          </button>
        </p>
      ) : concealed ? (
        <p className="notice concealed">
          <span>{t('add.concealed')}</span>{' '}
          <button type="button" className="link" ref={editButton} onClick={reopen}>
            {t('add.editCommand')}
          </button>
        </p>
      ) : rejected ? (
        <div className="field" role="group" aria-labelledby={`${ids.command}-preview-label`} aria-describedby={ids.status}>
          <p className="label" id={`${ids.command}-preview-label`}>
            {t('add.command')}
          </p>
          <p className="hint">{t('add.rejectedHint')}</p>
          <pre className="preview" aria-label={t('add.redactedPreview')}>
            {redactPaste(command)}
          </pre>
          <button type="button" className="secondary" ref={editButton} onClick={reopen}>
            {t('add.editCommand')}
          </button>
        </div>
      ) : (
        <div className="field">
          <label htmlFor={ids.command}>{t('add.command')}</label>
          <p className="hint" id={`${ids.command}-hint`}>
            {t('add.commandHint')}
          </p>
          <textarea
            id={ids.command}
            ref={textarea}
            // Uncontrolled on purpose: React mirrors a controlled textarea's value into
            // its DOM text (defaultValue), which would put the pasted secret in the page's HTML.
            onChange={(e) => setCommand(e.target.value)}
            // Typed by hand: the box stays open while the user types (a paste is checked and hidden at once).
            onKeyDown={(e) => !e.ctrlKey && !e.metaKey && !e.altKey && e.key !== 'Escape' && setEditing(true)}
            onBlur={() => setEditing(false)}
            rows={5}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={`${ids.command}-hint ${ids.status}`}
            aria-invalid={parsed?.valid === false}
          />
        </div>
      )}

      <div id={ids.status} aria-live="polite" className="validation">
        {checking && <p className="muted">{t('add.checking')}</p>}
        {!checking && parsed?.valid === false && (
          <p className="error-text" role="alert">
            <strong>{t('add.problem')}</strong> {errorText.parseError(parsed.error)}
          </p>
        )}
        {!checking && valid && <ParsedFields parsed={valid} />}
      </div>

      {valid && (
        <>
          {needsReplace && (
            <div className="notice warn">
              <p>{t('add.existing', { name: valid.existing!.displayName })}</p>
              <label className="check">
                <input id={ids.replace} type="checkbox" checked={replace} onChange={(e) => setReplace(e.target.checked)} />
                {t('add.replace', { name: valid.existing!.displayName })}
              </label>
            </div>
          )}
          <fieldset className="options">
            <legend>{t('add.options')}</legend>
            <TextField
              id={ids.displayName}
              label={t('add.displayName')}
              ref={displayNameInput}
              value={displayName}
              placeholder={valid.runner.name}
              onChange={(e) => setDisplayName(e.target.value)}
              maxLength={80}
            />
            <TextField
              id={ids.workdir}
              label={t('add.workingDirectory')}
              hint={t('add.workingDirectoryHint')}
              value={workingDirectory}
              placeholder={valid.runner.workingDirectory}
              onChange={(e) => setWorkingDirectory(e.target.value)}
            />
            <label className="check">
              <input id={ids.startNow} type="checkbox" checked={startNow} onChange={(e) => setStartNow(e.target.checked)} />
              {t('add.startNow')}
            </label>
          </fieldset>
        </>
      )}

      {saveError && (
        <p role="alert" className="error-text">
          {errorText.contract(saveError)}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={!canSave}>
          {saving ? t('add.saving') : t('add.save')}
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
