import { z } from 'zod';
import { SECRET_ENV_NAME } from '../../shared/runner-command/mask.js';
import { REDACTED } from '../../shared/secret.js';
import { checkDisplayName, cleanStoredDisplayName } from '../../shared/display-name.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import type { RunnerRecord } from './types.js';
import { SettingsError } from './errors.js';

export const SETTINGS_VERSION = 1;

const braceUuid = z.string().regex(/^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i, 'must be a UUID in braces, {xxxxxxxx-…}');
const nonEmpty = z.string().trim().min(1, 'must not be empty');

const runnerSpecSchema = z.strictObject({
  kind: z.enum(['workspace', 'repository']),
  accountUuid: braceUuid,
  repositoryUuid: braceUuid.nullable(),
  runnerUuid: braceUuid,
  // Docker's own rule for container names.
  name: z.string().regex(/^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, 'must be a valid Docker container name'),
  image: nonEmpty,
  oauthClientId: nonEmpty,
  workingDirectory: nonEmpty,
  env: z.record(z.string(), z.string()),
  binds: z.array(z.string()),
  args: z.array(z.string()),
});

// Where a runner runs when not on this machine (`k8s apply`); absent: here. No credentials: the
// kubeconfig stays the user's, only the context's name and server are kept, for messages.
const placementSchema = z.strictObject({
  type: z.literal('kubernetes'),
  context: nonEmpty,
  server: nonEmpty,
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name')
    .max(63),
  workload: z.enum(['deployment', 'job']),
  appliedAt: z.iso.datetime({ offset: true }),
});

const runnerRecordSchema = z.strictObject({
  spec: runnerSpecSchema,
  // Older versions stored any text: cleaned (never refused, so the file still loads), then held to the one rule.
  displayName: z
    .string()
    .transform(cleanStoredDisplayName)
    .superRefine((name, ctx) => {
      const checked = checkDisplayName(name);
      if (!checked.ok) ctx.addIssue({ code: 'custom', message: checked.message });
    }),
  addedAt: z.iso.datetime({ offset: true }),
  // Names only (values are in the vault): Docker's env-name rule, so a value can never hide here.
  vaultEnv: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name')).optional(),
  placement: placementSchema.optional(),
  /** The pool that made it (`pool add`); absent for a runner the user added. */
  pool: z.string().optional(),
  /**
   * ISO-8601 of the user's last stop (cleared by a start): a runner that is down without one was
   * not stopped by the user (engine killed, host crash) and is shown CRASHED and restarted.
   */
  stoppedAt: z.iso.datetime({ offset: true }).optional(),
});

const POOL_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Bitbucket's custom runner labels: lowercase letters, digits, "." and "-" (self.hosted and linux are implied).
const POOL_LABEL = /^[a-z0-9][a-z0-9.-]*$/;
const count = z.number().int().min(0);

// A pool of runners this app makes and retires itself (`pool add`). Sizes in ms, as PoolSpec has them.
const poolSchema = z
  .strictObject({
    name: z.string().regex(POOL_NAME, 'must be lowercase letters, digits and "-", like ci or build-arm').max(40),
    workspace: z.string().regex(/^[a-z0-9_-]+$/, 'must be a Bitbucket workspace ID (lowercase letters, digits, - and _)'),
    repository: z
      .string()
      .regex(/^[a-z0-9_.-]+$/i, 'must be a repository slug')
      .optional(),
    labels: z.array(z.string().regex(POOL_LABEL, 'must be a runner label: lowercase letters, digits, "." and "-"')).max(10),
    min: count.max(100),
    max: count.min(1, 'must be at least 1').max(100, 'must be at most 100: Bitbucket allows 100 runners per workspace'),
    idle: count.max(100),
    coolDownMs: count,
    startTimeoutMs: z.number().int().min(1_000),
    on: z.enum(['docker', 'kubernetes']),
    size: z.enum(['1x', '2x', '4x', '8x']),
    /** As `add --work-dir` for docker pools: an absolute directory (each runner gets its own below it) or absent for auto. */
    workDir: z.string().regex(/^\//, 'must be an absolute path').optional(),
    kubernetes: z
      .strictObject({
        context: nonEmpty.optional(),
        namespace: z
          .string()
          .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name')
          .max(63),
        /** The runner and dind images' pull policy; absent: Always (a cluster without a registry needs IfNotPresent or Never). */
        imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
      })
      .optional(),
    createdAt: z.iso.datetime({ offset: true }),
  })
  .superRefine((p, ctx) => {
    if (p.min > p.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `is ${p.min}, above max ${p.max}` });
    if (p.on === 'kubernetes' && p.kubernetes === undefined)
      ctx.addIssue({ code: 'custom', path: ['kubernetes'], message: 'is required for a pool on kubernetes (its namespace)' });
  });

