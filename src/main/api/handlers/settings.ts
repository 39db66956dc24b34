/** `settings.*`: the UI's preferences and the watched repositories; every change is pushed as `settings.changed`. */
import type { BitbucketStatusView, SettingsView } from '../../../shared/contract/views.js';
import type { SettingsStore } from '../../settings/settings-store.js';
import { ApiError } from '../contract-errors.js';
import type { HandlerDeps, HandlersOf } from './types.js';

export function settingsView(settings: SettingsStore): SettingsView {
  const s = settings.get();
  return {
    language: s.ui?.language ?? 'auto',
    theme: s.ui?.theme ?? 'system',
    notifications: s.ui?.notifications ?? true,
    bitbucket: bitbucketView(settings),
  };
}

function bitbucketView(settings: SettingsStore): BitbucketStatusView {
  const b = settings.get().bitbucket;
  if (!b) return { connected: false, watchedRepositories: [] };
  return { connected: true, workspace: b.workspace, ...(b.email ? { email: b.email } : {}), watchedRepositories: [...b.watchedRepositories] };
}

/** The settings as they are now, pushed to every window, and returned to the caller. */
export function announceSettings(deps: Pick<HandlerDeps, 'settings' | 'events'>): SettingsView {
  const view = settingsView(deps.settings);
  deps.events.emit({ type: 'settings.changed', settings: view });
  return view;
}

export function settingsHandlers(deps: HandlerDeps): HandlersOf<'settings'> {
  return {
    async 'settings.get'() {
      return settingsView(deps.settings);
    },

    async 'settings.update'(patch) {
      const ui: { language?: 'en' | 'pl'; theme?: 'system' | 'light' | 'dark'; notifications?: boolean } = { ...(deps.settings.get().ui ?? {}) };
      if (patch.language === 'auto') delete ui.language;
      else if (patch.language !== undefined) ui.language = patch.language;
      if (patch.theme !== undefined) ui.theme = patch.theme;
      if (patch.notifications !== undefined) ui.notifications = patch.notifications;
      deps.settings.update({ ui: Object.keys(ui).length > 0 ? ui : null });
      if (patch.watchedRepositories !== undefined) {
        const b = deps.settings.get().bitbucket;
        if (!b) throw new ApiError('CONFLICT', 'Watched repositories need a Bitbucket connection: connect Bitbucket in Settings first.');
        deps.settings.update({ bitbucket: { ...b, watchedRepositories: patch.watchedRepositories } });
        await deps.queued.reload();
      }
      return announceSettings(deps);
    },
  };
}
