/**
 * Start at login, opt-in only (the tray menu's checkbox); a start at login opens to the tray
 * without the window. macOS and Windows keep the setting themselves (`app.setLoginItemSettings`);
 * Electron has no such API on Linux, where the XDG autostart entry (~/.config/autostart) is the
 * standard, so we write and remove that file.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import type { App } from 'electron';

export const HIDDEN_ARG = '--hidden';

export interface LoginItemDeps {
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings' | 'isPackaged' | 'getAppPath'>;
  platform?: NodeJS.Platform;
  env?: Readonly<Record<string, string | undefined>>;
  execPath?: string;
}

export function autostartFile(env: Readonly<Record<string, string | undefined>>, home = homedir()): string {
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.config'), 'autostart', 'runner-tray.desktop');
}

/** A desktop entry quotes arguments with double quotes; `\` and `"` inside are escaped. */
function quoteExecArg(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartEntry(command: readonly string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Runner Tray',
    'Comment=Self-hosted Bitbucket Pipelines runners',
    `Exec=${command.map(quoteExecArg).join(' ')}`,
    'X-GNOME-Autostart-enabled=true',
    'Terminal=false',
    '',
  ].join('\n');
}

export function openAtLogin(deps: LoginItemDeps): boolean {
  if ((deps.platform ?? process.platform) === 'linux') return existsSync(autostartFile(deps.env ?? process.env));
  return deps.app.getLoginItemSettings({ args: [HIDDEN_ARG] }).openAtLogin;
}

export function setOpenAtLogin(deps: LoginItemDeps, enabled: boolean): void {
  if ((deps.platform ?? process.platform) === 'linux') {
    const file = autostartFile(deps.env ?? process.env);
    if (!enabled) {
      rmSync(file, { force: true });
      return;
    }
    const execPath = deps.execPath ?? process.execPath;
    // Unpackaged (npm run start:desktop), the electron binary needs the app directory too.
    const command = deps.app.isPackaged ? [execPath, HIDDEN_ARG] : [execPath, deps.app.getAppPath(), HIDDEN_ARG];
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, autostartEntry(command), { mode: 0o644 });
    return;
  }
  deps.app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: true, args: [HIDDEN_ARG] });
}

/** Started by the login item: Windows and Linux pass our argument, macOS reports it. */
export function startedAtLogin(app: Pick<App, 'getLoginItemSettings'>, argv: readonly string[]): boolean {
  return argv.includes(HIDDEN_ARG) || app.getLoginItemSettings().wasOpenedAtLogin === true;
}
