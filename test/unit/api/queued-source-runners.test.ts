/**
 * The queued view carries Bitbucket's view of our runners, asked in the same poll round as the
 * queued steps and only while someone watches; against the local Bitbucket stand-in (shaped like
 * Bitbucket Cloud's documented API).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { QueuedSource } from '../../../src/main/api/queued-source.js';
import { connectBitbucket } from '../../../src/main/bitbucket/connection.js';
import { SettingsStore } from '../../../src/main/settings/settings-store.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';
import { FileVault } from '../../../src/main/vault/file-vault.js';
import type { ContractEvent } from '../../../src/shared/contract/index.js';
import { RUNNER_IMAGE } from '../../../src/shared/runner-command/types.js';
import { Secret } from '../../../src/shared/secret.js';
import { BitbucketStandin } from '../../support/bitbucket-standin.js';

// Made up for these tests.
const EMAIL = 'dev@example.test';
const TOKEN = 'ATATTmadeUpQueuedSourceToken_Vb3Nm5Qw7Er9Ty1Ui3Op5As7Df9Gh1Jk3';
const OURS = '{6b7c8d9e-0f1a-4b2c-8d3e-4f5a6b7c8d9e}';
const GONE = '{7c8d9e0f-1a2b-4c3d-9e4f-5a6b7c8d9e0f}';

let dir: string;
let server: BitbucketStandin;
let source: QueuedSource | undefined;

function record(runnerUuid: string): RunnerRecord {
  return {
    displayName: runnerUuid,
    addedAt: '2026-01-01T00:00:00.000Z',
    spec: {
      kind: 'workspace',
      accountUuid: '{5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}',
      repositoryUuid: null,
      runnerUuid,
      name: `runner-${runnerUuid.replace(/[{}]/g, '')}`,
      image: RUNNER_IMAGE,
      oauthClientId: 'Pm3Kq7Ws9Xe2Rd5Tf8Yg1Uh4Ij6Ok0Lp',
      workingDirectory: '/tmp',
      env: {},
      binds: ['/tmp:/tmp'],
      args: [],
    },
  };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rt-queued-source-'));
  server = await BitbucketStandin.start({ kind: 'basic', email: EMAIL, token: TOKEN });
  server.addRepository('acme', 'web-app', '2024-05-03T00:00:00.000000+00:00');
  server.setRunners('acme', [
    {
      uuid: OURS,
      name: 'build-box',
      labels: ['self.hosted', 'linux'],
      status: 'ONLINE',
      step: { uuid: '{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}', pipelineUuid: '{b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e}' },
    },
    { uuid: '{9e3f4a5b-6c7d-4e8f-8a9b-1c2d3e4f5a6b}', name: 'someone-elses', labels: ['self.hosted'], status: 'OFFLINE' },
  ]);
});

afterEach(async () => {
  source?.close();
  source = undefined;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('QueuedSource with our runners', () => {
  it('answers steps.queued with our runners as Bitbucket sees them, and pushes them only while watched', async () => {
    const vault = await FileVault.open(dir);
    const store = SettingsStore.open(dir).bitbucket();
    await connectBitbucket({ vault, store, baseUrl: server.baseUrl }, { workspace: 'acme', email: EMAIL, token: new Secret(TOKEN) });
    const events: ContractEvent[] = [];
    source = new QueuedSource({ vault, store, baseUrl: server.baseUrl, emit: (e) => events.push(e), runners: () => [record(OURS), record(GONE)] });
    await source.reload();
    const runnersAsked = () => server.requests.filter((r) => r.rawPath.startsWith('/2.0/workspaces/acme/pipelines-config/runners')).length;
    expect(runnersAsked()).toBe(0);

    // Watched: the first round asks for the steps and the runners together, and pushes both.
    source.setWatched(true);
    await expect.poll(() => events.find((e) => e.type === 'queued.changed'), { timeout: 4_000 }).toBeTruthy();
    const pushed = events.find((e) => e.type === 'queued.changed') as Extract<ContractEvent, { type: 'queued.changed' }>;
    const listed = pushed.runners?.listed[0];
    expect(pushed.runners).toEqual({
      listed: [
        {
          uuid: OURS,
          name: 'build-box',
          labels: ['self.hosted', 'linux'],
          status: 'ONLINE',
          busy: true,
          scope: 'workspace',
          ...(listed?.updatedOn ? { updatedOn: listed.updatedOn } : {}),
        },
      ],
      missing: [GONE],
    });
    expect(runnersAsked()).toBe(1);
    // steps.queued answers from that round, asking nothing more.
    expect((await source.view()).runners).toEqual(pushed.runners);
    expect(runnersAsked()).toBe(1);
    source.setWatched(false);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });
});
