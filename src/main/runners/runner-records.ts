/** A runner's stored settings as `add` builds them: its working directory and what it shares with others. */
import { mkdir } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { RunnerSpec } from '../../shared/runner-command/types.js';
import { bare, perRunnerWorkDir, withWorkDir } from '../../shared/runner-spec.js';
import type { RunnerRecord, RunnerStore } from '../settings/types.js';
import { RunnerError } from './errors.js';
import type { AddOptions, SharedWorkDirWarning } from './runner-types.js';

/** The stored runner with this UUID (braces and case aside). */
export function findRecord(records: readonly RunnerRecord[], uuid: string): RunnerRecord | undefined {
  return records.find((r) => bare(r.spec.runnerUuid) === bare(uuid));
}

/** Other runners that would share this spec's working directory, with the per-runner dir to use instead. */
export function sharedWorkDirWarnings(spec: RunnerSpec, records: readonly RunnerRecord[]): SharedWorkDirWarning[] {
  const sharing = records.filter((r) => bare(r.spec.runnerUuid) !== bare(spec.runnerUuid) && r.spec.workingDirectory === spec.workingDirectory);
  if (sharing.length === 0) return [];
  const suggestedWorkDir = perRunnerWorkDir(spec.runnerUuid);
  return [
    {
      code: 'SHARED_WORKING_DIRECTORY',
      message:
        `Runner ${spec.runnerUuid} would share its working directory ${spec.workingDirectory} with ` +
        `${sharing.map((r) => r.spec.runnerUuid).join(', ')}; steps of the two runners can clash there. ` +
        `Add it with a directory of its own: --work-dir ${suggestedWorkDir}`,
      suggestedWorkDir,
    },
  ];
}

/**
 * The spec with the working directory asked for (created), or, when re-adding without one, the
 * runner's own per-runner directory kept.
 */
export async function withChosenWorkDir(spec: RunnerSpec, options: AddOptions, existing: RunnerRecord | undefined): Promise<RunnerSpec> {
  const uuid = spec.runnerUuid;
  if (options.workDir !== undefined) {
    const dir = options.workDir === 'auto' ? perRunnerWorkDir(uuid) : options.workDir;
    if (!isAbsolute(dir) || !dir.startsWith('/')) {
      throw new RunnerError('WORK_DIR_FAILED', `The working directory must be an absolute path such as ${perRunnerWorkDir(uuid)}; got "${dir}".`, uuid);
    }
    try {
      await mkdir(dir, { recursive: true });
    } catch (e) {
      throw new RunnerError('WORK_DIR_FAILED', `Could not create the working directory ${dir}: ${(e as Error).message}. Choose another --work-dir.`, uuid);
    }
    return withWorkDir(spec, dir);
  }
  if (existing && existing.spec.workingDirectory === perRunnerWorkDir(uuid) && spec.workingDirectory !== existing.spec.workingDirectory) {
    // Rotating a secret re-pastes the wizard's command (WORKING_DIRECTORY=/tmp): keep the runner's own dir.
    return withWorkDir(spec, existing.spec.workingDirectory);
  }
  return spec;
}

export function alreadyAdded(existing: RunnerRecord, uuid: string): RunnerError {
  return new RunnerError(
    'RUNNER_EXISTS',
    `Runner ${uuid} is already added (as "${existing.displayName}"). To rotate its secret or change its ` +
      'settings, add the command again with --replace; to run it, `runner-tray start ' +
      uuid +
      '`.',
    uuid,
  );
}

/**
 * Sets (an ISO time) or clears (undefined) the runner's recorded user stop, on the record as
 * settings hold it now; returns what it was. A runner removed meanwhile is left removed.
 */
export function recordStop(store: RunnerStore, uuid: string, stoppedAt: string | undefined): string | undefined {
  const current = store.get(uuid);
  if (!current) return undefined;
  const before = current.stoppedAt;
  if (before === stoppedAt) return before;
  const { stoppedAt: _old, ...rest } = current;
  store.put(stoppedAt === undefined ? rest : { ...rest, stoppedAt });
  return before;
}
