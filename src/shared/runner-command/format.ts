import { REDACTED, redactText, type Secret } from '../secret.js';
import { maskSecret } from './mask.js';
import type { ParseResult, ParseWarning, RunnerKind, RunnerSpec } from './types.js';

/** The `runner-tray parse-command --json` output (issue 2, item 7). */
export type ParseJson =
  | {
      ok: true;
      runner: {
        kind: RunnerKind;
        accountUuid: string;
        repositoryUuid: string | null;
        runnerUuid: string;
        name: string;
        image: string;
        oauthClientId: string;
        workingDirectory: string;
        env: Record<string, string>;
        binds: string[];
        args: string[];
      };
      warnings: ParseWarning[];
    }
  | { ok: false; error: { code: string; message: string; variable?: string } };

/**
 * The variables as the command gives them, the secret shown as `<redacted>`. The spec does not
 * record where the secret stood, so it goes right after OAUTH_CLIENT_ID, where Bitbucket puts it.
 */
function envWithRedactedSecret(spec: RunnerSpec): Record<string, string> {
  const env: Record<string, string> = {};
  let placed = false;
  for (const [key, value] of Object.entries(spec.env)) {
    env[key] = value;
    if (key === 'OAUTH_CLIENT_ID') {
      env.OAUTH_CLIENT_SECRET = REDACTED;
      placed = true;
    }
  }
  if (!placed) env.OAUTH_CLIENT_SECRET = REDACTED;
  return env;
}

/** Mask the secret wherever the user also wrote it (say, in another variable or an argument). */
function scrubAll<T>(value: T, secret: Secret): T {
  if (secret.length < 4) return value;
  return JSON.parse(redactText(JSON.stringify(value), [secret])) as T;
}

/** The object `parse-command --json` prints (serialise it with `JSON.stringify`). */
export function formatParseJson(result: ParseResult): ParseJson {
  if (!result.ok) {
    const { code, message, variable } = result.error;
    return { ok: false, error: variable === undefined ? { code, message } : { code, message, variable } };
  }
  const { spec, secret, warnings } = result;
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
        env: envWithRedactedSecret(spec),
        binds: [...spec.binds],
        args: [...spec.args],
      },
      warnings: warnings.map((w) => ({ code: w.code, message: w.message })),
    },
    secret,
  );
}

/** A human-readable summary of a parsed runner; the secret appears only as its mask. */
export function describeSpec(spec: RunnerSpec, secret?: Secret): string {
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
    ['Variables', Object.keys(spec.env).length > 0 ? Object.entries(spec.env).map(([k, v]) => `${k}=${v}`) : '(none)'],
    ['Arguments', spec.args.length > 0 ? spec.args : '(none)'],
  ];
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines: string[] = [];
  for (const [label, value] of rows) {
    const values = Array.isArray(value) ? value : [value];
    values.forEach((v, i) => lines.push(`${(i === 0 ? label : '').padEnd(width)}${v}`));
  }
  const text = lines.join('\n');
  return secret ? redactText(text, [secret]) : text;
}

/** `parse-command` without `--json`: the summary and warnings, or the error. */
export function describeParseResult(result: ParseResult): string {
  if (!result.ok) {
    const { code, message } = result.error;
    return `Error (${code}): ${message}`;
  }
  const parts = [describeSpec(result.spec, result.secret)];
  if (result.warnings.length > 0) {
    parts.push(['Warnings:', ...result.warnings.map((w) => `  - ${w.message} [${w.code}]`)].join('\n'));
  }
  return redactText(parts.join('\n\n'), [result.secret]);
}
