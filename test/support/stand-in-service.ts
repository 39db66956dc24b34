/**
 * A stand-in for the lead's `main/api` handler table, for renderer tests where
 * Docker and Bitbucket are not the point: runners live in memory, state changes
 * are pushed like the real services push them. The parser and the request
 * schemas are the real ones.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { looksLikeRunnerCommand, parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { redactPaste } from '../../src/shared/runner-command/mask.js';
import { createStandInPools, type StandInPools } from './stand-in-pools.js';
import {
  toParsedCommandView,
  type ContractEvent,
  type ContractHandlers,
  type ErrorCode,
  type LogLine,
  type PreflightView,
  type BitbucketRunnersView,
  type QueuedStepView,
  type RunnerView,
  type SettingsView,
  type StartedRunnerView,
  type StepView,
  type ImportCandidateView,
} from '../../src/shared/contract/index.js';

export class StandInFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface StandInService {
  handlers: ContractHandlers;
  events: EventEmitter<{ event: [ContractEvent] }>;
  emit(event: ContractEvent): void;
  /** Every secret the service was given, for tests that check none comes back. */
  secretsSeen: string[];
  runners: Map<string, RunnerView>;
  steps: StepView[];
  queued: QueuedStepView[];
  /** Bitbucket's view of our runners, as `steps.queued` returns it while connected. */
  bitbucketRunners: BitbucketRunnersView | undefined;
  preflight: PreflightView;
  /** The newest log subscription handed out (the page may subscribe twice under React's StrictMode). */
  lastSubscriptionId: string | undefined;
  /** Lines the next `runners.logs.subscribe` returns as backlog. */
  logBacklog: LogLine[];
  settings: SettingsView;
  /** When set, starting a runner fails with this (as a missing image or Docker would). */
  startFailure: { code: ErrorCode; message: string } | undefined;
  /**
   * The system clipboard's text, as the desktop host reads it; undefined is the headless
   * dashboard, which has no clipboard. Answered as the real `clipboard.*` handlers answer.
   */
  clipboardText: string | undefined;
  /** Runner containers started by hand, as `imports.list` returns them; `imports.run` turns one into a runner. */
  importCandidates: ImportCandidateView[];
  /** Runner pools (`pools.*`), with the real add/edit rules. */
  pools: StandInPools;
}

