/**
 * What the UI sees of runners started by hand (`imports.*`): names, ids, the runner UUID and why
 * one cannot be imported. No variable's value is here, so no secret can be.
 */
import type { RunnerView } from './views.js';

export interface ImportCandidateView {
  containerId: string;
  /** Container name, without `/`. */
  name: string;
  image: string;
  /** The engine's state word (`running`, `exited`, …). */
  state: string;
  /** RUNNER_UUID from its environment (braces kept), null when it has none. */
  runnerUuid: string | null;
  /** The runner is already saved under this display name. */
  savedAs?: string;
  /** Why it cannot be imported as it is (English, secrets masked); absent when it can. */
  problem?: string;
}

/** `imports.run`'s answer: the runner as now saved and running, and the warnings a paste would have had. */
export interface ImportedRunnerView {
  runner: RunnerView;
  previousContainerId: string;
  warnings: Array<{ code: string; message: string }>;
}
