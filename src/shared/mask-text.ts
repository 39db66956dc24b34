/**
 * Text from outside our code (a runner's log, the engine's error messages) made fit to show or
 * log. One function per kind of text, used by every path that shows it: the monitor, the log
 * views, `runner-tray logs`, and the one place engine errors become our errors.
 */
import { maskCredentialLike } from './diagnostics/diagnose.js';
import { findSecretsInText } from './runner-command/mask.js';
import { redactText, type Secret } from './secret.js';

/** A runner's log line: its known secrets redacted (in every form), anything else credential-like masked. */
export function maskLogText(text: string, secrets: ReadonlyArray<string | Secret>): string {
  return maskCredentialLike(secrets.length > 0 ? redactText(text, secrets) : text);
}

/**
 * An engine's error text. Besides the known secrets, the value of any `NAME=value` whose NAME
 * says it is a secret (`OAUTH_CLIENT_SECRET=…`, `NPM_TOKEN=…`): the engine quotes a container's
 * variables when it refuses one, and the secret may be one this process never read.
 */
export function maskEngineText(text: string, secrets: ReadonlyArray<string | Secret>): string {
  return maskLogText(text, [...secrets, ...findSecretsInText(text)]);
}
