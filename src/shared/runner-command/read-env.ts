/** The `-e` variables judged against Bitbucket's runner command: required, UUIDs, expected, extra, credentials. */
import { credentials, env as msg } from './messages.js';
import { fail, type ReadContext } from './parse-failure.js';
import {
  BARE_UUID,
  BRACED_UUID,
  CLIENT_ID_LENGTH,
  CREDENTIAL_CHARS,
  EXPECTED_ENV,
  KNOWN_ENV,
  PLACEHOLDER,
  REQUIRED_ENV,
  SECRET_LENGTH,
  UUID_ENV,
  isExtraSecret,
} from './runner-env.js';

/** Each required variable is set, not empty, and not a documentation placeholder. */
export function requireEnv(envEntries: Map<string, string>, ctx: ReadContext): void {
  for (const name of REQUIRED_ENV) {
    const value = envEntries.get(name);
    if (value === undefined) {
      const near = [...envEntries.keys()].find((k) => k.toUpperCase() === name || k.toUpperCase().replace(/-/g, '_') === name);
      fail('MISSING_ENV', msg.missing(name, near, ctx), name);
    }
    if (value.trim() === '') fail('MISSING_ENV', msg.empty(name), name);
    if (!name.endsWith('_UUID') && PLACEHOLDER.test(value)) fail('MISSING_ENV', msg.placeholder(name), name);
  }
}

/**
 * Every UUID variable becomes `{lower-case}`. Bitbucket prints UUIDs in lower case and they
 * compare without regard to case; one spelling keeps the container name, labels, settings and
 * vault entry of a runner the same.
 */
export function normalizeUuids(envEntries: Map<string, string>, ctx: ReadContext): void {
  for (const name of UUID_ENV) {
    const value = envEntries.get(name);
    if (value === undefined) continue;
    if (BRACED_UUID.test(value)) {
      envEntries.set(name, value.toLowerCase());
      continue;
    }
    if (BARE_UUID.test(value)) {
      envEntries.set(name, `{${value.toLowerCase()}}`);
      ctx.warn('UUID_BRACES_ADDED', msg.uuidBracesAdded(name));
      continue;
    }
    fail('INVALID_UUID', invalidUuidMessage(name, value, ctx), name);
  }
}

function invalidUuidMessage(name: string, value: string, ctx: ReadContext): string {
  if (value.trim() === '') return msg.uuidEmpty(name);
  if (PLACEHOLDER.test(value)) return msg.uuidPlaceholder(name, value, ctx);
  if (value.trim() !== value) return msg.uuidBlanks(name, value, ctx);
  if (value.startsWith('{') !== value.endsWith('}')) return msg.uuidBrace(name, value, ctx);
  return msg.notUuid(name, value, ctx);
}

/** Warnings for the variables current Bitbucket commands set but this one lacks, and for extra ones. */
export function warnAboutEnvNames(envEntries: Map<string, string>, ctx: ReadContext): void {
  for (const name of EXPECTED_ENV) {
    if (envEntries.has(name)) continue;
    ctx.warn('MISSING_EXPECTED_ENV', name === 'WORKING_DIRECTORY' ? msg.noWorkingDirectory() : msg.noPrerequisites());
  }
  for (const key of envEntries.keys()) {
    if (KNOWN_ENV.has(key)) continue;
    if (isExtraSecret(key)) ctx.warn('EXTRA_SECRET', msg.extraSecret(key, ctx));
    else ctx.warn('EXTRA_ENV', msg.extra(key, ctx));
  }
}

/** The OAuth client id and secret look like Bitbucket's; a cut paste shows here first. */
export function warnAboutCredentials(oauthClientId: string, secretValue: string, ctx: ReadContext): void {
  if (secretValue.length !== SECRET_LENGTH) {
    const cut = secretValue.length < SECRET_LENGTH;
    ctx.warn('SECRET_LENGTH', cut ? credentials.secretTooShort(secretValue.length) : credentials.secretTooLong(secretValue.length));
  }
  if (!CREDENTIAL_CHARS.test(secretValue)) ctx.warn('SECRET_FORMAT', credentials.secretFormat());
  if (!new RegExp(`^[A-Za-z0-9_-]{${CLIENT_ID_LENGTH}}$`).test(oauthClientId)) {
    ctx.warn('CLIENT_ID_FORMAT', credentials.clientIdFormat(oauthClientId.length, !CREDENTIAL_CHARS.test(oauthClientId)));
  }
}
