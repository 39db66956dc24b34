import { orderedEnvNames } from '../runner-command/format.js';
import type { ParseResult } from '../runner-command/types.js';
import type { ParsedCommandView } from './views.js';

const MASK = '•';

/**
 * The redacted reply of `runners.parseCommand`: the parsed fields and the
 * secret's length, never its characters, and no env values (a pasted
 * `-e` may hold a credential we do not know about). `envNames` lists every
 * variable the runner's container gets except OAUTH_CLIENT_SECRET (shown as
 * `secretMasked`), the extra secrets included, in the order given.
 */
export function toParsedCommandView(result: ParseResult, existing: { displayName: string } | null): ParsedCommandView {
  if (!result.ok) {
    const { code, message, variable } = result.error;
    return { valid: false, error: variable === undefined ? { code, message } : { code, message, variable } };
  }
  const { spec, secret, warnings } = result;
  return {
    valid: true,
    runner: {
      kind: spec.kind,
      runnerUuid: spec.runnerUuid,
      accountUuid: spec.accountUuid,
      repositoryUuid: spec.repositoryUuid,
      name: spec.name,
      image: spec.image,
      oauthClientId: spec.oauthClientId,
      workingDirectory: spec.workingDirectory,
      envNames: orderedEnvNames(result).filter((name) => name !== 'OAUTH_CLIENT_SECRET'),
      binds: [...spec.binds],
    },
    secretMasked: MASK.repeat(Math.min(secret.length, 64)),
    secretLength: secret.length,
    warnings: warnings.map((w) => ({ code: w.code, message: w.message })),
    existing,
  };
}
