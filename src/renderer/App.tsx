import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { EventOf, SettingsView } from '../shared/contract/index.js';
import { useChannel, useEvent } from './contract-hooks.js';
import { resolveLanguage } from './i18n/index.js';
import { useDiagnosisWords } from './diagnosis-text.js';
import { RunnersScreen } from './screens/RunnersScreen.js';
import { StepsScreen } from './screens/StepsScreen.js';
import { LogsScreen } from './screens/LogsScreen.js';
import { DoctorScreen } from './screens/DoctorScreen.js';
import { SnippetScreen } from './screens/SnippetScreen.js';
import { SettingsScreen } from './screens/SettingsScreen.js';
import { PoolsScreen } from './screens/PoolsScreen.js';
import { useWindowRoute } from './window-route.js';
import { moveRouteRunner } from '../shared/window-route.js';
import { HostProblems, useHostStatus } from './components/HostProblems.js';

export const SCREENS = ['runners', 'steps', 'pools', 'logs', 'doctor', 'snippet', 'settings'] as const;
export type Screen = (typeof SCREENS)[number];

export function App() {
  const { t, i18n } = useTranslation();
  const [screen, setScreen] = useState<Screen>('runners');
  const [announcement, setAnnouncement] = useState('');
  const [engine, setEngine] = useState<EventOf<'engine.connection'> | null>(null);
  const [toasts, setToasts] = useState<{ id: number; text: string }[]>([]);
  const heading = useRef<HTMLHeadingElement>(null);
  const shownScreen = useRef<Screen>(screen);
  const settingsQuery = useChannel('settings.get', {}, []);
  const [settings, setSettings] = useState<SettingsView>();
  /** The tray's "Add runner from clipboard…", until the runners screen has opened its form for it (a new number per request). */
  const [clipboardRequest, setClipboardRequest] = useState<number | null>(null);
  /** The tray's "Move to cluster…" of one runner, until its item has opened the dialog. */
  const [moveRequest, setMoveRequest] = useState<{ runnerUuid: string; at: number } | null>(null);
  useWindowRoute((route) => {
    if (route === 'pools') {
      setScreen('pools');
      return;
    }
    const moving = moveRouteRunner(route);
    if (moving) {
      setScreen('runners');
      setMoveRequest({ runnerUuid: moving, at: Date.now() });
    }
    if (route !== 'add-from-clipboard') return;
    setScreen('runners');
    setClipboardRequest(Date.now());
  });
  const hostStatus = useHostStatus();

  useEffect(() => {
    if (settingsQuery.value) setSettings(settingsQuery.value);
  }, [settingsQuery.value]);
  useEvent('settings.changed', (e) => setSettings(e.settings));
  useEvent('engine.connection', setEngine);

  useEffect(() => {
    if (!settings) return;
    void i18n.changeLanguage(resolveLanguage(settings.language));
    if (settings.theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = settings.theme;
  }, [settings?.language, settings?.theme, i18n, settings]);

  useEffect(() => {
    document.title = `${t(`nav.${screen}`)} · ${t('app.name')}`;
  }, [screen, t, i18n.language]);

  // Move focus to the new screen's heading, so keyboard and screen-reader users land where the content is.
  useEffect(() => {
    // Compared, not counted: StrictMode runs effects twice on mount.
    if (shownScreen.current === screen) return;
    shownScreen.current = screen;
    heading.current?.focus();
  }, [screen]);

  const announce = useCallback((text: string) => {
    setAnnouncement('');
    requestAnimationFrame(() => setAnnouncement(text));
  }, []);

  const describeDiagnosis = useDiagnosisWords();
  useEvent('notification', (e) => {
    if (settings && !settings.notifications) return;
    const headline =
      e.kind === 'stepFailed' && !e.step?.stepName
        ? t('notify.stepFailedUnnamed', { name: e.runnerDisplayName })
        : t(`notify.${e.kind}`, { name: e.runnerDisplayName, step: e.step?.stepName ?? '' });
    const words = e.diagnosis ? describeDiagnosis(e.diagnosis) : undefined;
    const text = words ? `${headline} ${words.message}${words.where ? ` (${words.where})` : ''}` : headline;
    const id = Date.now() + Math.random();
    setToasts((list) => [...list, { id, text }]);
    setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), 8000);
    // In Electron the main process shows the native notification itself.
    if (!window.runnerTray && 'Notification' in window && Notification.permission === 'granted' && document.hidden) {
      new Notification(t('app.name'), { body: text });
    }
  });

  return (
    <div className="app">
      <a
        href="#main"
        className="skip-link"
        onClick={(e) => {
          e.preventDefault();
          heading.current?.focus();
        }}
      >
        {t('app.skip')}
      </a>
      <header className="app-header">
        <div className="brand">
          <span className="logo" aria-hidden="true">
            ▶
          </span>
          <span>{t('app.name')}</span>
        </div>
        {engine && !engine.connected && hostStatus?.engine.connected !== false && (
          <p className="engine-down" role="status">
            {t('app.engineDown')}
            {engine.message ? ` ${engine.message}` : ''}
          </p>
        )}
      </header>
      <nav className="app-nav" aria-label={t('nav.label')}>
        <ul>
          {SCREENS.map((s) => (
            <li key={s}>
              <button type="button" aria-current={screen === s ? 'page' : undefined} onClick={() => setScreen(s)}>
                {t(`nav.${s}`)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="app-main">
        {/* On every screen but Doctor, which shows the same cards itself. */}
        {screen !== 'doctor' && <HostProblems status={hostStatus} place="banner" />}
        <h1 ref={heading} tabIndex={-1}>
          {t(`nav.${screen}`)}
        </h1>
        {screen === 'runners' && (
          <RunnersScreen
            announce={announce}
            clipboardRequest={clipboardRequest}
            onClipboardRequestTaken={() => setClipboardRequest(null)}
            onOpenSettings={() => setScreen('settings')}
            moveRequest={moveRequest}
            onMoveRequestTaken={() => setMoveRequest(null)}
          />
        )}
        {screen === 'pools' && <PoolsScreen />}
        {screen === 'steps' && <StepsScreen />}
        {screen === 'logs' && <LogsScreen />}
        {screen === 'doctor' && <DoctorScreen />}
        {screen === 'snippet' && <SnippetScreen />}
        {screen === 'settings' && <SettingsScreen settings={settings} onChange={setSettings} />}
      </main>
      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
      <div className="toasts" aria-live="polite">
        {toasts.map((x) => (
          <div key={x.id} className="toast">
            {x.text}
          </div>
        ))}
      </div>
    </div>
  );
}
