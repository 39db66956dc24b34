/**
 * Step views with Bitbucket's words in them. Building a view never waits for Bitbucket: it uses
 * what is known now and, when something is missing, asks the resolver in the background; once
 * the answer adds something, `onResolved` lets the API push the step (and its runner) again.
 * The resolver caches per repository, pipeline and step, so asking again is free.
 */
import type { StepView } from '../../shared/contract/views.js';
import type { Step } from '../../shared/step-log/types.js';
import type { StepDetails, StepDetailsResolver } from '../bitbucket/step-details.js';
import { toStepView } from './views.js';

export interface StepDetailsSourceDeps {
  resolver: Pick<StepDetailsResolver, 'peek' | 'resolve'>;
  onResolved: (runnerUuid: string, stepUuid: string) => void;
}

export class StepDetailsSource {
  readonly #deps: StepDetailsSourceDeps;
  readonly #inFlight = new Set<string>();

  constructor(deps: StepDetailsSourceDeps) {
    this.#deps = deps;
  }

  details(runnerUuid: string, step: Pick<Step, 'stepUuid' | 'pipelineUuid' | 'repositoryUuid' | 'accountUuid'>): StepDetails | undefined {
    const known = this.#deps.resolver.peek(step.stepUuid);
    if (!complete(known)) this.#ask(runnerUuid, step, known);
    return known;
  }

  view(runnerUuid: string, step: Step): StepView {
    return toStepView(runnerUuid, step, this.details(runnerUuid, step));
  }

  #ask(runnerUuid: string, step: Pick<Step, 'stepUuid' | 'pipelineUuid' | 'repositoryUuid' | 'accountUuid'>, known: StepDetails | undefined): void {
    if (this.#inFlight.has(step.stepUuid) || !step.repositoryUuid || !step.pipelineUuid) return;
    this.#inFlight.add(step.stepUuid);
    void this.#deps.resolver
      .resolve({
        ...(step.accountUuid ? { accountUuid: step.accountUuid } : {}),
        repositoryUuid: step.repositoryUuid,
        pipelineUuid: step.pipelineUuid,
        stepUuid: step.stepUuid,
      })
      .then((found) => {
        if (!same(found, known)) this.#deps.onResolved(runnerUuid, step.stepUuid);
      })
      .finally(() => this.#inFlight.delete(step.stepUuid));
  }
}

function complete(d: StepDetails | undefined): boolean {
  return d !== undefined && d.workspace !== undefined && d.repoSlug !== undefined && d.buildNumber !== undefined && d.stepName !== undefined;
}

function same(a: StepDetails | undefined, b: StepDetails | undefined): boolean {
  return a?.workspace === b?.workspace && a?.repoSlug === b?.repoSlug && a?.buildNumber === b?.buildNumber && a?.stepName === b?.stepName;
}
