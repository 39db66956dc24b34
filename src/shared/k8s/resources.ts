/**
 * Memory from the step size, as Bitbucket sizes self-hosted steps: 1x, 2x, 4x, 8x = 4, 8, 16, 32 GB
 * for the build (whose containers run inside the dind sidecar), plus 1 GB for the docker service
 * and 512 MB for the runner itself. Requests equal limits: a step is not evicted for a neighbour.
 */
import { K8sOptionError } from './names.js';
import type { ResourceRequirements } from './types.js';

export type StepSize = '1x' | '2x' | '4x' | '8x';
export const STEP_SIZES: readonly StepSize[] = ['1x', '2x', '4x', '8x'];
const BUILD_GB: Record<StepSize, number> = { '1x': 4, '2x': 8, '4x': 16, '8x': 32 };
export const DOCKER_SERVICE_GB = 1;
export const RUNNER_MEMORY = '512Mi';

export function checkStepSize(size: string): StepSize {
  if (!(STEP_SIZES as readonly string[]).includes(size)) {
    throw new K8sOptionError(`--size "${size}" is not a step size: use ${STEP_SIZES.join(', ')} (4, 8, 16 or 32 GB for the build).`);
  }
  return size as StepSize;
}

export function buildMemoryGb(size: StepSize): number {
  return BUILD_GB[size];
}

/** The dind sidecar holds the build's containers and the docker service. */
export function dindResources(size: StepSize): ResourceRequirements {
  const memory = `${BUILD_GB[size] + DOCKER_SERVICE_GB}Gi`;
  // One CPU per 4 GB, as Atlassian's autoscaler template; no CPU limit (throttling only slows a build).
  const cpu = String(BUILD_GB[size] / 4);
  return { requests: { memory, cpu }, limits: { memory } };
}

export function runnerResources(): ResourceRequirements {
  return { requests: { memory: RUNNER_MEMORY, cpu: '250m' }, limits: { memory: RUNNER_MEMORY } };
}
