/** Service objects → the contract's view types (nothing secret can be on them; the types say so). */
import type { CurrentStepView, DiagnosisView, PlacementView, RunnerState, RunnerView, StepView } from '../../shared/contract/views.js';
import type { Diagnosis } from '../../shared/diagnostics/diagnose.js';
import { runnerState } from '../../shared/runner-state.js';
import type { Step } from '../../shared/step-log/types.js';
import type { StepDetails } from '../bitbucket/step-details.js';
import type { RunnerStatus } from '../runners/runner-service.js';
import type { RunnerSnapshot } from '../monitor/runner-monitor.js';

/**
 * The runner's state on the dashboard: `shared/runner-state`'s rule (the one `list` uses) over
 * the container and the monitor's reading of it.
 */
export function runnerStateFrom(status: RunnerStatus, snapshot: RunnerSnapshot | undefined): RunnerState {
  return runnerState(status, snapshot ? { containerId: snapshot.containerId, runnerState: snapshot.runnerState } : undefined);
}

/** What the API adds to a runner's view beyond its status and log: live figures and Bitbucket's names. */
export interface RunnerViewExtras {
  usage?: { cpuPercent?: number; memoryBytes?: number };
  stepDetails?: (step: Step) => StepDetails | undefined;
  /** A runner on a cluster: where, and its pod (the status is then the pod's, not this machine's). */
  placement?: PlacementView;
}

export function toRunnerView(status: RunnerStatus, snapshot: RunnerSnapshot | undefined, extras: RunnerViewExtras = {}): RunnerView {
  const runnerState = runnerStateFrom(status, snapshot);
  const running = status.containerState === 'running' ? snapshot?.steps.find((s) => s.state === 'RUNNING') : undefined;
  const details = running ? extras.stepDetails?.(running) : undefined;
  const currentStep: CurrentStepView | undefined = running
    ? {
        stepUuid: running.stepUuid,
        pipelineUuid: running.pipelineUuid,
        ...(details?.stepName ? { stepName: details.stepName } : {}),
        ...(details?.workspace && details.repoSlug ? { repositoryFullName: `${details.workspace}/${details.repoSlug}` } : {}),
        startedAt: running.startedAt ?? status.startedAt ?? new Date().toISOString(),
      }
    : undefined;
  const usage = status.containerState === 'running' ? extras.usage : undefined;
  return {
    uuid: status.runnerUuid,
    displayName: status.displayName,
    kind: status.kind,
    name: status.name,
    runnerState,
    containerState: status.containerState,
    ...(currentStep ? { currentStep } : {}),
    ...(status.startedAt ? { startedAt: status.startedAt } : {}),
    ...(usage?.cpuPercent !== undefined ? { cpuPercent: usage.cpuPercent } : {}),
    ...(usage?.memoryBytes !== undefined ? { memoryBytes: usage.memoryBytes } : {}),
    image: status.image,
    workingDirectory: status.workingDirectory,
    ...(status.pool ? { pool: status.pool } : {}),
    ...(extras.placement ? { placement: extras.placement } : {}),
  };
}

export function toStepView(runnerUuid: string, step: Step, details?: StepDetails): StepView {
  return {
    runnerUuid,
    stepUuid: step.stepUuid,
    pipelineUuid: step.pipelineUuid,
    repositoryUuid: step.repositoryUuid,
    state: step.state,
    ...(step.phase !== undefined && step.state === 'RUNNING' ? { phase: step.phase } : {}),
    // A step seen without a dated start line: its first sighting is the best we know.
    startedAt: step.startedAt ?? step.finishedAt ?? new Date(0).toISOString(),
    ...(step.finishedAt ? { finishedAt: step.finishedAt } : {}),
    ...(details?.workspace !== undefined ? { workspace: details.workspace } : {}),
    ...(details?.repoSlug !== undefined ? { repoSlug: details.repoSlug } : {}),
    ...(details?.buildNumber !== undefined ? { buildNumber: details.buildNumber } : {}),
    ...(details?.stepName !== undefined ? { stepName: details.stepName } : {}),
  };
}

export function toDiagnosisView(d: Diagnosis): DiagnosisView {
  return {
    code: d.code,
    message: d.message,
    fix: d.fix,
    textKey: d.textKey,
    ...(d.params ? { params: { ...d.params } } : {}),
    ...(d.container !== undefined ? { container: d.container } : {}),
    line: d.line,
    ...(d.lineNumber !== undefined ? { lineNumber: d.lineNumber } : {}),
  };
}
