/**
 * STAND-IN for the state objects of Bitbucket's pipelines and steps (`pipeline_state_*`,
 * `pipeline_step_state_*`, as the pipelines API returns them), and the moves a step makes once
 * Bitbucket hands it to a runner: PENDING → IN_PROGRESS → COMPLETED with a result, its pipeline
 * following (IN_PROGRESS while any step runs or waits, COMPLETED with the worst result after).
 */

export type StepStateName = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED';
export type StepResult = 'SUCCESSFUL' | 'FAILED' | 'ERROR' | 'STOPPED' | 'NOT_RUN';
export type PipelineStateName = 'PENDING' | 'IN_PROGRESS' | 'COMPLETED';
export type PipelineResult = 'SUCCESSFUL' | 'FAILED' | 'ERROR' | 'STOPPED';

export function pipelineState(p: { state: PipelineStateName; stage?: string; result?: PipelineResult }): Record<string, unknown> {
  if (p.state === 'PENDING') return { type: 'pipeline_state_pending', name: 'PENDING' };
  if (p.state === 'IN_PROGRESS') {
    const stage = p.stage ?? 'RUNNING';
    return { type: 'pipeline_state_in_progress', name: 'IN_PROGRESS', stage: { type: `pipeline_state_in_progress_${stage.toLowerCase()}`, name: stage } };
  }
  const result = p.result ?? 'SUCCESSFUL';
  return { type: 'pipeline_state_completed', name: 'COMPLETED', result: { type: `pipeline_state_completed_${result.toLowerCase()}`, name: result } };
}

export function stepState(s: { state: StepStateName; result?: StepResult }): Record<string, unknown> {
  if (s.state === 'PENDING') return { type: 'pipeline_step_state_pending', name: 'PENDING' };
  if (s.state === 'IN_PROGRESS') return { type: 'pipeline_step_state_in_progress', name: 'IN_PROGRESS' };
  const result = s.result ?? 'SUCCESSFUL';
  return { type: 'pipeline_step_state_completed', name: 'COMPLETED', result: { type: `pipeline_step_state_completed_${result.toLowerCase()}`, name: result } };
}

/** A step's state name (`PENDING`, …) as stored in its JSON. */
export function stateNameOf(record: Record<string, unknown>): string | undefined {
  return (record.state as { name?: string } | undefined)?.name;
}

function resultOf(record: Record<string, unknown>): string | undefined {
  return (record.state as { result?: { name?: string } } | undefined)?.result?.name;
}

const WORST: PipelineResult[] = ['ERROR', 'FAILED', 'STOPPED'];

/**
 * Moves one step (its JSON in `steps`) and its pipeline's JSON as Bitbucket would. Timestamps:
 * `started_on` when the step starts, `completed_on` and `duration_in_seconds` when it ends.
 */
export function moveStep(
  pipeline: Record<string, unknown>,
  steps: Array<Record<string, unknown>>,
  stepUuid: string,
  to: { state: StepStateName; result?: StepResult },
  now: Date = new Date(),
): void {
  const step = steps.find((s) => s.uuid === stepUuid);
  if (!step) throw new Error(`stand-in: pipeline ${String(pipeline.uuid)} has no step ${stepUuid}`);
  step.state = stepState(to);
  if (to.state === 'IN_PROGRESS') step.started_on = now.toISOString();
  if (to.state === 'COMPLETED') {
    step.completed_on = now.toISOString();
    const started = typeof step.started_on === 'string' ? Date.parse(step.started_on) : now.getTime();
    step.duration_in_seconds = Math.round((now.getTime() - started) / 1000);
  }
  const names = steps.map(stateNameOf);
  if (names.every((n) => n === 'COMPLETED')) {
    const results = steps.map(resultOf);
    const worst = WORST.find((w) => results.includes(w)) ?? 'SUCCESSFUL';
    pipeline.state = pipelineState({ state: 'COMPLETED', result: worst });
    pipeline.completed_on = now.toISOString();
  } else if (names.some((n) => n === 'IN_PROGRESS' || n === 'COMPLETED')) {
    pipeline.state = pipelineState({ state: 'IN_PROGRESS', stage: 'RUNNING' });
  } else {
    pipeline.state = pipelineState({ state: 'PENDING' });
  }
}

/** A step waiting for a runner, with what a runner needs to run it (the UUIDs of its log lines). */
export interface WaitingStandinStep {
  workspace: string;
  workspaceUuid: string;
  repoSlug: string;
  repositoryUuid: string;
  pipelineUuid: string;
  buildNumber: number;
  stepUuid: string;
  name: string;
  /** Its pipeline's `created_on`. */
  createdOn: string;
  /** The `runs_on` labels its JSON shows, or null when it shows none. */
  runsOn: string[] | null;
}

/** The PENDING, not manual steps of one repository's pipelines (their JSON as served). */
export function waitingStepsOf(
  repo: Pick<WaitingStandinStep, 'workspace' | 'workspaceUuid' | 'repoSlug' | 'repositoryUuid'>,
  pipelines: ReadonlyArray<Record<string, unknown>>,
  steps: ReadonlyMap<string, ReadonlyArray<Record<string, unknown>>>,
): WaitingStandinStep[] {
  return pipelines.flatMap((pipeline) =>
    (steps.get(pipeline.uuid as string) ?? [])
      .filter((s) => stateNameOf(s) === 'PENDING' && (s.trigger as { type?: string } | undefined)?.type !== 'pipeline_step_trigger_manual')
      .map((s) => ({
        ...repo,
        pipelineUuid: pipeline.uuid as string,
        buildNumber: pipeline.build_number as number,
        stepUuid: s.uuid as string,
        name: s.name as string,
        createdOn: pipeline.created_on as string,
        runsOn: Array.isArray(s.runs_on) ? (s.runs_on as string[]) : null,
      })),
  );
}
