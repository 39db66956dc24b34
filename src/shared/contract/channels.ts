/**
 * The one map of request channels between the services and the UI. Each channel
 * has a zod request schema (checked at runtime by the service side, whatever the
 * transport) and a response type. Adding a feature = one entry here, one handler
 * in `main/api`, one use in the renderer; the transports are not edited per channel.
 */
import { z } from 'zod';
import { checkDisplayName } from '../display-name.js';
import type {
  AddedRunnerView,
  BitbucketStatusView,
  ClipboardDraftView,
  ClipboardOfferView,
  CreatedRunnerView,
  HostStatusView,
  LogSubscriptionView,
  ParsedCommandView,
  PreflightView,
  QueuedView,
  RunnerView,
  SettingsView,
  StartedRunnerView,
  StepView,
} from './views.js';
import type { ImportCandidateView, ImportedRunnerView } from './import-views.js';
import type { PoolView } from './pool-views.js';
import { poolRequests, type RemovedPoolView } from './pool-requests.js';
import type { KubeContextsView, ManifestPreviewView, MovedRunnerView, RevealedManifestView } from './kubernetes-views.js';

const BRACED_UUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

export const runnerUuidSchema = z.string().regex(BRACED_UUID, 'must be a runner UUID in braces, like {8d3c…-…}, as Bitbucket shows it');

const noFields = z.strictObject({});
const byRunner = z.strictObject({ runnerUuid: runnerUuidSchema });
/** `force`: go ahead while the runner runs a step (refused with STEP_RUNNING otherwise, for the UI to ask). */
const byRunnerForced = z.strictObject({ runnerUuid: runnerUuidSchema, force: z.boolean().default(false) });

/** Longest paste we accept: a real runner command is ~700 characters. */
const MAX_COMMAND_LENGTH = 20_000;
const commandText = z
  .string()
  .min(1, 'is empty: paste the command from Bitbucket (Repository or Workspace settings → Runners → Add runner)')
  .max(MAX_COMMAND_LENGTH, `is longer than ${MAX_COMMAND_LENGTH} characters; paste only the "docker container run" command`);

const REPOSITORY_FULL_NAME = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** The display-name rule of shared/display-name.ts, as the schema's check (the CLI's `--name` uses the same). */
const displayName = z.string().transform((raw, ctx) => {
  const checked = checkDisplayName(raw);
  if (checked.ok) return checked.name;
  ctx.addIssue({ code: 'custom', message: checked.message });
  return z.NEVER;
});

/** Where and how a runner goes to a cluster; every field has the CLI's default (`k8s apply`). */
const clusterTarget = {
  runnerUuid: runnerUuidSchema,
  /** kubeconfig context; absent: the kubeconfig's current one. */
  context: z.string().trim().min(1).max(253).optional(),
  namespace: z
    .string()
    .trim()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a namespace name: lowercase letters, digits and "-", like bitbucket-runner')
    .max(63)
    .optional(),
  kind: z.enum(['deployment', 'job']).optional(),
  size: z.enum(['1x', '2x', '4x', '8x']).optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
};