const bitbucketSchema = z.strictObject({
  workspace: z.string().regex(/^[a-z0-9_-]+$/, 'must be a Bitbucket workspace ID (lowercase letters, digits, - and _)'),
  email: z.email().optional(),
  authKind: z.enum(['basic', 'bearer']),
  watchedRepositories: z.array(nonEmpty),
});

const uiSchema = z.strictObject({
  language: z.enum(['en', 'pl']).optional(),
  theme: z.enum(['system', 'light', 'dark']).optional(),
  /** Desktop notifications (step failed, runner crashed / back online); absent means on. */
  notifications: z.boolean().optional(),
});

export const settingsSchema = z
  .strictObject({
    version: z.literal(SETTINGS_VERSION),
    runners: z.array(runnerRecordSchema),
    bitbucket: bitbucketSchema.optional(),
    ui: uiSchema.optional(),
    /** The vault the user chose (window or `runner-tray vault use`); RUNNER_TRAY_VAULT still wins. */
    vault: z.enum(['keyring', 'file']).optional(),
    /**
     * Since when user stops are recorded (`stoppedAt`): set by the first long-running host of a
     * version that records them, which takes every runner already down then as stopped by the user.
     */
    stopsRecordedSince: z.iso.datetime({ offset: true }).optional(),
    pools: z.array(poolSchema).optional(),
  })
  .superRefine((s, ctx) => {
    const pools = new Set<string>();
    (s.pools ?? []).forEach((p, i) => {
      if (pools.has(p.name)) ctx.addIssue({ code: 'custom', path: ['pools', i, 'name'], message: `duplicates another pool (${p.name})` });
      pools.add(p.name);
    });
    const seen = new Set<string>();
    s.runners.forEach((r, i) => {
      const id = r.spec.runnerUuid.toLowerCase();
      if (seen.has(id)) {
        ctx.addIssue({ code: 'custom', path: ['runners', i, 'spec', 'runnerUuid'], message: `duplicates another runner (${r.spec.runnerUuid})` });
      }
      seen.add(id);
    });
  });

export type Settings = z.infer<typeof settingsSchema>;
export type BitbucketSettings = NonNullable<Settings['bitbucket']>;
export type UiSettings = NonNullable<Settings['ui']>;
export type PoolSettings = z.infer<typeof poolSchema>;

// Keeps the zod schema and the RunnerRecord interface the runner service uses in step.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const recordsMatch: Same<z.infer<typeof runnerRecordSchema>, RunnerRecord> = true;
void recordsMatch;
const poolsMatch: Same<PoolSettings, PoolConfig> = true;
void poolsMatch;

/**
 * What the settings validator says about one pool, by field (empty: valid), so `pool add` and
 * `pools.add` can name the flag or field; the write itself still goes through validateSettings.
 */
export function poolIssues(pool: unknown): Array<{ path: PropertyKey[]; message: string }> {
  const result = poolSchema.safeParse(pool);
  return result.success ? [] : result.error.issues.map((i) => ({ path: i.path, message: i.message }));
}

/** Names that mean "this holds a credential". Checked on every key, env names included. */
// The parser's rule: a variable it moves to the vault is exactly one settings would refuse.
const SECRET_NAME = SECRET_ENV_NAME;

/**
 * The one validator every write goes through (ours and conf's `serialize`).
 * Returns the parsed settings or throws SETTINGS_INVALID naming each bad field.
 * Messages name paths and rules, never values: a misplaced secret must not reach a log.
 */
export function validateSettings(value: unknown): Settings {
  const problems = findSecretLookingFields(value);
  if (problems.length === 0) {
    const result = settingsSchema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) problems.push(`${formatPath(issue.path)}: ${issue.message}`);
  }
  throw new SettingsError('SETTINGS_INVALID', `Settings not saved: ${problems.join('; ')}.`);
}

function findSecretLookingFields(value: unknown, at: PropertyKey[] = [], out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => findSecretLookingFields(v, [...at, i], out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      const here = [...at, k];
      if (SECRET_NAME.test(k)) {
        out.push(`${formatPath(here)} looks like a secret; secrets belong in the vault (OS keyring or secrets.json), never in settings.json`);
      } else {
        findSecretLookingFields(v, here, out);
      }
    }
  } else if (value === REDACTED) {
    // A Secret that went through JSON.stringify: storing it would silently lose the real value.
    out.push(`${formatPath(at)} holds the redaction marker ${REDACTED}: a secret was stringified instead of going to the vault`);
  }
  return out;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(settings)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}
