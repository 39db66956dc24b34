import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError, ensureDataDir, resolveDataDir } from '../../src/main/data-dir.js';

describe('resolveDataDir', () => {
  it('uses $XDG_CONFIG_HOME/runner-tray on Linux', () => {
    expect(resolveDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/home/ann/.cfg' }, homedir: '/home/ann' })).toBe('/home/ann/.cfg/runner-tray');
  });

  it('falls back to ~/.config on Linux when XDG_CONFIG_HOME is unset, empty or relative (XDG spec: ignore relative)', () => {
    for (const env of [{}, { XDG_CONFIG_HOME: '' }, { XDG_CONFIG_HOME: 'cfg' }]) {
      expect(resolveDataDir({ platform: 'linux', env, homedir: '/home/ann' })).toBe('/home/ann/.config/runner-tray');
    }
  });

  it('uses ~/Library/Application Support/runner-tray on macOS, ignoring XDG_CONFIG_HOME', () => {
    expect(resolveDataDir({ platform: 'darwin', env: { XDG_CONFIG_HOME: '/x' }, homedir: '/Users/ann' })).toBe(
      '/Users/ann/Library/Application Support/runner-tray',
    );
  });

  it('uses %APPDATA%\\runner-tray on Windows (env names case-insensitive), else the roaming profile under the home', () => {
    expect(resolveDataDir({ platform: 'win32', env: { AppData: 'C:\\Users\\ann\\AppData\\Roaming' }, homedir: 'C:\\Users\\ann' })).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\runner-tray',
    );
    expect(resolveDataDir({ platform: 'win32', env: {}, homedir: 'C:\\Users\\ann' })).toBe('C:\\Users\\ann\\AppData\\Roaming\\runner-tray');
  });

  it('lets RUNNER_TRAY_HOME override every platform default, expanding a leading ~', () => {
    expect(resolveDataDir({ platform: 'linux', env: { RUNNER_TRAY_HOME: '/srv/rt/', XDG_CONFIG_HOME: '/x' }, homedir: '/root' })).toBe('/srv/rt');
    expect(resolveDataDir({ platform: 'darwin', env: { RUNNER_TRAY_HOME: '~/rt' }, homedir: '/Users/ann' })).toBe('/Users/ann/rt');
    expect(resolveDataDir({ platform: 'win32', env: { RUNNER_TRAY_HOME: 'D:\\rt', APPDATA: 'C:\\a' }, homedir: 'C:\\u' })).toBe('D:\\rt');
  });

  it('rejects a relative RUNNER_TRAY_HOME with a message naming the variable and the fix', () => {
    const call = () => resolveDataDir({ platform: 'linux', env: { RUNNER_TRAY_HOME: 'rt-data' }, homedir: '/root' });
    expect(call).toThrow(DataDirError);
    expect(call).toThrow(/RUNNER_TRAY_HOME must be an absolute path, got "rt-data"/);
  });

  it('says what to set when there is no home directory', () => {
    expect(() => resolveDataDir({ platform: 'linux', env: {}, homedir: '' })).toThrow(/Set HOME \(or RUNNER_TRAY_HOME/);
  });
});

describe('ensureDataDir', () => {
  it('creates the directory and its missing parents with mode 0700', async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'rt-datadir-'));
    const dir = path.join(base, 'a', 'runner-tray');
    await ensureDataDir(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    await ensureDataDir(dir); // idempotent
  });
});
