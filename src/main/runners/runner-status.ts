/** A runner's status: its stored record joined with what `docker inspect` says of its container. */
import type Docker from 'dockerode';
import type { ContainerState } from '../../shared/contract/views.js';
import { inspectContainer, listRunnerContainers, type RunnerContainer } from '../docker/runner-containers.js';
import type { RunnerRecord } from '../settings/types.js';
import type { RunnerStatus } from './runner-types.js';

/** What a runner's status takes from its container. */
export interface ContainerFacts {
  id: string;
  state: ContainerState;
  startedAt: string | null;
  exitCode: number | null;
  restartCount: number;
}

const CONTAINER_STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/** The container's facts; null when it is gone. */
export async function containerFacts(docker: Docker, id: string): Promise<ContainerFacts | null> {
  const info = await inspectContainer(docker, id);
  if (!info) return null;
  const status = info.State.Status as ContainerState;
  return {
    id: info.Id,
    state: CONTAINER_STATES.includes(status) ? status : 'dead',
    // Docker's zero time: never started.
    startedAt: info.State.StartedAt && !info.State.StartedAt.startsWith('0001-') ? info.State.StartedAt : null,
    exitCode: typeof info.State.ExitCode === 'number' ? info.State.ExitCode : null,
    restartCount: info.RestartCount ?? 0,
  };
}

/** The status of `record` with this container (null: it has none). */
export function statusOf(record: RunnerRecord, facts: ContainerFacts | null, now: Date): RunnerStatus {
  const startedAt = facts?.state === 'running' ? facts.startedAt : null;
  return {
    runnerUuid: record.spec.runnerUuid,
    name: record.spec.name,
    displayName: record.displayName,
    kind: record.spec.kind,
    containerId: facts?.id ?? null,
    containerState: facts?.state ?? 'missing',
    image: record.spec.image,
    startedAt,
    uptimeSeconds: startedAt ? Math.max(0, Math.round((now.getTime() - Date.parse(startedAt)) / 1000)) : null,
    exitCode: facts && facts.state !== 'running' ? facts.exitCode : null,
    restartCount: facts?.restartCount ?? 0,
    workingDirectory: record.spec.workingDirectory,
    ...(record.pool ? { pool: record.pool } : {}),
    stoppedAt: record.stoppedAt ?? null,
  };
}

/** The status of `record` with the container `containerId` (inspected now), or none. */
export async function statusWith(docker: Docker, record: RunnerRecord, containerId: string | undefined, now: () => Date): Promise<RunnerStatus> {
  const facts = containerId ? await containerFacts(docker, containerId) : null;
  return statusOf(record, facts, now());
}

/** Which of the runner's containers (newest first) is the runner: mid-replace it has two, and the one under its name is it. */
export function runnersContainer(record: RunnerRecord, mine: readonly RunnerContainer[]): RunnerContainer | undefined {
  return mine.find((c) => c.name === record.spec.name) ?? mine[0];
}

/** The runner's status, looking its containers up by label. */
export async function runnerStatus(docker: Docker, record: RunnerRecord, now: () => Date): Promise<RunnerStatus> {
  const mine = await listRunnerContainers(docker, record.spec.runnerUuid);
  return statusWith(docker, record, runnersContainer(record, mine)?.id, now);
}
