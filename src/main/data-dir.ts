import { chmodSync, mkdirSync } from 'node:fs';
import { chmod, mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

export const APP_DIR_NAME = 'runner-tray';

export interface DataDirInputs {
  platform: NodeJS.Platform;
  env: Readonly<Record<string, string | undefined>>;
  homedir: string;
}

export class DataDirError extends Error {
  readonly code = 'DATA_DIR_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'DataDirError';
  }
}

/**
 * Where the CLI, the headless service and the desktop app keep settings (and the
 * file vault, if chosen). One pure rule so all three always agree.
 */
export function resolveDataDir({ platform, env, homedir: home }: DataDirInputs): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const read = (name: string): string | undefined => {
    // Windows environment names are case-insensitive; a plain object passed in tests is not.
    const key = platform === 'win32' ? Object.keys(env).find((k) => k.toUpperCase() === name) : name;
    const value = key === undefined ? undefined : env[key];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const override = read('RUNNER_TRAY_HOME');
  if (override !== undefined) {
    // Service units and .env files do not expand `~`, so users write it literally.
    const expanded = /^~(?=$|[\\/])/.test(override) ? requireHome(home) + override.slice(1) : override;
    if (!p.isAbsolute(expanded)) {
      throw new DataDirError(
        `RUNNER_TRAY_HOME must be an absolute path, got "${override}". ` +
          `Set it to a full path such as ${platform === 'win32' ? 'C:\\runner-tray' : '/srv/runner-tray'}, or unset it to use the default.`,
      );
    }
    const normal = p.normalize(expanded);
    return normal.length > 1 && /[\\/]$/.test(normal) && p.dirname(normal) !== normal ? normal.slice(0, -1) : normal;
  }

  if (platform === 'win32') {
    const appData = read('APPDATA');
    return p.join(appData ?? p.join(requireHome(home), 'AppData', 'Roaming'), APP_DIR_NAME);
  }
  if (platform === 'darwin') {
    return p.join(requireHome(home), 'Library', 'Application Support', APP_DIR_NAME);
  }
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = read('XDG_CONFIG_HOME');
  const base = xdg !== undefined && p.isAbsolute(xdg) ? xdg : p.join(requireHome(home), '.config');
  return p.join(base, APP_DIR_NAME);
}

function requireHome(home: string): string {
  if (home.trim() === '') {
    throw new DataDirError("Cannot find your home directory to place Runner Tray's data. Set HOME (or RUNNER_TRAY_HOME to an absolute path).");
  }
  return home;
}

/** The data directory of this process. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolveDataDir({ platform: process.platform, env, homedir: homedir() });
}

/**
 * Creates the directory (and parents) with mode 0700 if missing and returns it; one we create is
 * set to 0700 explicitly, whatever the umask. An existing directory keeps its mode: the user chose
 * it. The file vault checks it separately (and refuses a looser one with the chmod fix).
 */
export async function ensureDataDir(dir: string): Promise<string> {
  // mkdir answers the first directory it created, or undefined when all existed.
  if ((await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined) await chmod(dir, 0o700);
  return dir;
}

export function ensureDataDirSync(dir: string): string {
  if (mkdirSync(dir, { recursive: true, mode: 0o700 }) !== undefined) chmodSync(dir, 0o700);
  return dir;
}
