/**
 * What the UI is allowed to see. None of these types has a field that can hold a
 * runner's OAuth client secret or a Bitbucket API token; the compiler keeps it so.
 */
import type { ParseErrorCode, ParseWarning, RunnerKind } from '../runner-command/types.js';
import type { ContractError } from './result.js';

import type { ContainerState, RunnerState } from '../runner-state.js';

export type { ContainerState, RunnerState } from '../runner-state.js';
export { RUNNER_STATES } from '../runner-state.js';

/**
 * `RUNNING`, or the runner's own result word once the step ends (`PASSED`,
 * `FAILED`, `ERROR`, `STOPPED`, …), as `shared/step-log` folds it. Open-ended
 * because runner versions add words; the UI shows unknown words as they are.
 */
export type StepState = 'RUNNING' | (string & {});

export interface CurrentStepView {
  stepUuid: string;
  pipelineUuid: string;
  /** e.g. `Build and test`, when Bitbucket is connected. */
  stepName?: string;
  /** `workspace/repo_slug`, when known. */
  repositoryFullName?: string;
  startedAt: string;
}

export interface RunnerView {
  /** Braces kept: `{…}`. */
  uuid: string;
  displayName: string;
  kind: RunnerKind;
  /** Container name. */
  name: string;
  runnerState: RunnerState;
  containerState: ContainerState;
  currentStep?: CurrentStepView;
  /** ISO-8601, when the container last started. */
  startedAt?: string;
  cpuPercent?: number;
  memoryBytes?: number;
  image: string;
  workingDirectory: string;
  /** Where it runs when not on this machine (a cluster); absent: here. */
  placement?: PlacementView;
  /** The pool that made it; absent for a runner the user added. */
  pool?: string;
}

/** A runner on a Kubernetes cluster: where, and its pod as the API server reports it. */
export interface PlacementView {
  type: 'kubernetes';
  context: string;
  server: string;
  namespace: string;
  workload: 'deployment' | 'job';
  appliedAt: string;
  /** The runner's pod now; null when none exists (yet) or the cluster did not answer (see `problem`). */
  pod: { name: string; phase: string; ready: boolean; restarts: number; node: string | null; lastTermination: string | null } | null;
  /** The cluster's answer in plain words when it could not be read (unreachable, expired credentials, forbidden). */
  problem: string | null;
}

/**
 * `runners.add`'s answer. The runner is saved even when "start now" then fails (no image, Docker
 * away): the error comes with the saved runner, so the form can close and the runner's item say it.
 */
export interface AddedRunnerView extends StartedRunnerView {
  startError?: ContractError;
}

/**
 * `runners.start`'s answer. A runner that is already running is not restarted when its settings
 * changed (a step in progress would be killed): `pendingRestart` says the running container still
 * has the old settings until it is stopped and started, `notice` says so in words (English, for scripts).
 */
/** `runners.create`'s answer: the runner as a paste would have saved it, and how Bitbucket sees it (no secret). */
export interface CreatedRunnerView extends AddedRunnerView {
  bitbucket: { status: string; labels: string[]; scope: 'workspace' | 'repository' };
  /** Worth a look, in plain words (the parser's and the store's warnings). */
  warnings: Array<{ code: string; message: string }>;
}

export interface StartedRunnerView extends RunnerView {
  pendingRestart?: true;
  notice?: string;
}

export interface StepView {
  runnerUuid: string;
  stepUuid: string;
  pipelineUuid: string;
  repositoryUuid: string;
  state: StepState;
  /** Runner phase while running, e.g. `CLONING`, `BUILD`, `TEARDOWN`. */
  phase?: string;
  startedAt: string;
  finishedAt?: string;
  /** Filled in from Bitbucket when connected; the step link needs all three. */
  workspace?: string;
  repoSlug?: string;
  buildNumber?: number;
  stepName?: string;
}

export interface QueuedStepView {
  stepUuid: string;
  pipelineUuid: string;
  workspace: string;
  repoSlug: string;
  buildNumber: number;
  stepName: string;
  /** The step's `runs-on` labels. */
  runsOn: string[];
  queuedAt: string;
}

export interface QueuedView {
  /** False when Bitbucket is not connected; `steps` is then empty. */
  connected: boolean;
  steps: QueuedStepView[];
  /** Our runners as Bitbucket sees them, asked in the same poll round; absent when not connected or not asked yet. */
  runners?: BitbucketRunnersView;
}

/** Bitbucket's `state.status`; open-ended, shown as it comes when new. */
export type BitbucketRunnerStatusWord = 'ONLINE' | 'OFFLINE' | 'UNREGISTERED' | 'DISABLED' | 'ENABLED' | 'UNHEALTHY' | 'UNKNOWN' | (string & {});

