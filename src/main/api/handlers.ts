/**
 * The handler table: every contract channel implemented over the services. Requests arrive
 * already validated (see `dispatch.ts`); errors are thrown as the services throw them and
 * mapped to contract errors in one place. Nothing returned here can hold a secret: the views
 * have no such field, and a pasted command goes to the parser and the runner service only.
 */
import { randomUUID } from 'node:crypto';
import type Docker from 'dockerode';
import type { ContractHandlers, ValidRequestOf } from '../../shared/contract/channels.js';
import type { Step } from '../../shared/step-log/types.js';
import { toParsedCommandView } from '../../shared/contract/parsed-view.js';
import type { AddedRunnerView, BitbucketStatusView, PreflightView, RunnerView, SettingsView, StartedRunnerView, StepView } from '../../shared/contract/views.js';
import { preflight, type HostFacts } from '../../shared/preflight/index.js';
import { looksLikeRunnerCommand, parseRunnerCommand, redactPaste, type ParseResult } from '../../shared/runner-command/index.js';
import { bare } from '../../shared/runner-spec.js';
import { Secret } from '../../shared/secret.js';
import { connectBitbucket, disconnectBitbucket } from '../bitbucket/connection.js';
import type { RunnerService, RunnerStatus, StartResult } from '../runners/runner-service.js';
import type { SettingsStore } from '../settings/settings-store.js';
import type { RunnerMonitor } from '../monitor/runner-monitor.js';
import type { SecretVault } from '../vault/types.js';
import type { ApiEvents } from './api-events.js';
import { ApiError, toContractError } from './contract-errors.js';
import type { LogSubscriptions } from './log-subscriptions.js';
import type { QueuedSource } from './queued-source.js';
import { toRunnerView, toStepView } from './views.js';

export interface HandlerDeps {
  runners: RunnerService;
  steps: RunnerMonitor;
  docker: Docker;
  settings: SettingsStore;
  vault: SecretVault;
  events: ApiEvents;
  logs: LogSubscriptions;
  queued: QueuedSource;
  /** What `host.preflight` judges; gathered by the host side (engine, disks, memory). */
  hostFacts: () => Promise<HostFacts>;
  /** Desktop only: the system clipboard. The headless dashboard has none. */
  clipboard?: { readText(): Promise<string> };
  /** Bitbucket API base (tests point it at a stand-in). */
  bitbucketBaseUrl?: string;
  /** A runner's view with what the API adds (live CPU/memory, step names); default: status and log only. */
  toRunnerView?: (status: RunnerStatus) => RunnerView;
  /** A step's view with Bitbucket's names; default: what the log says. */
  toStepView?: (runnerUuid: string, step: Step) => StepView;
}

/** A clipboard draft lives this long; the user accepts the offer or pastes by hand meanwhile. */
const DRAFT_TTL_MS = 10 * 60_000;