export function createStandInService(): StandInService {
  const events = new EventEmitter<{ event: [ContractEvent] }>();
  const runners = new Map<string, RunnerView>();
  const secrets = new Map<string, string>();
  const secretsSeen: string[] = [];
  const changedWhileRunning = new Set<string>();
  /** Clipboard drafts: id → the command read, kept here like the real service keeps the parse. */
  const drafts = new Map<string, string>();
  let nextSub = 1;
  let nextDraft = 1;
  const emit = (event: ContractEvent) => events.emit('event', event);
  const pools = createStandInPools(emit, (code, message) => new StandInFailure(code, message));

  const service: StandInService = {
    events,
    emit,
    secretsSeen,
    runners,
    steps: [],
    queued: [],
    bitbucketRunners: undefined,
    preflight: { findings: [] },
    lastSubscriptionId: undefined,
    logBacklog: [],
    startFailure: undefined,
    clipboardText: undefined,
    importCandidates: [],
    pools,
    settings: {
      language: 'auto',
      theme: 'system',
      notifications: true,
      bitbucket: { connected: false, watchedRepositories: [] },
    },
    handlers: {
      async 'runners.list'() {
        return [...runners.values()];
      },
      async 'runners.parseCommand'({ command }) {
        const parsed = parseRunnerCommand(command);
        if (parsed.ok) secretsSeen.push(parsed.secret.reveal());
        const known = parsed.ok ? runners.get(parsed.spec.runnerUuid) : undefined;
        return toParsedCommandView(parsed, known ? { displayName: known.displayName } : null);
      },
      async 'runners.add'(req) {
        const command = req.command ?? (req.draftId !== undefined ? drafts.get(req.draftId) : undefined);
        if (command === undefined) throw new StandInFailure('NOT_FOUND', 'No clipboard draft with that id; read the clipboard again.');
        if (req.draftId !== undefined) drafts.delete(req.draftId);
        const parsed = parseRunnerCommand(command);
        if (!parsed.ok) throw new StandInFailure('INVALID_INPUT', parsed.error.message);
        const { spec } = parsed;
        secretsSeen.push(parsed.secret.reveal());
        const known = runners.get(spec.runnerUuid);
        if (known && !req.replaceExisting) {
          throw new StandInFailure('CONFLICT', `Runner ${spec.runnerUuid} is already saved as "${known.displayName}"; confirm replacing its secret.`);
        }
        secrets.set(spec.runnerUuid, parsed.secret.reveal());
        // As the real service: a running container keeps its old settings until restarted.
        if (known && known.containerState === 'running') changedWhileRunning.add(spec.runnerUuid);
        const view: RunnerView = {
          uuid: spec.runnerUuid,
          displayName: req.displayName || known?.displayName || spec.name,
          kind: spec.kind,
          name: spec.name,
          runnerState: 'STOPPED',
          containerState: 'missing',
          image: spec.image,
          workingDirectory: req.workingDirectory ?? spec.workingDirectory,
          ...(known && known.containerState === 'running'
            ? { runnerState: known.runnerState, containerState: known.containerState, ...(known.startedAt ? { startedAt: known.startedAt } : {}) }
            : {}),
        };
        runners.set(view.uuid, view);
        if (req.startNow) {
          try {
            return start(view.uuid);
          } catch (e) {
            // As the real handler: saved all the same, with the start's error beside it.
            emit({ type: 'runner.changed', runner: view });
            if (e instanceof StandInFailure) return { ...view, startError: { code: e.code, message: e.message } };
            throw e;
          }
        }
        emit({ type: 'runner.changed', runner: view });
        return view;
      },
      async 'runners.create'(req) {
        // As the real handler: Bitbucket must be connected; the secret never comes back (there is none here).
        if (!service.settings.bitbucket.connected) throw new StandInFailure('BITBUCKET_NOT_CONNECTED', 'Bitbucket is not connected.');
        const uuid = `{${randomUUID()}}`;
        const view: RunnerView = {
          uuid,
          displayName: req.name,
          kind: req.repository ? 'repository' : 'workspace',
          name: `runner-${uuid.slice(1, -1)}`,
          runnerState: 'STOPPED',
          containerState: 'missing',
          image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
          workingDirectory: req.workingDirectory ?? '/tmp',
        };
        runners.set(uuid, view);
        const bitbucket = { status: 'UNREGISTERED', labels: ['self.hosted', 'linux', ...req.labels], scope: view.kind };
        if (req.startNow) return { ...start(uuid), bitbucket, warnings: [] };
        emit({ type: 'runner.changed', runner: view });
        return { ...view, bitbucket, warnings: [] };
      },
      async 'runners.start'({ runnerUuid }) {
        return start(runnerUuid);
      },
      async 'runners.stop'({ runnerUuid, force }) {
        const r = get(runnerUuid);
        refuseDuringStep(r, force);
        changedWhileRunning.delete(runnerUuid);
        const { startedAt: _s, cpuPercent: _c, memoryBytes: _m, currentStep: _cs, ...rest } = r;
        return { ...update({ ...rest, runnerState: 'STOPPED', containerState: 'exited' }), removedStepContainers: r.currentStep ? 1 : 0 };
      },
      async 'runners.remove'({ runnerUuid, force }) {
        const r = get(runnerUuid);
        refuseDuringStep(r, force);
        runners.delete(runnerUuid);
        secrets.delete(runnerUuid);
        emit({ type: 'runner.removed', runnerUuid });
        return { runnerUuid, removed: true, removedStepContainers: r.currentStep ? 1 : 0 };
      },
      async 'runners.logs.subscribe'({ runnerUuid }) {
        get(runnerUuid);
        service.lastSubscriptionId = `sub-${nextSub++}`;
        return { subscriptionId: service.lastSubscriptionId, backlog: service.logBacklog, diagnoses: [] };
      },
      async 'runners.logs.unsubscribe'({ subscriptionId }) {
        return { subscriptionId, unsubscribed: true };
      },
      async 'steps.list'({ runnerUuid }) {
        return service.steps.filter((s) => runnerUuid === undefined || s.runnerUuid === runnerUuid);
      },
      async 'steps.queued'() {
        if (!service.settings.bitbucket.connected) return { connected: false, steps: [] };
        return { connected: true, steps: service.queued, ...(service.bitbucketRunners ? { runners: service.bitbucketRunners } : {}) };
      },
      async 'host.preflight'() {
        return service.preflight;
      },
      async 'host.status'() {
        return { engine: { connected: true }, vault: { backend: 'file' as const, usable: true, fixedByEnvironment: true } };
      },
      async 'host.useVault'() {
        throw Object.assign(new Error('RUNNER_TRAY_VAULT=file is set for the stand-in service.'), { code: 'VAULT_CONFIG' });
      },
      async 'settings.get'() {
        return service.settings;
      },
      async 'settings.update'(patch) {
        const { watchedRepositories, ...rest } = patch;
        service.settings = {
          ...service.settings,
          ...rest,
          bitbucket: { ...service.settings.bitbucket, ...(watchedRepositories ? { watchedRepositories } : {}) },
        };
        emit({ type: 'settings.changed', settings: service.settings });
        return service.settings;
      },
      async 'bitbucket.connect'({ workspace, email, apiToken }) {
        secretsSeen.push(apiToken);
        service.settings = { ...service.settings, bitbucket: { ...service.settings.bitbucket, connected: true, workspace, email } };
        emit({ type: 'queued.changed', connected: true, steps: service.queued });
        return service.settings.bitbucket;
      },
      async 'bitbucket.disconnect'() {
        const { watchedRepositories } = service.settings.bitbucket;
        service.settings = { ...service.settings, bitbucket: { connected: false, watchedRepositories } };
        return service.settings.bitbucket;
      },
      async 'clipboard.peek'() {
        const text = service.clipboardText;
        // The headless dashboard cannot read the server's clipboard.
        if (text === undefined) return { available: false, offer: null };
        const parsed = looksLikeRunnerCommand(text) ? parseRunnerCommand(text) : null;
        if (!parsed?.ok) return { available: true, offer: null };
        return { available: true, offer: { preview: redactPaste(text), runnerUuid: parsed.spec.runnerUuid, kind: parsed.spec.kind } };
      },
      async 'clipboard.read'() {
        const text = service.clipboardText;
        if (text === undefined) throw new StandInFailure('CLIPBOARD_UNAVAILABLE', 'The dashboard cannot read the clipboard; paste the command into the box.');
        const parsed = parseRunnerCommand(text);
        const draftId = `draft-${nextDraft++}`;
        if (parsed.ok) {
          drafts.set(draftId, text);
          secretsSeen.push(parsed.secret.reveal());
        }
        const known = parsed.ok ? runners.get(parsed.spec.runnerUuid) : undefined;
        return { draftId, parsed: toParsedCommandView(parsed, known ? { displayName: known.displayName } : null) };
      },
      async 'imports.list'() {
        return service.importCandidates;
      },
      async 'imports.run'({ containerId }) {
        const c = service.importCandidates.find((x) => x.containerId === containerId);
        if (!c || !c.runnerUuid || c.problem) throw new StandInFailure('NOT_FOUND', `No runner container started by hand matches "${containerId}".`);
        service.importCandidates = service.importCandidates.filter((x) => x !== c);
        const runner: RunnerView = {
          uuid: c.runnerUuid,
          displayName: c.name,
          kind: 'workspace',
          name: c.name,
          runnerState: 'STARTING',
          containerState: 'running',
          image: c.image,
          workingDirectory: '/tmp',
        };
        update(runner);
        return { runner, previousContainerId: containerId, warnings: [] };
      },
      ...pools.handlers,
      // Kubernetes, shaped like handlers/kubernetes.ts over one made-up context; the dashboard may not reveal.
      async 'kubernetes.contexts'() {
        return { contexts: [{ name: 'stand-in', server: 'https://127.0.0.1:6443', current: true }] };
      },
      async 'kubernetes.preview'(req) {
        const r = get(req.runnerUuid);
        const namespace = req.namespace ?? 'bitbucket-runner';
        return {
          runnerUuid: r.uuid,
          yaml: `apiVersion: v1\nkind: Secret\nmetadata:\n  namespace: ${namespace}\nstringData:\n  oauthClientSecret: •••••••• (hidden)\n`,
          factsFrom: 'context "stand-in" (https://127.0.0.1:6443)',
          context: req.context ?? 'stand-in',
          namespace,
          kind: req.kind ?? 'deployment',
          dind: { image: 'docker:20.10.24-dind', reason: "matches the nodes' Docker" },
          notes: [],
          maskedKeys: ['oauthClientSecret'],
          revealable: false,
          revealHint: `On the host, run: runner-tray k8s export ${r.uuid} --out -`,
        };
      },
      async 'kubernetes.reveal'(req) {
        throw new StandInFailure('CONFLICT', `On the host, run: runner-tray k8s export ${req.runnerUuid} --out -`);
      },
      async 'kubernetes.move'(req) {
        const r = get(req.runnerUuid);
        refuseDuringStep(r, req.force);
        const { currentStep: _step, ...rest } = r;
        const placement = {
          type: 'kubernetes' as const,
          context: req.context ?? 'stand-in',
          server: 'https://127.0.0.1:6443',
          namespace: req.namespace ?? 'bitbucket-runner',
          workload: req.kind ?? 'deployment',
          appliedAt: new Date().toISOString(),
          pod: null,
          problem: null,
        };
        const runner = update({ ...rest, runnerState: 'STOPPED', containerState: 'missing', placement });
        return {
          runner,
          cluster: `context "${placement.context}" (${placement.server})`,
          namespace: placement.namespace,
          namespaceCreated: true,
          localRemoved: true,
          dind: { image: 'docker:20.10.24-dind', reason: "matches the nodes' Docker" },
          notes: [],
        };
      },
      async 'kubernetes.bringBack'({ runnerUuid }) {
        const { placement: _gone, ...rest } = get(runnerUuid);
        runners.set(runnerUuid, { ...rest, containerState: 'exited', runnerState: 'STOPPED' });
        return start(runnerUuid);
      },
    },
  };

  function get(uuid: string): RunnerView {
    const r = runners.get(uuid);
    if (!r) throw new StandInFailure('NOT_FOUND', `No runner ${uuid}. It may have been removed; reload the list.`);
    return r;
  }
  /** As RunnerLifecycle does: a runner on a step is stopped only when the user confirmed. */
  function refuseDuringStep(r: RunnerView, force: boolean): void {
    if (r.currentStep && !force) throw new StandInFailure('STEP_RUNNING', `Runner ${r.uuid}: a step is running: stopping fails it.`);
  }
  function update(view: RunnerView): RunnerView {
    runners.set(view.uuid, view);
    emit({ type: 'runner.changed', runner: view });
    return view;
  }
  function start(uuid: string): StartedRunnerView {
    if (service.startFailure) throw new StandInFailure(service.startFailure.code, service.startFailure.message);
    const current = get(uuid);
    if (current.containerState === 'running') {
      // Not restarted: a step may be running. Said as the real service says it.
      if (!changedWhileRunning.has(uuid)) return current;
      return {
        ...current,
        pendingRestart: true,
        notice: `Runner ${uuid}: settings and secret replaced, the running container still has the old ones; stop and start the runner to apply them.`,
      };
    }
    const r = update({ ...get(uuid), runnerState: 'STARTING', containerState: 'running', startedAt: new Date().toISOString() });
    setTimeout(() => {
      const now = runners.get(uuid);
      if (now?.runnerState === 'STARTING') update({ ...now, runnerState: 'ONLINE', cpuPercent: 1.4, memoryBytes: 312 * 1024 * 1024 });
    }, 300);
    return r;
  }

  return service;
}
