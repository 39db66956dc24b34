import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { AddedRunnerView } from '../../shared/contract/index.js';
import { CreateRunnerForm } from './CreateRunnerForm.js';
import { PasteRunnerForm } from './PasteRunnerForm.js';

type Tab = 'paste' | 'create';
const TABS: readonly Tab[] = ['paste', 'create'];

/**
 * "Add a runner": paste the command Bitbucket shows, or have Runner Tray create the runner
 * through Bitbucket's API (a connected account); both end in the same saved runner.
 */
export function AddRunnerForm({
  onSaved,
  onCancel,
  clipboardRequest,
  onOpenSettings,
}: {
  onSaved: (runner: AddedRunnerView) => void;
  onCancel: () => void;
  /** Opened for the clipboard's command (the tray): a new number looks at the clipboard again and offers it first. */
  clipboardRequest?: number;
  /** Where "connect Bitbucket" leads. */
  onOpenSettings?: () => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [tab, setTab] = useState<Tab>('paste');
  const tabButtons = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  // The tray asked for the clipboard's command: that is the paste tab's work.
  useEffect(() => {
    if (clipboardRequest !== undefined) setTab('paste');
  }, [clipboardRequest]);

  // Arrow keys move between tabs, as the ARIA tabs pattern has it.
  const onTabKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const next = TABS[(TABS.indexOf(tab) + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length]!;
    setTab(next);
    tabButtons.current[next]?.focus();
  };

  return (
    <section className="card add-form" aria-labelledby={`${id}-title`} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      <h2 id={`${id}-title`}>{t('add.title')}</h2>
      <div className="tabs" role="tablist" aria-label={t('add.tab.label')} onKeyDown={onTabKey}>
        {TABS.map((x) => (
          <button
            key={x}
            type="button"
            role="tab"
            id={`${id}-tab-${x}`}
            ref={(el) => {
              tabButtons.current[x] = el;
            }}
            aria-selected={tab === x}
            aria-controls={`${id}-panel`}
            tabIndex={tab === x ? 0 : -1}
            onClick={() => setTab(x)}
          >
            {t(`add.tab.${x}`)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`${id}-panel`} aria-labelledby={`${id}-tab-${tab}`}>
        {tab === 'paste' ? (
          <PasteRunnerForm onSaved={onSaved} onCancel={onCancel} {...(clipboardRequest !== undefined ? { clipboardRequest } : {})} />
        ) : (
          <CreateRunnerForm onSaved={onSaved} onCancel={onCancel} {...(onOpenSettings ? { onOpenSettings } : {})} />
        )}
      </div>
    </section>
  );
}
