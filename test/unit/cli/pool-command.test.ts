/**
 * `runner-tray pool add|list|show|edit|remove` in-process (`main(argv, io)`) over a real data
 * directory: what is saved in settings.json, what a user reads, and each refusal naming the flag
 * and the fix. Nothing here talks to Docker or Bitbucket (add/edit/list touch settings only).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { SettingsStore } from '../../../src/main/settings/settings-store.js';
import { CliCapture } from '../../support/cli-capture.js';

const root = mkdtempSync(join(tmpdir(), 'rt-pool-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function world(connected: string | null = 'acme'): { env: NodeJS.ProcessEnv; dataDir: string } {
  const dataDir = join(root, `data-${++n}`);
  const env = { PATH: process.env.PATH, HOME: root, RUNNER_TRAY_HOME: dataDir, RUNNER_TRAY_VAULT: 'file', DOCKER_HOST: `unix://${join(root, 'none.sock')}` };
  if (connected)
    SettingsStore.open(dataDir).update({ bitbucket: { workspace: connected, email: 'dev@example.invalid', authKind: 'basic', watchedRepositories: [] } });
  return { env, dataDir };
}

async function run(env: NodeJS.ProcessEnv, ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cap = new CliCapture();
  const code = await main(argv, cap.io(env));
  return { code, out: cap.out, err: cap.err };
}

type SavedPool = Record<string, unknown> & { name: string };
const poolsIn = (dataDir: string): SavedPool[] => (JSON.parse(readFileSync(join(dataDir, 'settings.json'), 'utf8')) as { pools?: SavedPool[] }).pools ?? [];

describe('runner-tray pool add', () => {
  it('saves a pool with the connected workspace and the defaults, and says what it made', async () => {
    const { env, dataDir } = world('acme');
    const r = await run(env, 'pool', 'add', 'ci', '--max', '4', '--label', 'build', '--label', 'arm64,big', '--cool-down', '90s', '--size', '2x');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Added pool ci: workspace acme, 0..4 runners on this machine (docker), size 2x');
    expect(r.out).toContain('labels self.hosted, linux, build, arm64, big, cool-down 1m30s, start timeout 3m');
    const [saved] = poolsIn(dataDir);
    expect(saved).toMatchObject({
      name: 'ci',
      workspace: 'acme',
      labels: ['build', 'arm64', 'big'],
      min: 0,
      max: 4,
      idle: 0,
      coolDownMs: 90_000,
      startTimeoutMs: 180_000,
      on: 'docker',
      size: '2x',
    });
    expect(saved).not.toHaveProperty('repository');
    expect(saved).not.toHaveProperty('kubernetes');
  });

  it('takes a repository, an explicit workspace, kubernetes with its namespace and context, and prints JSON', async () => {
    const { env, dataDir } = world(null);
    const r = await run(
      env,
      'pool',
      'add',
      'k8s-ci',
      '--workspace',
      'other-team',
      '--repository',
      'web-app',
      '--min',
      '1',
      '--max',
      '3',
      '--idle',
      '1',
      '--on',
      'kubernetes',
      '--namespace',
      'runners',
      '--context',
      'kind-dev',
      '--start-timeout',
      '5m',
      '--json',
    );
    expect(r.code).toBe(0);
    const view = JSON.parse(r.out) as Record<string, unknown>;
    expect(view).toMatchObject({
      name: 'k8s-ci',
      workspace: 'other-team',
      repository: 'web-app',
      on: 'kubernetes',
      kubernetes: { context: 'kind-dev', namespace: 'runners' },
      min: 1,
      max: 3,
      idle: 1,
      startTimeoutSeconds: 300,
      coolDownSeconds: 300,
      status: 'inactive',
    });
    expect(poolsIn(dataDir)[0]).toMatchObject({ kubernetes: { context: 'kind-dev', namespace: 'runners' } });
  });

  it.each([
    [['--max', '150'], /--max must be at most 100: Bitbucket allows 100 runners per workspace/],
    [['--max', 'four'], /--max takes a whole number of runners, like --max 2; got "four"/],
    [['--max', '2', '--min', '3'], /--min is 3, above max 2/],
    [['--max', '2', '--cool-down', '5 minutes'], /--cool-down takes a duration like 30s, 5m, 1h or 1h30m; got "5 minutes"/],
    [['--max', '2', '--start-timeout', '0s'], /--start-timeout must be at least 1s/],
    [['--max', '2', '--on', 'kubernetes'], /--namespace is required for a pool on kubernetes/],
    [['--max', '2', '--on', 'nomad'], /--on is one of docker, kubernetes; got "nomad"/],
    [['--max', '2', '--size', '3x'], /--size is one of 1x, 2x, 4x, 8x; got "3x"/],
    [['--max', '2', '--label', 'Build_Box'], /--label "Build_Box" must be a runner label: lowercase letters, digits, "\." and "-"/],
    [['--max', '2', '--work-dir', 'relative/dir'], /--work-dir must be an absolute path/],
    [['--max', '2', '--namespace', 'runners'], /--namespace is only for pools on kubernetes: add --on kubernetes/],
    [['--max', '2', '--workspace', 'Not A Slug'], /--workspace must be a Bitbucket workspace ID/],
  ])('refuses %j naming the flag, and saves nothing', async (flags, message) => {
    const { env, dataDir } = world();
    const r = await run(env, 'pool', 'add', 'ci', ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(poolsIn(dataDir)).toEqual([]);
  });

  it('needs --max, a pool name in the house style, a workspace when none is connected, and a new name', async () => {
    const { env, dataDir } = world(null);
    expect((await run(env, 'pool', 'add', 'ci')).err).toMatch(/pool add needs --max N: the most runners the pool may run at once \(1 to 100\)/);
    expect((await run(env, 'pool', 'add', 'CI!', '--max', '2', '--workspace', 'acme')).err).toMatch(/the pool name must be lowercase letters, digits and "-"/);
    const noWorkspace = await run(env, 'pool', 'add', 'ci', '--max', '2');
    expect(noWorkspace.err).toMatch(/--workspace is needed: no Bitbucket workspace is connected \(runner-tray bitbucket connect\)/);
    expect(poolsIn(dataDir)).toEqual([]);
    expect((await run(env, 'pool', 'add', 'ci', '--max', '2', '--workspace', 'acme')).code).toBe(0);
    const again = await run(env, 'pool', 'add', 'ci', '--max', '3', '--workspace', 'acme');
    expect(again.code).toBe(1);
    expect(again.err).toContain('A pool named ci exists already: change it with "runner-tray pool edit ci"');
    expect(poolsIn(dataDir).map((p) => p.max)).toEqual([2]);
  });

  it('answers errors as JSON with --json', async () => {
    const { env } = world();
    const r = await run(env, 'pool', 'add', 'ci', '--max', '101', '--json');
    expect(r.code).toBe(2);
    expect(JSON.parse(r.out)).toEqual({ ok: false, error: { code: 'POOL_INVALID', message: expect.stringMatching(/--max must be at most 100/) } });
  });
});

describe('runner-tray pool edit, list, show, remove', () => {
  it('edits only what was given, clears with "", and keeps the rest', async () => {
    const { env, dataDir } = world();
    await run(env, 'pool', 'add', 'ci', '--max', '4', '--repository', 'web-app', '--label', 'build', '--work-dir', '/srv/runners');
    const r = await run(env, 'pool', 'edit', 'ci', '--max', '6', '--idle', '2', '--repository', '', '--work-dir', '');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Changed pool ci: workspace acme, 0..6 runners (2 idle kept ready)');
    const [saved] = poolsIn(dataDir);
    expect(saved).toMatchObject({ max: 6, idle: 2, labels: ['build'], coolDownMs: 300_000 });
    expect(saved).not.toHaveProperty('repository');
    expect(saved).not.toHaveProperty('workDir');

    const bad = await run(env, 'pool', 'edit', 'ci', '--min', '7');
    expect(bad.err).toMatch(/--min is 7, above max 6/);
    expect(poolsIn(dataDir)[0]).toMatchObject({ min: 0, max: 6 });
    expect((await run(env, 'pool', 'edit', 'ci')).err).toMatch(/pool edit ci needs at least one flag to change, like --max 4/);
    expect((await run(env, 'pool', 'edit', 'cd', '--max', '2')).err).toMatch(/No pool named cd\. Pools: ci\./);
  });

  it('moving a pool to kubernetes needs its namespace; back to docker drops the cluster part', async () => {
    const { env, dataDir } = world();
    await run(env, 'pool', 'add', 'ci', '--max', '2');
    expect((await run(env, 'pool', 'edit', 'ci', '--on', 'kubernetes')).err).toMatch(/--namespace is required for a pool on kubernetes/);
    expect((await run(env, 'pool', 'edit', 'ci', '--on', 'kubernetes', '--namespace', 'ci-runners')).code).toBe(0);
    expect(poolsIn(dataDir)[0]).toMatchObject({ on: 'kubernetes', kubernetes: { namespace: 'ci-runners' } });
    expect((await run(env, 'pool', 'edit', 'ci', '--on', 'docker')).code).toBe(0);
    expect(poolsIn(dataDir)[0]).not.toHaveProperty('kubernetes');
  });

  it('--image-pull-policy: saved for a kubernetes pool, shown, changed and cleared back to Always; refused for docker or a bad word', async () => {
    const { env, dataDir } = world();
    const added = await run(env, 'pool', 'add', 'k', '--max', '2', '--on', 'kubernetes', '--namespace', 'ci-runners', '--image-pull-policy', 'IfNotPresent');
    expect(added.err).toBe('');
    expect(added.out).toContain('on kubernetes (current context)/ci-runners (image pull policy IfNotPresent)');
    expect(poolsIn(dataDir)[0]).toMatchObject({ kubernetes: { namespace: 'ci-runners', imagePullPolicy: 'IfNotPresent' } });
    // Another edit keeps it; Never replaces it; "" goes back to the default.
    expect((await run(env, 'pool', 'edit', 'k', '--max', '3')).code).toBe(0);
    expect(poolsIn(dataDir)[0]).toMatchObject({ max: 3, kubernetes: { imagePullPolicy: 'IfNotPresent' } });
    const never = await run(env, 'pool', 'edit', 'k', '--image-pull-policy', 'Never', '--json');
    expect(JSON.parse(never.out)).toMatchObject({ kubernetes: { namespace: 'ci-runners', imagePullPolicy: 'Never', context: null } });
    expect((await run(env, 'pool', 'edit', 'k', '--image-pull-policy', '')).code).toBe(0);
    expect(poolsIn(dataDir)[0]).toMatchObject({ kubernetes: { namespace: 'ci-runners' } });
    expect(poolsIn(dataDir)[0]!.kubernetes).not.toHaveProperty('imagePullPolicy');
    const shown = JSON.parse((await run(env, 'pool', 'edit', 'k', '--max', '2', '--json')).out) as { kubernetes: unknown };
    expect(shown.kubernetes).toEqual({ context: null, namespace: 'ci-runners', imagePullPolicy: 'Always' });

    const bad = await run(env, 'pool', 'edit', 'k', '--image-pull-policy', 'sometimes');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--image-pull-policy is one of Always, IfNotPresent, Never; got "sometimes"');
    const docker = await run(env, 'pool', 'add', 'd', '--max', '2', '--image-pull-policy', 'Never');
    expect(docker.code).toBe(2);
    expect(docker.err).toContain("--image-pull-policy is only for pools on kubernetes: this machine's Docker uses the images it has");
    expect(poolsIn(dataDir).map((p) => p.name)).toEqual(['k']);
  });

  it('refuses to move a pool that has runners to another workspace or placement', async () => {
    const { env, dataDir } = world();
    await run(env, 'pool', 'add', 'ci', '--max', '2');
    addPoolRunner(dataDir, 'ci');
    const r = await run(env, 'pool', 'edit', 'ci', '--workspace', 'elsewhere');
    expect(r.code).toBe(1);
    expect(r.err).toContain('Pool ci has 1 runner made for its workspace, repository and placement');
    expect(r.err).toContain('runner-tray pool remove ci');
    expect(poolsIn(dataDir)[0]).toMatchObject({ workspace: 'acme' });
    // Sizes may change under its runners.
    expect((await run(env, 'pool', 'edit', 'ci', '--max', '5')).code).toBe(0);
  });

  it('lists pools as a table and as JSON, with the runners each has', async () => {
    const { env, dataDir } = world();
    expect((await run(env, 'pool', 'list')).out).toContain('No pools yet. Add one with: runner-tray pool add ci --max 4');
    await run(env, 'pool', 'add', 'ci', '--max', '4', '--label', 'build');
    await run(env, 'pool', 'add', 'web', '--max', '2', '--repository', 'web-app', '--on', 'kubernetes', '--namespace', 'runners');
    addPoolRunner(dataDir, 'ci');
    const table = (await run(env, 'pool', 'list')).out.split('\n');
    expect(table[0]).toMatch(/^POOL\s+WHERE\s+ON\s+MIN\s+MAX\s+IDLE\s+COOL-DOWN\s+SIZE\s+RUNNERS\s+LABELS$/);
    expect(table[1]).toMatch(/^ci\s+workspace acme\s+docker\s+0\s+4\s+0\s+5m\s+1x\s+1\s+build$/);
    expect(table[2]).toMatch(/^web\s+acme\/web-app\s+k8s:runners\s+0\s+2\s+0\s+5m\s+1x\s+0\s+-$/);
    const json = JSON.parse((await run(env, 'pool', 'list', '--json')).out) as Array<{ name: string; max: number }>;
    expect(json.map((p) => [p.name, p.max])).toEqual([
      ['ci', 4],
      ['web', 2],
    ]);
  });

  it('shows a pool: settings and what one observation saw', async () => {
    const { env } = world();
    await run(env, 'pool', 'add', 'ci', '--max', '4', '--idle', '1', '--label', 'build');
    const r = await run(env, 'pool', 'show', 'ci');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Pool ci');
    expect(r.out).toMatch(/where:\s+workspace acme/);
    expect(r.out).toMatch(/labels:\s+self\.hosted, linux, build/);
    expect(r.out).toMatch(/size limits:\s+min 0, max 4, idle 1/);
    expect(r.out).toMatch(/desired:\s+\d+/);
    expect(r.out).toMatch(/runners:\s+\d+ busy, \d+ idle, \d+ starting, \d+ offline/);
    expect(r.out).toMatch(/waiting steps:\s+\d+/);
    const json = JSON.parse((await run(env, 'pool', 'show', 'ci', '--json')).out) as { name: string; labels: string[] };
    expect(json).toMatchObject({ name: 'ci', labels: ['build'] });
    const missing = await run(env, 'pool', 'show', 'cd');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('No pool named cd. Pools: ci.');
  });

  it('removes a pool without runners, and says so', async () => {
    const { env, dataDir } = world();
    await run(env, 'pool', 'add', 'ci', '--max', '4');
    await run(env, 'pool', 'add', 'web', '--max', '2');
    const r = await run(env, 'pool', 'remove', 'ci');
    expect(r.err).toBe('');
    expect(r.out).toBe('Removed pool ci: retired 0 runners.\n');
    expect(poolsIn(dataDir).map((p) => p.name)).toEqual(['web']);
    expect((await run(env, 'pool', 'remove', 'ci')).err).toContain('No pool named ci. Pools: web.');
    expect(JSON.parse((await run(env, 'pool', 'remove', 'web', '--json')).out)).toEqual({ name: 'web', removed: true, retired: 0, waitingForSteps: 0 });
    expect(poolsIn(dataDir)).toEqual([]);
  });

  it('says which subcommands exist', async () => {
    const { env } = world();
    const r = await run(env, 'pool', 'grow', 'ci');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/pool needs add, list, show, edit or remove, not "grow"/);
    expect((await run(env, 'pool', 'show')).err).toMatch(/pool show needs the pool's name, like: runner-tray pool show ci/);
  });
});

/** A runner record of the pool, as the controllers save one (made-up UUIDs, no secret). */
function addPoolRunner(dataDir: string, pool: string): void {
  const path = join(dataDir, 'settings.json');
  const s = JSON.parse(readFileSync(path, 'utf8')) as { runners: unknown[] };
  const uuid = '{0badf00d-5eed-4c0d-9e1a-00000000a001}';
  s.runners.push({
    spec: {
      kind: 'workspace',
      accountUuid: '{5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}',
      repositoryUuid: null,
      runnerUuid: uuid,
      name: 'runner-0badf00d-5eed-4c0d-9e1a-00000000a001',
      image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
      oauthClientId: 'Pm3Kq7Ws9Xe2Rd5Tf8Yg1Uh4Ij6Ok0Lp',
      workingDirectory: '/tmp',
      env: {},
      binds: [],
      args: [],
    },
    displayName: `${pool}-1`,
    addedAt: '2026-01-01T00:00:00.000Z',
    pool,
  });
  writeFileSync(path, JSON.stringify(s));
}
