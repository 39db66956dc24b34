/**
 * A runner's secrets in the vault and its record in settings, written and removed in the order
 * that never leaves one without the other: a runner is never in settings without its secrets, and
 * a failed removal leaves it listed (so remove can be retried) rather than a secret nobody can find.
 */
import type { Secret } from '../../shared/secret.js';
import type { RunnerRecord, RunnerStore } from '../settings/types.js';
import { runnerEnvSecretKey, runnerSecretKey } from '../vault/keys.js';
import type { SecretVault } from '../vault/types.js';
import { RunnerError } from './errors.js';
import { describeUnsafeChar, findUnsafeChar } from '../../shared/text-safety.js';

export interface RunnerSecrets {
  /** OAUTH_CLIENT_SECRET. */
  secret: Secret;
  /** Secret-looking extra `-e` variables (e.g. NPM_TOKEN), by name. */
  extra: Record<string, Secret>;
}

/** The secrets the runner's container needs; SECRET_MISSING names the vault and the fix. */
export async function readSecrets(vault: SecretVault, record: RunnerRecord): Promise<RunnerSecrets> {
  const uuid = record.spec.runnerUuid;
  const missing = (what: string) =>
    new RunnerError(
      'SECRET_MISSING',
      `The vault (${vault.location}) has no ${what} for runner ${uuid}. Paste the runner command again with \`runner-tray add --replace\`.`,
      uuid,
    );
  const secret = await vault.get(runnerSecretKey(uuid));
  if (!secret) throw missing('secret');
  const extra: Record<string, Secret> = {};
  for (const name of record.vaultEnv ?? []) {
    const value = await vault.get(runnerEnvSecretKey(uuid, name));
    if (!value) throw missing(`value of ${name}`);
    extra[name] = value;
  }
  return { secret, extra };
}

/**
 * A secret Docker cannot pass (a NUL, a control character, a lone surrogate), stored before the
 * parser refused such values, is refused before the engine sees it: the engine would refuse the
 * container and quote the whole variable in its error and its own log.
 */
export function refuseUnsendableSecrets(secrets: RunnerSecrets, uuid: string): void {
  const named: Array<[string, Secret]> = [['OAUTH_CLIENT_SECRET', secrets.secret], ...Object.entries(secrets.extra)];
  for (const [name, value] of named) {
    const u = findUnsafeChar(value.reveal());
    if (!u) continue;
    throw new RunnerError(
      'SECRET_INVALID',
      `The stored value of ${name} for runner ${uuid} contains ${describeUnsafeChar(u)}, which Docker cannot pass to the runner's container. ` +
        'Paste the runner command again from Bitbucket with `runner-tray add --replace` (or Replace in the window).',
      uuid,
    );
  }
}

/**
 * Secrets first, then the record; when the record cannot be written the vault gets back what it
 * held. Extra variables the previous record named and this one does not go last.
 */
export async function saveRunner(
  vault: SecretVault,
  store: RunnerStore,
  record: RunnerRecord,
  secrets: RunnerSecrets,
  existing: RunnerRecord | undefined,
): Promise<void> {
  const uuid = record.spec.runnerUuid;
  const entries: Array<[string, Secret]> = [
    [runnerSecretKey(uuid), secrets.secret],
    ...Object.entries(secrets.extra).map(([n, v]): [string, Secret] => [runnerEnvSecretKey(uuid, n), v]),
  ];
  const dropped = (existing?.vaultEnv ?? []).filter((n) => !(n in secrets.extra)).map((n) => runnerEnvSecretKey(uuid, n));
  // What the vault held before, to put back if settings cannot be written.
  const previous = new Map<string, Secret | null>();
  for (const [key] of entries) previous.set(key, existing ? await vault.get(key) : null);
  try {
    for (const [key, value] of entries) await vault.set(key, value);
    store.put(record);
  } catch (e) {
    for (const [key, value] of previous) {
      await (value ? vault.set(key, value) : vault.delete(key).then(() => undefined)).catch(() => undefined);
    }
    throw e;
  }
  // Variables no longer pasted: their values go once the settings stop naming them.
  for (const key of dropped) await vault.delete(key).catch(() => undefined);
}

/** Vault before settings: a failure leaves the runner listed, so remove can be retried. */
export async function forgetRunner(vault: SecretVault, store: RunnerStore, record: RunnerRecord): Promise<void> {
  const uuid = record.spec.runnerUuid;
  for (const name of record.vaultEnv ?? []) await vault.delete(runnerEnvSecretKey(uuid, name));
  await vault.delete(runnerSecretKey(uuid));
  store.remove(uuid);
}