export const channels = {
  'runners.list': noFields,
  'runners.parseCommand': z.strictObject({ command: commandText }),
  'runners.add': z
    .strictObject({
      /** The pasted text; or… */
      command: commandText.optional(),
      /** …a draft from `clipboard.read`, so the secret stays in the service. */
      draftId: z.string().min(1).optional(),
      displayName: displayName.optional(),
      /** Absolute host path; host path == container path for the runner's bind mount. */
      workingDirectory: z
        .string()
        .trim()
        .regex(/^(\/|[A-Za-z]:\\)/, 'must be an absolute path, like /tmp or /srv/runner-1')
        .optional(),
      startNow: z.boolean().default(true),
      /** Required to rotate the secret of a runner that is already saved. */
      replaceExisting: z.boolean().default(false),
    })
    .refine((r) => (r.command === undefined) !== (r.draftId === undefined), {
      message: 'give either "command" (the pasted text) or "draftId" (from clipboard.read), not both',
      path: ['command'],
    }),
  /** Made through Bitbucket's API (no paste): its one-time secret goes into the vault, never to the caller. */
  'runners.create': z.strictObject({
    /** Default: the connected workspace. */
    workspace: z.string().trim().min(1).max(200).optional(),
    /** A repository slug of the workspace: a repository runner. */
    repository: z.string().trim().max(200).optional(),
    name: displayName,
    labels: z.array(z.string().trim().min(1).max(100)).max(20).default([]),
    /** An absolute host path, or `auto` (one of its own under the data directory). */
    workingDirectory: z
      .string()
      .trim()
      .regex(/^(\/|auto$)/, 'must be an absolute path, like /tmp/runner-tray/build-1, or "auto"')
      .optional(),
    startNow: z.boolean().default(true),
  }),
  'runners.start': byRunner,
  'runners.stop': byRunnerForced,
  /** `inBitbucket`: delete it in Bitbucket too (first, so a failure here can be retried). */
  'runners.remove': z.strictObject({ runnerUuid: runnerUuidSchema, force: z.boolean().default(false), inBitbucket: z.boolean().default(false) }),
  'runners.logs.subscribe': z.strictObject({
    runnerUuid: runnerUuidSchema,
    /** How many earlier lines to send back at once. */
    tail: z.number().int().min(0).max(200_000).default(5_000),
  }),
  'runners.logs.unsubscribe': z.strictObject({ subscriptionId: z.string().min(1) }),
  'steps.list': z.strictObject({ runnerUuid: runnerUuidSchema.optional() }),
  'steps.queued': noFields,
  'host.preflight': noFields,
  'host.status': noFields,
  /** The user's explicit vault choice (never automatic); remembered in settings. */
  'host.useVault': z.strictObject({ backend: z.enum(['file', 'keyring']) }),
  'settings.get': noFields,
  'settings.update': z.strictObject({
    language: z.enum(['auto', 'en', 'pl']).optional(),
    theme: z.enum(['system', 'light', 'dark']).optional(),
    notifications: z.boolean().optional(),
    watchedRepositories: z.array(z.string().trim().regex(REPOSITORY_FULL_NAME, 'must be "workspace/repo_slug"')).max(100).optional(),
  }),
  'bitbucket.connect': z.strictObject({
    workspace: z.string().trim().min(1, 'is empty: give the workspace ID from bitbucket.org/<workspace>'),
    email: z
      .string()
      .trim()
      .regex(/^[^@\s]+@[^@\s]+$/, 'must be your Atlassian account e-mail'),
    /** Goes once to the service, which keeps it in the vault only. */
    apiToken: z.string().min(1, 'is empty: create one at id.atlassian.com → Security → API tokens'),
  }),
  'bitbucket.disconnect': noFields,
  'clipboard.peek': noFields,
  'clipboard.read': noFields,
  /** Runner containers started by hand (not ours) on this engine. */
  'imports.list': noFields,
  /** Take one over: secret into the vault, recreated as ours; the old one goes once the new one runs. */
  'imports.run': z.strictObject({ containerId: z.string().trim().min(1, 'is empty: give the container id from imports.list').max(200) }),
  /** Runner pools (`pool add`): listed with the controllers' last view, added, edited, removed (retiring their runners). */
  ...poolRequests,
  /** The kubeconfig's contexts: names and servers only, never credentials. */
  'kubernetes.contexts': noFields,
  /** The YAML `kubernetes.move` would apply, secret values masked. */
  'kubernetes.preview': z.strictObject(clusterTarget),
  /** The same YAML unmasked, on the user's explicit request; refused where the host does not allow it (serve without --allow-reveal). */
  'kubernetes.reveal': z.strictObject(clusterTarget),
  /** Apply to the cluster; this machine's container is stopped and removed first (STEP_RUNNING mid-step unless `force`). */
  'kubernetes.move': z.strictObject({ ...clusterTarget, force: z.boolean().default(false) }),
  /** Delete the workload and its Secret, then start the local container again. */
  'kubernetes.bringBack': byRunnerForced,
} as const;

export type Channel = keyof typeof channels;
export const CHANNELS = Object.keys(channels) as Channel[];

/** What the caller sends (defaults may be left out). */
export type RequestOf<C extends Channel> = z.input<(typeof channels)[C]>;
/** What the handler receives after validation (defaults filled in). */
export type ValidRequestOf<C extends Channel> = z.output<(typeof channels)[C]>;

export interface ChannelResponses {
  'runners.list': RunnerView[];
  'runners.parseCommand': ParsedCommandView;
  'runners.add': AddedRunnerView;
  'runners.create': CreatedRunnerView;
  'runners.start': StartedRunnerView;
  /** `removedStepContainers`: the runner's step containers removed after it stopped. */
  'runners.stop': RunnerView & { removedStepContainers: number };
  /** `bitbucket`: what happened there, when `inBitbucket` was asked. */
  'runners.remove': { runnerUuid: string; removed: true; removedStepContainers: number; bitbucket?: 'deleted' | 'already-gone' };
  'runners.logs.subscribe': LogSubscriptionView;
  'runners.logs.unsubscribe': { subscriptionId: string; unsubscribed: true };
  'steps.list': StepView[];
  'steps.queued': QueuedView;
  'host.preflight': PreflightView;
  'host.status': HostStatusView;
  'host.useVault': HostStatusView;
  'settings.get': SettingsView;
  'settings.update': SettingsView;
  'bitbucket.connect': BitbucketStatusView;
  'bitbucket.disconnect': BitbucketStatusView;
  'clipboard.peek': ClipboardOfferView;
  'clipboard.read': ClipboardDraftView;
  'imports.list': ImportCandidateView[];
  'imports.run': ImportedRunnerView;
  'pools.list': PoolView[];
  'pools.add': PoolView;
  'pools.edit': PoolView;
  'pools.remove': RemovedPoolView;
  'kubernetes.contexts': KubeContextsView;
  'kubernetes.preview': ManifestPreviewView;
  'kubernetes.reveal': RevealedManifestView;
  'kubernetes.move': MovedRunnerView;
  'kubernetes.bringBack': StartedRunnerView;
}

export type ResponseOf<C extends Channel> = ChannelResponses[C];

/** The shape `main/api` implements: one async function per channel, given an already validated request. */
export type ContractHandlers = {
  [C in Channel]: (request: ValidRequestOf<C>) => Promise<ResponseOf<C>>;
};

export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name);
}
