/** The tray's error state says why (tooltip, first menu lines), in the app's language, and clears with the problem. */
import { describe, expect, it } from 'vitest';
import type { HostStatusView } from '../../../src/shared/contract/views.js';
import { trayIconFor, trayMenu, trayTooltip, type TrayActions, type TrayState } from '../../../src/main/electron/tray-menu.js';

const noop = () => undefined;
const actions: TrayActions = { open: noop, start: noop, stop: noop, addFromClipboard: noop, setOpenAtLogin: noop, quit: noop };
const both: HostStatusView = {
  engine: {
    connected: false,
    problem: 'No Docker engine answered. Looked at:\n  - unix:///run/user/1000/docker.sock (DOCKER_HOST): no such socket',
    fix: 'Start that engine.',
  },
  vault: { backend: 'keyring', usable: false, problem: 'Cannot probe the OS keyring', fixedByEnvironment: false },
};
const state = (hostStatus: HostStatusView, language: 'en' | 'pl' = 'en'): TrayState => ({
  runners: [],
  engineConnected: hostStatus.engine.connected,
  clipboardHasCommand: false,
  openAtLogin: false,
  language,
  hostStatus,
});

describe('tray error state from host.status', () => {
  it('shows the error icon, and the tooltip and menu name the missing engine (with where) and the vault', () => {
    const s = state(both);
    expect(trayIconFor(s)).toBe('error');
    expect(trayTooltip(s)).toBe(
      'Runner Tray — Docker is not reachable: unix:///run/user/1000/docker.sock (DOCKER_HOST): no such socket; No usable keyring for secrets: open the window to choose',
    );
    const menu = trayMenu(s, actions);
    expect(menu.slice(0, 2)).toEqual([
      { label: 'Docker is not reachable: unix:///run/user/1000/docker.sock (DOCKER_HOST): no such socket', enabled: false },
      { label: 'No usable keyring for secrets: open the window to choose', enabled: false },
    ]);
  });

  it('speaks Polish when the app does', () => {
    expect(trayTooltip(state(both, 'pl'))).toMatch(/^Runner Tray — Docker jest niedostępny: .*; Brak działającego keyringu/);
  });

  it('a vault problem alone still turns the icon to error; none left, and it is the usual tooltip', () => {
    const vaultOnly = state({ ...both, engine: { connected: true } });
    expect(trayIconFor(vaultOnly)).toBe('error');
    expect(trayTooltip(vaultOnly)).toBe('Runner Tray — No usable keyring for secrets: open the window to choose');
    const fine = state({ engine: { connected: true }, vault: { backend: 'file', usable: true, fixedByEnvironment: false } });
    expect(trayIconFor(fine)).toBe('stopped');
    expect(trayTooltip(fine)).toBe('Runner Tray — no runners');
    expect(trayMenu(fine, actions)[0]).toMatchObject({ label: 'No runners yet' });
  });
});
