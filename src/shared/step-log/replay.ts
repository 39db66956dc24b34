import { diagnose, type DiagnoseContext, type Diagnosis } from '../diagnostics/diagnose.js';
import { foldRunnerLog, initialRunnerLogState } from './fold.js';
import { LogReader, type LogReaderOptions } from './log-reader.js';
import type { FoldOptions, RunnerLogState, Step } from './types.js';

export interface ReplayOptions extends LogReaderOptions, Partial<FoldOptions> {
  /** Newest diagnoses kept. Default 100. */
  maxDiagnostics?: number;
  hostDockerVersion?: string;
  secrets?: DiagnoseContext['secrets'];
}

/**
 * Parse, diagnose and fold a runner's log in one pass — what both `steps --from-log` and
 * the live follower do per line. Feed chunks with `push`; read `state` and `diagnostics`.
 */
export class RunnerLogReplay {
  state: RunnerLogState;
  readonly #reader: LogReader;
  readonly #diagnostics: Diagnosis[] = [];
  readonly #maxDiagnostics: number;
  #context: DiagnoseContext;

  constructor(options: ReplayOptions = {}) {
    this.#reader = new LogReader(options);
    const fold: Partial<FoldOptions> = {};
    if (options.maxFinishedSteps !== undefined) fold.maxFinishedSteps = options.maxFinishedSteps;
    if (options.unhealthyAfterErrors !== undefined) fold.unhealthyAfterErrors = options.unhealthyAfterErrors;
    this.state = initialRunnerLogState(fold);
    this.#maxDiagnostics = options.maxDiagnostics ?? 100;
    this.#context = {};
    if (options.hostDockerVersion !== undefined) this.#context.hostDockerVersion = options.hostDockerVersion;
    this.setSecrets(options.secrets);
  }

  /** How later lines' `[date]` are read: the container's zone, once known. */
  setTimeZone(options: Pick<ReplayOptions, 'utcOffset' | 'timeZone'>): void {
    this.#reader.setTimeZone(options);
  }

  /**
   * Secrets redacted from later diagnoses' `line`. With none known, credential-like runs are
   * masked instead (see `DiagnoseContext.maskCredentialLike`).
   */
  setSecrets(secrets: DiagnoseContext['secrets']): void {
    const next: DiagnoseContext = { ...this.#context };
    delete next.secrets;
    delete next.maskCredentialLike;
    if (secrets && secrets.length > 0) next.secrets = secrets;
    else next.maskCredentialLike = true;
    this.#context = next;
  }

  /**
   * Keep a diagnosis found outside this log (a step container's): listed with the others, but
   * it does not fold into the runner's state.
   */
  note(d: Diagnosis): void {
    this.#diagnostics.push(d);
    if (this.#diagnostics.length > this.#maxDiagnostics) this.#diagnostics.shift();
  }

  /** Diagnoses found in this chunk, in line order (also kept, newest `maxDiagnostics`). */
  push(chunk: string): Diagnosis[] {
    return this.#consume(this.#reader.push(chunk));
  }

  end(): Diagnosis[] {
    return this.#consume(this.#reader.end());
  }

  get diagnostics(): readonly Diagnosis[] {
    return this.#diagnostics;
  }

  #consume(events: ReturnType<LogReader['push']>): Diagnosis[] {
    const found: Diagnosis[] = [];
    for (const ev of events) {
      this.state = foldRunnerLog(this.state, ev);
      const d = diagnose(ev.text, this.#context);
      if (d) {
        if (ev.lineNumber !== undefined) d.lineNumber = ev.lineNumber;
        found.push(d);
        this.state = foldRunnerLog(this.state, { kind: 'diagnosis', code: d.code });
        this.#diagnostics.push(d);
        if (this.#diagnostics.length > this.#maxDiagnostics) this.#diagnostics.shift();
      }
    }
    return found;
  }
}

/** The `steps --json` shape of one runner (issue 3): only the public fields, in a fixed order. */
export interface RunnerStepsJson {
  runnerState: RunnerLogState['runnerState'];
  steps: Array<Pick<Step, 'stepUuid' | 'pipelineUuid' | 'repositoryUuid' | 'state' | 'phase' | 'startedAt' | 'finishedAt'>>;
  /** `container` is the step container's role (`build`, `docker`, …) when the line came from one. */
  diagnostics: Array<Pick<Diagnosis, 'code' | 'message' | 'fix' | 'line' | 'lineNumber' | 'container'>>;
}

export function toStepsJson(state: RunnerLogState, diagnostics: readonly Diagnosis[]): RunnerStepsJson {
  return {
    runnerState: state.runnerState,
    steps: state.steps.map((s) => {
      const out: RunnerStepsJson['steps'][number] = {
        stepUuid: s.stepUuid,
        pipelineUuid: s.pipelineUuid,
        repositoryUuid: s.repositoryUuid,
        state: s.state,
        startedAt: s.startedAt,
      };
      if (s.phase !== undefined) out.phase = s.phase;
      if (s.finishedAt !== undefined) out.finishedAt = s.finishedAt;
      return out;
    }),
    diagnostics: diagnostics.map((d) => {
      const out: RunnerStepsJson['diagnostics'][number] = { code: d.code, message: d.message, fix: d.fix, line: d.line };
      if (d.lineNumber !== undefined) out.lineNumber = d.lineNumber;
      if (d.container !== undefined) out.container = d.container;
      return out;
    }),
  };
}
