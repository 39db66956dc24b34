/**
 * Upgrading from a version that did not record user stops: the first long-running host takes the
 * runners that are down then as stopped by the user (not crashed, not restarted), once. Real
 * settings files in a temp data directory; the runners' container states as the service reports them.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { adoptEarlierStops } from '../../../src/main/runners/earlier-stops.js';
import type { RunnerStatus } from '../../../src/main/runners/runner-types.js';
import { SettingsStore } from '../../../src/main/settings/settings-store.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';
import { RUNNER_IMAGE } from '../../../src/shared/runner-command/types.js';
import type { ContainerState } from '../../../src/shared/runner-state.js';

const ACCOUNT = '{5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a}';
const uuid = (n: number) => `{c0ffee00-1234-4abc-8def-${String(n).padStart(12, '0')}}`;

function record(n: number): RunnerRecord {
  const runnerUuid = uuid(n);
  return {
    spec: {
      kind: 'workspace',
      accountUuid: ACCOUNT,
      repositoryUuid: null,
      runnerUuid,
      name: `runner-${n}`,
      image: RUNNER_IMAGE,
      oauthClientId: `client${n}`,
      workingDirectory: '/tmp',
      env: { ACCOUNT_UUID: ACCOUNT, RUNNER_UUID: runnerUuid, OAUTH_CLIENT_ID: `client${n}`, WORKING_DIRECTORY: '/tmp' },
      binds: ['/tmp:/tmp'],
      args: [],
    },
    displayName: `Runner ${n}`,
    addedAt: '2026-11-01T12:00:00.000Z',
  };
}

function status(n: number, containerState: ContainerState): RunnerStatus {
  return {
    runnerUuid: uuid(n),
    name: `runner-${n}`,
    displayName: `Runner ${n}`,
    kind: 'workspace',
    containerId: containerState === 'missing' ? null : `c${n}`,
    containerState,
    image: RUNNER_IMAGE,
    startedAt: null,
    uptimeSeconds: null,
    exitCode: containerState === 'running' ? null : 143,
    restartCount: 0,
    workingDirectory: '/tmp',
  };
}

const newDir = async () => path.join(await mkdtemp(path.join(tmpdir(), 'rt-earlier-stops-')), 'data');

it('an upgraded settings file: runners down now are taken as stopped by the user, once; running ones are not', async () => {
  const dir = await newDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // As an earlier version wrote it: no stoppedAt anywhere, no stopsRecordedSince.
  await writeFile(path.join(dir, 'settings.json'), JSON.stringify({ version: 1, runners: [record(1), record(2), record(3)] }), { mode: 0o600 });
  const settings = SettingsStore.open(dir);
  const lines: string[] = [];
  const list = async () => [status(1, 'exited'), status(2, 'running'), status(3, 'missing')];

  expect(await adoptEarlierStops(settings, list, (l) => lines.push(l))).toEqual([uuid(1)]);
  const runners = settings.runners();
  expect(runners.get(uuid(1))?.stoppedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(runners.get(uuid(2))?.stoppedAt).toBeUndefined();
  // No container at all: nothing to take as stopped (a start creates it).
  expect(runners.get(uuid(3))?.stoppedAt).toBeUndefined();
  expect(settings.get().stopsRecordedSince).toBeDefined();
  expect(lines).toEqual([expect.stringContaining(`1 runner was down when this version first ran (${uuid(1)}): taken as stopped by you`)]);

  // Later the engine kills runner 2: that one is a crash, and no second adoption hides it.
  expect(
    await adoptEarlierStops(
      settings,
      async () => [status(1, 'exited'), status(2, 'exited')],
      (l) => lines.push(l),
    ),
  ).toEqual([]);
  expect(runners.get(uuid(2))?.stoppedAt).toBeUndefined();
  expect(lines).toHaveLength(1);
});

it('a settings file this version created records stops from the start: nothing is adopted', async () => {
  const dir = await newDir();
  const settings = SettingsStore.open(dir);
  settings.runners().put(record(1));
  expect(settings.get().stopsRecordedSince).toBeDefined();
  expect(
    await adoptEarlierStops(
      settings,
      async () => [status(1, 'exited')],
      () => undefined,
    ),
  ).toEqual([]);
  expect(settings.runners().get(uuid(1))?.stoppedAt).toBeUndefined();
});