export function createHandlers(deps: HandlerDeps): ContractHandlers {
  const drafts = new Map<string, { parsed: ParseResult; expires: number }>();
  const viewOf = deps.toRunnerView ?? ((status: RunnerStatus) => toRunnerView(status, deps.steps.snapshot(status.runnerUuid)));
  const stepViewOf = deps.toStepView ?? toStepView;

  async function runnerView(runner: string): Promise<RunnerView> {
    return viewOf(await deps.runners.status(runner));
  }

  function existingOf(parsed: ParseResult): { displayName: string } | null {
    if (!parsed.ok) return null;
    const known = findRecord(parsed.spec.runnerUuid);
    return known ? { displayName: known.displayName } : null;
  }

  function findRecord(runnerUuid: string) {
    try {
      return deps.runners.resolve(runnerUuid);
    } catch {
      return undefined;
    }
  }

  function settingsView(): SettingsView {
    const s = deps.settings.get();
    return {
      language: s.ui?.language ?? 'auto',
      theme: s.ui?.theme ?? 'system',
      notifications: s.ui?.notifications ?? true,
      bitbucket: bitbucketView(),
    };
  }

  function bitbucketView(): BitbucketStatusView {
    const b = deps.settings.get().bitbucket;
    if (!b) return { connected: false, watchedRepositories: [] };
    return { connected: true, workspace: b.workspace, ...(b.email ? { email: b.email } : {}), watchedRepositories: [...b.watchedRepositories] };
  }

  function announceSettings(): SettingsView {
    const view = settingsView();
    deps.events.emit({ type: 'settings.changed', settings: view });
    return view;
  }

  function takeDraft(draftId: string): ParseResult {
    const now = Date.now();
    for (const [id, d] of drafts) if (d.expires < now) drafts.delete(id);
    const draft = drafts.get(draftId);
    if (!draft) throw new ApiError('NOT_FOUND', 'That clipboard command is no longer held (it expired or was used); copy it again or paste it into the box.');
    drafts.delete(draftId);
    return draft.parsed;
  }

  async function add(req: ValidRequestOf<'runners.add'>): Promise<AddedRunnerView> {
    const parsed = req.draftId !== undefined ? takeDraft(req.draftId) : parseRunnerCommand(req.command ?? '');
    if (!parsed.ok) throw new ApiError('INVALID_INPUT', parsed.error.message);
    const known = findRecord(parsed.spec.runnerUuid);
    if (known && !req.replaceExisting) {
      throw new ApiError(
        'CONFLICT',
        `Runner ${parsed.spec.runnerUuid} is already saved as "${known.displayName}". Tick "replace its secret" to save the new secret (rotation), or cancel.`,
      );
    }
    const result = await deps.runners.add(parsed, {
      replace: req.replaceExisting,
      ...(req.displayName ? { displayName: req.displayName } : {}),
      ...(req.workingDirectory ? { workDir: req.workingDirectory } : {}),
    });
    const uuid = result.record.spec.runnerUuid;
    if (req.startNow) {
      let started: StartResult;
      try {
        started = await deps.runners.start(uuid);
      } catch (e) {
        deps.events.pullEnded(uuid, (e as Error).message);
        // Saved all the same: failing the whole call would leave the form open, and saving again is a CONFLICT.
        return { ...(await runnerView(uuid)), startError: toContractError(e) };
      }
      return withPendingRestart(await runnerView(uuid), started);
    }
    // Not started: a running container still has the replaced settings, which the service warned of.
    const pending = result.warnings.find((w) => w.code === 'PENDING_RESTART');
    return withPendingRestart(await runnerView(uuid), { pendingRestart: pending !== undefined, ...(pending ? { notice: pending.message } : {}) });
  }

  return {
    async 'runners.list'() {
      const statuses = await deps.runners.list();
      return statuses.map((s) => viewOf(s));
    },

    async 'runners.parseCommand'({ command }) {
      const parsed = parseRunnerCommand(command);
      return toParsedCommandView(parsed, existingOf(parsed));
    },

    'runners.add': add,

    async 'runners.start'({ runnerUuid }) {
      let started: StartResult;
      try {
        started = await deps.runners.start(runnerUuid);
      } catch (e) {
        deps.events.pullEnded(runnerUuid, (e as Error).message);
        throw e;
      }
      deps.steps.supervisor.reset(runnerUuid);
      return withPendingRestart(await runnerView(runnerUuid), started);
    },

    async 'runners.stop'({ runnerUuid }) {
      await deps.runners.stop(runnerUuid);
      deps.steps.supervisor.reset(runnerUuid);
      return runnerView(runnerUuid);
    },

    async 'runners.remove'({ runnerUuid }) {
      const { runnerUuid: removed } = await deps.runners.remove(runnerUuid);
      deps.steps.supervisor.reset(removed);
      return { runnerUuid: removed, removed: true as const };
    },

    async 'runners.logs.subscribe'({ runnerUuid, tail }) {
      return deps.logs.subscribe(runnerUuid, tail);
    },

    async 'runners.logs.unsubscribe'({ subscriptionId }) {
      deps.logs.unsubscribe(subscriptionId);
      return { subscriptionId, unsubscribed: true as const };
    },

    async 'steps.list'({ runnerUuid }) {
      const wanted = runnerUuid === undefined ? undefined : bare(runnerUuid);
      const out: StepView[] = [];
      for (const snap of deps.steps.snapshot()) {
        if (wanted !== undefined && bare(snap.runnerUuid) !== wanted) continue;
        for (const step of snap.steps) out.push(stepViewOf(snap.runnerUuid, step));
      }
      // Running first, then newest first: what the user is waiting for at the top.
      return out.sort((a, b) => Number(b.state === 'RUNNING') - Number(a.state === 'RUNNING') || b.startedAt.localeCompare(a.startedAt));
    },

    async 'steps.queued'() {
      return deps.queued.view();
    },

    async 'host.preflight'(): Promise<PreflightView> {
      const report = preflight(await deps.hostFacts());
      return { findings: report.findings.map((f) => ({ id: f.id, status: f.status, message: f.message, ...(f.fix ? { fix: f.fix } : {}) })) };
    },

    async 'settings.get'() {
      return settingsView();
    },

    async 'settings.update'(patch) {
      const ui: { language?: 'en' | 'pl'; theme?: 'system' | 'light' | 'dark'; notifications?: boolean } = { ...(deps.settings.get().ui ?? {}) };
      if (patch.language === 'auto') delete ui.language;
      else if (patch.language !== undefined) ui.language = patch.language;
      if (patch.theme !== undefined) ui.theme = patch.theme;
      if (patch.notifications !== undefined) ui.notifications = patch.notifications;
      deps.settings.update({ ui: Object.keys(ui).length > 0 ? ui : null });
      if (patch.watchedRepositories !== undefined) {
        const b = deps.settings.get().bitbucket;
        if (!b) throw new ApiError('CONFLICT', 'Watched repositories need a Bitbucket connection: connect Bitbucket in Settings first.');
        deps.settings.update({ bitbucket: { ...b, watchedRepositories: patch.watchedRepositories } });
        await deps.queued.reload();
      }
      return announceSettings();
    },

    async 'bitbucket.connect'({ workspace, email, apiToken }) {
      await connectBitbucket(
        { vault: deps.vault, store: deps.settings.bitbucket(), ...(deps.bitbucketBaseUrl ? { baseUrl: deps.bitbucketBaseUrl } : {}) },
        { workspace, email, token: new Secret(apiToken) },
      );
      await deps.queued.reload();
      return announceSettings().bitbucket;
    },

    async 'bitbucket.disconnect'() {
      await disconnectBitbucket({ vault: deps.vault, store: deps.settings.bitbucket() });
      await deps.queued.reload();
      return announceSettings().bitbucket;
    },

    async 'clipboard.peek'() {
      if (!deps.clipboard) return { available: false, offer: null };
      const text = await deps.clipboard.readText();
      if (!looksLikeRunnerCommand(text)) return { available: true, offer: null };
      const parsed = parseRunnerCommand(text);
      if (!parsed.ok) return { available: true, offer: null };
      return { available: true, offer: { preview: redactPaste(text), runnerUuid: parsed.spec.runnerUuid, kind: parsed.spec.kind } };
    },

    async 'clipboard.read'() {
      if (!deps.clipboard) {
        throw new ApiError('CLIPBOARD_UNAVAILABLE', 'This dashboard cannot read your clipboard (it runs on the server); paste the command into the box instead.');
      }
      const parsed = parseRunnerCommand(await deps.clipboard.readText());
      const draftId = randomUUID();
      if (parsed.ok) drafts.set(draftId, { parsed, expires: Date.now() + DRAFT_TTL_MS });
      return { draftId, parsed: toParsedCommandView(parsed, existingOf(parsed)) };
    },
  };
}

function withPendingRestart(view: RunnerView, started: Pick<StartResult, 'pendingRestart' | 'notice'>): StartedRunnerView {
  if (!started.pendingRestart) return view;
  return { ...view, pendingRestart: true, ...(started.notice ? { notice: started.notice } : {}) };
}