export interface BitbucketRunnerStatusView {
  uuid: string;
  /** The name given in Bitbucket. */
  name: string;
  labels: string[];
  status: BitbucketRunnerStatusWord;
  /** Bitbucket reports a step on it. */
  busy: boolean;
  scope: 'workspace' | 'repository';
  /** When Bitbucket last heard of its state. */
  updatedOn?: string;
}

export interface BitbucketRunnersView {
  /** Ours that Bitbucket lists. */
  listed: BitbucketRunnerStatusView[];
  /** UUIDs of ours Bitbucket does not list (deleted there, or in another workspace). */
  missing: string[];
  /** Set when Bitbucket could not be asked for runners this round (the steps may still be current). */
  error?: string;
}

export interface LogLine {
  /**
   * 1-based, the service's count of the runner's log lines since it began following the runner
   * (its start-up read of at most the last 5,000 lines included), continued across restarts;
   * `DiagnosisView.lineNumber` is the same count, so a diagnosis names its line here.
   */
  n: number;
  text: string;
  /** ISO-8601 when the engine timestamped it. */
  at?: string;
}

export interface DiagnosisView {
  code: string;
  /** In English; `textKey` + `params` let the UI say it in the user's language (`localizedDiagnosis`). */
  message: string;
  /** A command or instruction the user can copy. */
  fix: string;
  /** Key into the shared diagnosis text tables (`DIAGNOSIS_TEXT`, `DIAGNOSIS_TEXT_PL`). */
  textKey?: string;
  /** Values for the text's `{{name}}` placeholders. */
  params?: Record<string, string>;
  /** The step container's role (`build`, `docker`, a service name) when the line came from one, not the runner. */
  container?: string;
  line: string;
  lineNumber?: number;
}

export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface PreflightFindingView {
  id: string;
  status: FindingStatus;
  message: string;
  fix?: string;
}

export interface PreflightView {
  findings: PreflightFindingView[];
}

/** The parsed runner, as much as the form needs: no env values (they may hold credentials). */
export interface ParsedRunnerView {
  kind: RunnerKind;
  runnerUuid: string;
  accountUuid: string;
  repositoryUuid: string | null;
  name: string;
  image: string;
  oauthClientId: string;
  workingDirectory: string;
  envNames: string[];
  binds: string[];
}

export type ParsedCommandView =
  | {
      valid: true;
      runner: ParsedRunnerView;
      /** Bullets of the same length as the secret, never a character of it. */
      secretMasked: string;
      secretLength: number;
      warnings: ParseWarning[];
      /** Set when a runner with this UUID is already saved: saving replaces its secret. */
      existing: { displayName: string } | null;
    }
  | { valid: false; error: { code: ParseErrorCode; message: string; variable?: string } };

export type ThemeChoice = 'system' | 'light' | 'dark';
export type LanguageChoice = 'auto' | 'en' | 'pl';

export interface BitbucketStatusView {
  connected: boolean;
  workspace?: string;
  /** Atlassian account e-mail used with the API token. */
  email?: string;
  /** `workspace/repo_slug` list whose queued steps are shown. */
  watchedRepositories: string[];
}

export interface SettingsView {
  language: LanguageChoice;
  theme: ThemeChoice;
  notifications: boolean;
  bitbucket: BitbucketStatusView;
}

export interface ClipboardOfferView {
  /** False where the host cannot read the clipboard (headless dashboard). */
  available: boolean;
  /** A runner command found there, redacted; null when the clipboard holds none. */
  offer: { preview: string; runnerUuid: string; kind: RunnerKind } | null;
}

/** A parsed clipboard command kept by the service; `runners.add` takes the draft id, so the secret never reaches the UI. */
export interface ClipboardDraftView {
  draftId: string;
  parsed: ParsedCommandView;
}

export interface LogSubscriptionView {
  subscriptionId: string;
  /** The last lines before the subscription, oldest first; further lines come as `logs.lines` events. */
  backlog: LogLine[];
  diagnoses: DiagnosisView[];
}

/**
 * The host's start-up problems, for the banner, the Doctor screen and the tray: each says what is
 * wrong and the fix. Messages are ours (socket paths, keyring errors), never a secret.
 */
export interface HostStatusView {
  engine: {
    connected: boolean;
    /** Why there is no engine (where we looked); absent when connected. */
    problem?: string;
    fix?: string;
  };
  vault: {
    /** The backend secrets go to: the choice in RUNNER_TRAY_VAULT, settings, or the default. */
    backend: 'keyring' | 'file' | 'safe-storage';
    usable: boolean;
    problem?: string;
    fix?: string;
    /** RUNNER_TRAY_VAULT decides; the window cannot change it. */
    fixedByEnvironment: boolean;
  };
}
