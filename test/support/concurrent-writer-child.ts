/**
 * One of several processes writing the same data dir at once, as the CLI and a running
 * `serve` do: adds `count` runner records (kind "settings") or vault entries (kind "vault"),
 * numbered from `first`, one read-modify-write each. Exits non-zero on any error.
 */
import { Secret } from '../../src/shared/secret.js';
import { RUNNER_IMAGE } from '../../src/shared/runner-command/types.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import { FileVault } from '../../src/main/vault/file-vault.js';

const [kind, dataDir, firstArg, countArg] = process.argv.slice(2);
const first = Number(firstArg);
const count = Number(countArg);
const ACCOUNT = '{0badc0de-1111-4222-8333-444455556666}';
const uuidOf = (n: number) => `{facefeed-0000-4000-8000-${String(n).padStart(12, '0')}}`;

if (kind === 'settings') {
  const store = SettingsStore.open(dataDir!);
  for (let n = first; n < first + count; n++) {
    const runnerUuid = uuidOf(n);
    store.runners().put({
      spec: {
        kind: 'workspace',
        accountUuid: ACCOUNT,
        repositoryUuid: null,
        runnerUuid,
        name: `runner-${n}`,
        image: RUNNER_IMAGE,
        oauthClientId: `madeupclient${n}`,
        workingDirectory: '/tmp',
        env: { ACCOUNT_UUID: ACCOUNT, RUNNER_UUID: runnerUuid, OAUTH_CLIENT_ID: `madeupclient${n}`, WORKING_DIRECTORY: '/tmp' },
        binds: ['/tmp:/tmp'],
        args: [],
      },
      displayName: `Runner ${n}`,
      addedAt: '2026-11-29T12:00:00.000Z',
    });
  }
} else if (kind === 'vault') {
  const vault = await FileVault.open(dataDir!);
  for (let n = first; n < first + count; n++) await vault.set(uuidOf(n), new Secret(`made-up-secret-${n}`));
} else {
  console.error(`usage: concurrent-writer-child.ts settings|vault <dataDir> <first> <count>`);
  process.exit(2);
}
