/**
 * Request schemas of the `pools.*` channels (the dashboard's Pools screen). They check shapes
 * only: the rules (name, labels, 1 ≤ max ≤ 100, min ≤ max, a namespace for kubernetes…) are the
 * settings validator's, so the CLI's `pool add` and the dashboard give the same words.
 * Durations are in seconds here, as `PoolView` shows them; the CLI's `5m` becomes seconds too.
 */
import { z } from 'zod';

const count = z.number().int('must be a whole number');
const seconds = z.number().int('must be a whole number of seconds').min(0, 'must not be negative');

/** Everything a pool has, each optional: `pools.add` fills in defaults, `pools.edit` keeps what is left out. */
const poolFields = {
  /** Workspace ID (slug); absent: the connected workspace. */
  workspace: z.string().trim().min(1, 'is empty: give the workspace ID from bitbucket.org/<workspace>').optional(),
  /** Repository slug for repository runners; null (edit): make it a workspace pool. */
  repository: z.string().trim().min(1, 'is empty: give a repository slug, or null for workspace runners').nullable().optional(),
  labels: z.array(z.string().trim()).optional(),
  min: count.optional(),
  max: count.optional(),
  idle: count.optional(),
  coolDownSeconds: seconds.optional(),
  startTimeoutSeconds: seconds.optional(),
  on: z.enum(['docker', 'kubernetes']).optional(),
  size: z.enum(['1x', '2x', '4x', '8x']).optional(),
  /** Docker pools: absolute directory for the runners' working directories; null: automatic. */
  workDir: z.string().trim().nullable().optional(),
  /** Kubernetes pools: namespace and kubeconfig context (null: the current one). */
  namespace: z.string().trim().optional(),
  context: z.string().trim().nullable().optional(),
  /** Kubernetes pools: the pods' image pull policy; null (edit): back to Always. */
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).nullable().optional(),
};

const poolName = z.string().trim().min(1, 'is empty: give the pool a name, like ci');

export const poolRequests = {
  'pools.list': z.strictObject({}),
  'pools.add': z.strictObject({ name: poolName, ...poolFields, max: count }),
  'pools.edit': z.strictObject({ name: poolName, ...poolFields }),
  /** `force`: go ahead while pool runners run steps (they are retired once their steps end). */
  'pools.remove': z.strictObject({ name: poolName, force: z.boolean().default(false) }),
} as const;

export type PoolFieldsRequest = z.output<(typeof poolRequests)['pools.edit']>;

/** What `pools.remove` answers: runners retired now, and busy ones retired once their step ends. */
export interface RemovedPoolView {
  name: string;
  removed: true;
  retired: number;
  waitingForSteps: number;
}
