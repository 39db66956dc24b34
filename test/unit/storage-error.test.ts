import { writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StorageError, storageWriteSync, toStorageError } from '../../src/main/storage-error.js';

/**
 * An errno error as Node raises it, relabelled: the real ENOSPC / EROFS / EACCES come from a full
 * tmpfs, a read-only bind mount and a user without rights in test/integration/storage.test.ts.
 */
function realError(code: string): NodeJS.ErrnoException {
  try {
    writeFileSync('/proc/self/no-such-dir/x', '');
  } catch (e) {
    return Object.assign(e as NodeJS.ErrnoException, { code });
  }
  throw new Error('expected the write to fail');
}

describe('toStorageError', () => {
  const target = { path: '/srv/rt/settings.json', what: 'settings' };

  it.each([
    ['ENOSPC', 'STORAGE_FULL', "the disk holding /srv/rt is full (ENOSPC: no space left on device). Free some space there (df -h '/srv/rt'"],
    ['EDQUOT', 'STORAGE_FULL', 'EDQUOT: your disk quota is used up'],
    ['EROFS', 'STORAGE_READ_ONLY', '/srv/rt is on a read-only file system (EROFS). Remount it read-write, or set RUNNER_TRAY_HOME'],
    ['EACCES', 'STORAGE_DENIED', 'permission denied (EACCES). /srv/rt must be writable by the user running Runner Tray'],
    ['EPERM', 'STORAGE_DENIED', "chmod 700 '/srv/rt'"],
  ])('%s becomes %s with the path and the fix', (errno, code, words) => {
    const e = toStorageError(realError(errno), target) as StorageError;
    expect(e).toBeInstanceOf(StorageError);
    expect(e.code).toBe(code);
    expect(e.errno).toBe(errno);
    expect(e.message).toContain('Cannot write settings (/srv/rt/settings.json)');
    expect(e.message).toContain(words);
  });

  it('leaves other errors as they are (our own, and errno codes nobody can fix by hand)', () => {
    const ours = Object.assign(new Error('Settings not saved: bad'), { code: 'SETTINGS_INVALID' });
    expect(toStorageError(ours, target)).toBe(ours);
    const notDir = realError('ENOTDIR');
    expect(toStorageError(notDir, target)).toBe(notDir);
  });

  it('passes an error it does not explain (EISDIR) through storageWriteSync unchanged', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'rt-storage-error-'));
    // EISDIR: writing a directory as a file is not one of ours to explain.
    expect(() => storageWriteSync({ path: dir, what: 'x' }, () => writeFileSync(dir, ''))).toThrow(/EISDIR/);
  });
});
