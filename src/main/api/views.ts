/** Service objects → the contract's view types (nothing secret can be on them; the types say so). */
import type { CurrentStepView, DiagnosisView, RunnerState, RunnerView, StepView } from '../../shared/contract/views.js';
import type { Diagnosis } from '../../shared/diagnostics/diagnose.js';
import type { Step } from '../../shared/step-log/types.js';
import type { RunnerStatus } from '../runners/runner-service.js';
import type { RunnerSnapshot } from '../steps/steps-service.js';

/**
 * The live follower knows the runner's state from its log; without it (the container is not
 * running, or the follower has not seen it yet) the container's state is all we have.
 */
export function runnerStateFrom(status: RunnerStatus, snapshot: RunnerSnapshot | undefined): RunnerState {
  switch (status.containerState) {
    case 'running':
      return snapshot && snapshot.containerId === status.containerId ? snapshot.runnerState : 'STARTING';
    case 'restarting':
      return snapshot?.runnerState === 'CRASHED' ? 'CRASHED' : 'STARTING';
    case 'exited':
    case 'dead':
      if (snapshot?.runnerState === 'CRASHED') return 'CRASHED';
      return status.exitCode !== null && status.exitCode !== 0 ? 'CRASHED' : 'STOPPED';
    default:
      return 'STOPPED';
  }
}

export function toRunnerView(status: RunnerStatus, snapshot: RunnerSnapshot | undefined): RunnerView {
  const runnerState = runnerStateFrom(status, snapshot);
  const running = status.containerState === 'running' ? snapshot?.steps.find((s) => s.state === 'RUNNING') : undefined;
  const currentStep: CurrentStepView | undefined = running
    ? { stepUuid: running.stepUuid, pipelineUuid: running.pipelineUuid, startedAt: running.startedAt ?? status.startedAt ?? new Date().toISOString() }
    : undefined;
  return {
    uuid: status.runnerUuid,
    displayName: status.displayName,
    kind: status.kind,
    name: status.name,
    runnerState,
    containerState: status.containerState,
    ...(currentStep ? { currentStep } : {}),
    ...(status.startedAt ? { startedAt: status.startedAt } : {}),
    image: status.image,
    workingDirectory: status.workingDirectory,
  };
}

export function toStepView(runnerUuid: string, step: Step): StepView {
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
  };
}

export function toDiagnosisView(d: Diagnosis): DiagnosisView {
  return { code: d.code, message: d.message, fix: d.fix, line: d.line, ...(d.lineNumber !== undefined ? { lineNumber: d.lineNumber } : {}) };
}
