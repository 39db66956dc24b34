import { REDACTED, redactText, type Secret } from '../secret.js';
import { maskSecret } from './mask.js';
import type { ParseResult, ParseWarning, RunnerSpec } from './types.js';

/** The `runner-tray parse-command --json` output (issue 2, item 7). */
export type ParseJson =
  | {
      ok: true;
      /** The spec, field for field; `env` also names the secrets, as `<redacted>`, where they stood. */
      runner: RunnerSpec;
      warnings: ParseWarning[];
    }
  | { ok: false; error: { code: string; message: string; variable?: string } };

type ParsedRunner = Extract<ParseResult, { ok: true }>;

/**
 * Every variable name of a parsed command, secrets included, in the order given. A result built
 * by hand has no `envOrder`: then OAUTH_CLIENT_SECRET goes right after OAUTH_CLIENT_ID, where
 * Bitbucket puts it, and the extra secrets last. Names the spec gained later (a per-runner
 * WORKING_DIRECTORY) are kept; names it lost are dropped.
 */
export function orderedEnvNames(result: Pick<ParsedRunner, 'spec' | 'extraSecrets' | 'envOrder'>): string[] {
  const { spec, extraSecrets, envOrder } = result;
  const present = (key: string) => key === 'OAUTH_CLIENT_SECRET' || Object.hasOwn(spec.env, key) || Object.hasOwn(extraSecrets, key);
  let order = envOrder;
  if (!order) {
    order = Object.keys(spec.env);
    const at = order.indexOf('OAUTH_CLIENT_ID');
    order.splice(at < 0 ? order.length : at + 1, 0, 'OAUTH_CLIENT_SECRET');
    order.push(...Object.keys(extraSecrets));
  }
  const names = order.filter(present);
  const seen = new Set(names);
  for (const key of ['OAUTH_CLIENT_SECRET', ...Object.keys(spec.env), ...Object.keys(extraSecrets)]) {
    if (!seen.has(key)) names.push(key);
  }
  return names;
}

/** The variables as the command gives them, each secret shown as `<redacted>`. */
function envWithRedactedSecrets(result: ParsedRunner): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of orderedEnvNames(result)) {
    env[key] = Object.hasOwn(result.spec.env, key) ? result.spec.env[key]! : REDACTED;
  }
  return env;
}

/**
 * The secrets to mask wherever the user also wrote them (say, in another variable or an
 * argument). Extra secrets under 8 characters are left out: they would mask ordinary values
 * such as `true`, and the parser refuses the long ones outside their own variable anyway.
 */
function allSecrets(secret: Secret | undefined, extraSecrets: Record<string, Secret> = {}): Secret[] {
  const extra = Object.values(extraSecrets).filter((s) => s.length >= 8);
  return secret ? [secret, ...extra] : extra;
}

function scrubAll<T>(value: T, secrets: Secret[]): T {
  return JSON.parse(redactText(JSON.stringify(value), secrets)) as T;
}

/** The object `parse-command --json` prints (serialise it with `JSON.stringify`). */
export function formatParseJson(result: ParseResult): ParseJson {
  if (!result.ok) {
    const { code, message, variable } = result.error;
    return { ok: false, error: variable === undefined ? { code, message } : { code, message, variable } };
  }
  const { spec, secret, extraSecrets, warnings } = result;
  return scrubAll(
    {
      ok: true,
      runner: {
        kind: spec.kind,
        accountUuid: spec.accountUuid,
        repositoryUuid: spec.repositoryUuid,
        runnerUuid: spec.runnerUuid,
        name: spec.name,
        image: spec.image,
        oauthClientId: spec.oauthClientId,
        workingDirectory: spec.workingDirectory,
        env: envWithRedactedSecrets(result),
        binds: [...spec.binds],
        args: [...spec.args],
      },
      warnings: warnings.map((w) => ({ code: w.code, message: w.message })),
    },
    allSecrets(secret, extraSecrets),
  );
}

/**
 * A human-readable summary of a parsed runner; the secret and the extra secrets appear only as
 * their masks.
 */
export function describeSpec(spec: RunnerSpec, secret?: Secret, extraSecrets: Record<string, Secret> = {}): string {
  const variables = [
    ...Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
    ...Object.entries(extraSecrets).map(([k, v]) => `${k}=${maskSecret(v.length)} (in the vault)`),
  ];
  const rows: Array<[string, string | string[]]> = [
    ['Kind', spec.kind === 'repository' ? 'repository runner' : 'workspace runner'],
    ['Runner UUID', spec.runnerUuid],
    ['Account UUID', spec.accountUuid],
    ['Repository UUID', spec.repositoryUuid ?? '(none: workspace runner)'],
    ['Container name', spec.name],
    ['Image', spec.image],
    ['OAuth client id', spec.oauthClientId],
    ['OAuth secret', secret ? maskSecret(secret.length) : '(not shown)'],
    ['Working directory', spec.workingDirectory],
    ['Binds', spec.binds.length > 0 ? spec.binds : '(none)'],
    ['Variables', variables.length > 0 ? variables : '(none)'],
    ['Arguments', spec.args.length > 0 ? spec.args : '(none)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines: string[] = [];
  for (const [label, value] of rows) {
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => lines.push(`${(i === 0 ? label : '').padEnd(width)}${v}`));
  }
  return redactText(lines.join('\n'), allSecrets(secret, extraSecrets));
}

/** `parse-command` without `--json`: the summary and warnings, or the error. */
export function describeParseResult(result: ParseResult): string {
  if (!result.ok) {
    const { code, message } = result.error;
    return `Error (${code}): ${message}`;
  }
  const parts = [describeSpec(result.spec, result.secret, result.extraSecrets)];
  if (result.warnings.length > 0) {
    parts.push(['Warnings:', ...result.warnings.map((w) => `  - ${w.message} [${w.code}]`)].join('\n'));
  }
  return redactText(parts.join('\n\n'), allSecrets(result.secret, result.extraSecrets));
}
