/**
 * The host's start-up problems in the tray's few words (tooltip and the menu's first lines):
 * the error icon alone does not say why. Short, because tooltips are (Windows cuts at 127).
 */
import type { HostStatusView } from '../../shared/contract/views.js';
import type { TrayLanguage } from './tray-menu.js';

const TEXT = {
  en: {
    engine: (why: string) => `Docker is not reachable${why ? `: ${why}` : ''}`,
    vault: 'No usable keyring for secrets: open the window to choose',
  },
  pl: {
    engine: (why: string) => `Docker jest niedostępny${why ? `: ${why}` : ''}`,
    vault: 'Brak działającego keyringu na sekrety: wybierz w oknie',
  },
} as const satisfies Record<TrayLanguage, unknown>;

/** From "No Docker engine answered. Looked at:\n  - unix:///x.sock (DOCKER_HOST): no such socket": the first place and its reason. */
function engineReason(problem: string | undefined): string {
  const first = problem?.split('\n').find((l) => l.trim().startsWith('- '));
  if (!first) return '';
  const reason = first.trim().slice(2);
  return reason.length > 90 ? `${reason.slice(0, 89)}…` : reason;
}

export function trayProblems(status: HostStatusView | undefined, language: TrayLanguage): string[] {
  if (!status) return [];
  const t = TEXT[language];
  const out: string[] = [];
  if (!status.engine.connected) out.push(t.engine(engineReason(status.engine.problem)));
  if (!status.vault.usable) out.push(t.vault);
  return out;
}
