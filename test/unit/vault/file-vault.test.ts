import { randomBytes } from 'node:crypto';
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../src/shared/secret.js';
import { FileVault } from '../../../src/main/vault/file-vault.js';
import { bitbucketTokenKey, runnerSecretKey } from '../../../src/main/vault/keys.js';
import { VaultError } from '../../../src/main/vault/types.js';

const RUNNER = '{0b5e6a7c-1d2e-4f30-8a9b-c0d1e2f3a4b5}';
const fakeSecret = () => `test-only-${randomBytes(24).toString('base64url')}`;
const newDir = async () => path.join(await mkdtemp(path.join(tmpdir(), 'rt-filevault-')), 'data');

async function caught(p: Promise<unknown>): Promise<VaultError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return e as VaultError;
  }
  throw new Error('expected a VaultError');
}

describe('FileVault', () => {
  it('stores, reads and deletes a runner secret and a Bitbucket token in a 0600 file in a 0700 directory', async () => {
    const dir = await newDir();
    const vault = await FileVault.open(dir);
    const s1 = fakeSecret();
    const s2 = fakeSecret();
    await vault.set(RUNNER, new Secret(s1));
    await vault.set(bitbucketTokenKey('acme-team'), new Secret(s2));

    expect((await vault.get(RUNNER))?.reveal()).toBe(s1);
    // Braces optional and case does not matter, as users type UUIDs.
    expect((await vault.get(runnerSecretKey(RUNNER.slice(1, -1).toUpperCase())))?.reveal()).toBe(s1);
    expect((await vault.get('bitbucket:acme-team'))?.reveal()).toBe(s2);
    expect((await stat(vault.path)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);

    expect(await vault.delete(RUNNER)).toBe(true);
    expect(await vault.delete(RUNNER)).toBe(false);
    expect(await vault.get(RUNNER)).toBeNull();
    expect((await (await FileVault.open(dir)).get('bitbucket:acme-team'))?.reveal()).toBe(s2);
  });

  it('rejects keys that are neither a braced runner UUID nor bitbucket:<workspace>', async () => {
    const vault = await FileVault.open(await newDir());
    const err = await caught(vault.set('OAUTH_CLIENT_SECRET', new Secret('x')));
    expect(err.code).toBe('VAULT_CONFIG');
    expect(err.message).toMatch(/runner UUID in braces.*bitbucket:<workspace>/);
  });

  it('keeps every write when many writers run at once, and leaves no temp files', async () => {
    const dir = await newDir();
    const a = await FileVault.open(dir);
    const b = await FileVault.open(dir); // a second instance on the same file shares the queue
    const ids = Array.from({ length: 40 }, (_, i) => `{0b5e6a7c-1d2e-4f30-8a9b-${String(i).padStart(12, '0')}}`);
    const values = ids.map(() => fakeSecret());
    await Promise.all(ids.map((id, i) => (i % 2 ? a : b).set(id, new Secret(values[i]!))));
    const reopened = await FileVault.open(dir);
    for (const [i, id] of ids.entries()) expect((await reopened.get(id))?.reveal()).toBe(values[i]);
    expect(await readdir(dir)).toEqual(['secrets.json']);
  });

  it('replaces the file by rename (a new inode), so a reader never sees half a file', async () => {
    const vault = await FileVault.open(await newDir());
    await vault.set(RUNNER, new Secret(fakeSecret()));
    const before = (await stat(vault.path)).ino;
    await vault.set(RUNNER, new Secret(fakeSecret()));
    expect((await stat(vault.path)).ino).not.toBe(before);
  });

  it('removes a temp file left by a crashed writer (it holds secrets) when opened', async () => {
    const dir = await newDir();
    await FileVault.open(dir);
    const orphan = path.join(dir, 'secrets.json.999999999.abcdef.tmp');
    await writeFile(orphan, '{"version":1,"secrets":{}}', { mode: 0o600 });
    await FileVault.open(dir);
    expect(await readdir(dir)).not.toContain('secrets.json.999999999.abcdef.tmp');
  });

  it('refuses a file other users can read, naming the chmod fix, and does not rewrite it', async () => {
    const dir = await newDir();
    const vault = await FileVault.open(dir);
    const secret = fakeSecret();
    await vault.set(RUNNER, new Secret(secret));
    await chmod(vault.path, 0o644);
    const err = await caught(vault.get(RUNNER));
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toContain(`chmod 600 '${vault.path}'`);
    expect(err.message).toContain('0644');
    expect(err.message).not.toContain(secret);
    await caught(FileVault.open(dir));
    expect((await stat(vault.path)).mode & 0o777).toBe(0o644);
  });

  it('refuses a file owned by another user, naming the chown fix', async () => {
    if (process.getuid?.() !== 0) return expect.fail('this check needs root to chown; the test machines run as root');
    const dir = await newDir();
    const vault = await FileVault.open(dir);
    await vault.set(RUNNER, new Secret(fakeSecret()));
    await chown(vault.path, 65534, 65534);
    const err = await caught(vault.get(RUNNER));
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toMatch(/belongs to uid 65534, not to you \(uid 0\).*chown 0/);
  });

  it('refuses a symbolic link in place of the file', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const elsewhere = path.join(path.dirname(dir), 'elsewhere.json');
    await writeFile(elsewhere, '{"version":1,"secrets":{}}', { mode: 0o600 });
    await symlink(elsewhere, path.join(dir, 'secrets.json'));
    const err = await caught(FileVault.open(dir));
    expect(err.message).toMatch(/symbolic link/);
  });

  it('refuses a directory other users can write, naming chmod 700', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true });
    await chmod(dir, 0o777);
    const err = await caught(FileVault.open(dir));
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toContain(`chmod 700 '${dir}'`);
  });

  it('refuses a directory other users can read (0755, as mkdir leaves it), naming chmod 700, and opens once fixed', async () => {
    const dir = await newDir();
    await mkdir(dir, { mode: 0o755 });
    await chmod(dir, 0o755);
    const err = await caught(FileVault.open(dir));
    expect(err.code).toBe('VAULT_UNAVAILABLE');
    expect(err.message).toContain('mode 0755');
    expect(err.message).toContain(`Fix: chmod 700 '${dir}'`);
    expect(await readdir(dir)).toEqual([]);
    await chmod(dir, 0o700);
    await FileVault.open(dir);
  });

  it('sets a directory it creates to 0700 whatever the umask (0277 would leave it unwritable)', async () => {
    const dir = await newDir();
    const old = process.umask(0o277);
    try {
      const vault = await FileVault.open(dir);
      await vault.set(RUNNER, new Secret(fakeSecret()));
    } finally {
      process.umask(old);
    }
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
  });

  it('moves a corrupt file aside (kept, 0600), reports VAULT_CORRUPT without echoing its content, then works again', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const secret = fakeSecret();
    const broken = `{"version":1,"secrets":{"${RUNNER}":"${secret}"`; // cut short
    await writeFile(path.join(dir, 'secrets.json'), broken, { mode: 0o600 });

    const err = await caught(FileVault.open(dir));
    expect(err.code).toBe('VAULT_CORRUPT');
    expect(err.message).not.toContain(secret);
    const backups = (await readdir(dir)).filter((n) => n.startsWith('secrets.json.corrupt-'));
    expect(backups).toHaveLength(1);
    expect(err.message).toContain(path.join(dir, backups[0]!));
    expect(err.message).toMatch(/runner-tray add --replace/);
    const backupPath = path.join(dir, backups[0]!);
    expect(await readFile(backupPath, 'utf8')).toBe(broken);
    expect((await lstat(backupPath)).mode & 0o777).toBe(0o600);

    const vault = await FileVault.open(dir);
    expect(await vault.get(RUNNER)).toBeNull();
  });

  it('leaves a file from a newer format untouched and says to upgrade', async () => {
    const dir = await newDir();
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const text = '{"version":2,"secrets":{}}';
    await writeFile(path.join(dir, 'secrets.json'), text, { mode: 0o600 });
    const err = await caught(FileVault.open(dir));
    expect(err.message).toMatch(/newer Runner Tray.*Upgrade/);
    expect(await readFile(path.join(dir, 'secrets.json'), 'utf8')).toBe(text);
  });

  it('never shows the secret when the vault or a value is printed', async () => {
    const vault = await FileVault.open(await newDir());
    const secret = fakeSecret();
    await vault.set(RUNNER, new Secret(secret));
    const got = await vault.get(RUNNER);
    expect(`${got} ${JSON.stringify({ got, vault })} ${vault.location}`).not.toContain(secret);
  });
});
