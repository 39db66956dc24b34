/**
 * What a start decides from what it found (src/main/runners/start-plan.ts): the container states
 * are the ones `docker inspect` reports, built from the create request a start would send.
 */
import type Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { RunnerError } from '../../../src/main/runners/errors.js';
import { planStart, type StartInput } from '../../../src/main/runners/start-plan.js';
import { RUNNER_IMAGE, type RunnerSpec } from '../../../src/shared/runner-command/types.js';
import { containerCreateOptions, type EngineBindFacts } from '../../../src/shared/runner-spec.js';
import { Secret } from '../../../src/shared/secret.js';

// Made-up identifiers and secrets.
const UUID = '{7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f}';
const OTHER = '{1f2e3d4c-5b6a-4978-8695-a4b3c2d1e0f9}';
const SECRET = 'ATOAmadeUpPlanSecret_r7T2kq9Lw3Xz5Nb8Vm1Cd4Fg6Hj0Ks2';
const engine: EngineBindFacts = { socketPath: '/var/run/docker.sock', local: true, dockerDesktop: false, dockerRootDir: '/var/lib/docker', osType: 'linux' };

const spec: RunnerSpec = {
  kind: 'workspace',
  accountUuid: '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
  repositoryUuid: null,
  runnerUuid: UUID,
  name: `runner-${UUID.slice(1, -1)}`,
  image: RUNNER_IMAGE,
  oauthClientId: 'madeUpClientId0123456789abcdef00',
  workingDirectory: '/tmp',
  env: { RUNNER_UUID: UUID, WORKING_DIRECTORY: '/tmp' },
  binds: ['/tmp:/tmp'],
  args: [],
};

const expected = containerCreateOptions({ spec, secret: new Secret(SECRET), engine });

/** Inspect data of a container made from `create` (ours) or by hand (labels and env given). */
function inspected(
  id: string,
  state: { running: boolean; restarting?: boolean },
  create: { Labels?: Record<string, string>; Env?: string[] } = expected,
): Docker.ContainerInspectInfo {
  return {
    Id: id,
    Name: `/${spec.name}`,
    Config: { Labels: create.Labels ?? {}, Env: create.Env ?? [] },
    State: { Running: state.running, Restarting: state.restarting ?? false },
  } as unknown as Docker.ContainerInspectInfo;
}

const input = (over: Partial<StartInput>): StartInput => ({ uuid: UUID, expected, current: null, byName: null, options: {}, ...over });

describe('planStart', () => {
  it('creates the first container when nothing has the name', () => {
    expect(planStart(input({}))).toEqual({ kind: 'create' });
  });

  it('keeps a current container, starting it only when it is not running', () => {
    expect(planStart(input({ current: inspected('c1', { running: false }) }))).toEqual({ kind: 'keep', id: 'c1', start: true });
    expect(planStart(input({ current: inspected('c1', { running: true }) }))).toEqual({ kind: 'keep', id: 'c1', start: false });
  });

  it('leaves a running outdated container alone and says why, without the secret', () => {
    const rotated = containerCreateOptions({ spec, secret: new Secret(`${SECRET}old`), engine });
    const plan = planStart(input({ current: inspected('c1', { running: true }, rotated) }));
    expect(plan).toEqual({ kind: 'pending', id: 'c1', reasons: ['secret changed'] });
    expect(JSON.stringify(plan)).not.toContain(SECRET);
  });

  it('recreates an outdated container that is stopped or restarting after a crash', () => {
    const older = containerCreateOptions({ spec: { ...spec, args: ['--verbose'] }, secret: new Secret(SECRET), engine });
    expect(planStart(input({ current: inspected('c1', { running: false }, older) }))).toEqual({
      kind: 'swap',
      old: { id: 'c1', running: false },
      action: 'recreated',
      reason: 'settings changed',
    });
    expect(planStart(input({ current: inspected('c1', { running: true, restarting: true }, older) }))).toMatchObject({ kind: 'swap', old: { running: true } });
  });

  it('refuses a hand-made container of that name without consent, naming --adopt and --replace', () => {
    const handMade = inspected('h1', { running: true }, { Env: [`RUNNER_UUID=${UUID}`] });
    const err = (() => {
      try {
        planStart(input({ byName: handMade }));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(RunnerError);
    expect((err as RunnerError).code).toBe('CONTAINER_CONFLICT');
    expect((err as Error).message).toMatch(/--adopt.*--replace/s);
  });

  it('adopts a hand-made container only when it runs the same runner (braces and case aside)', () => {
    const same = inspected('h1', { running: true }, { Env: [`RUNNER_UUID=${UUID.slice(1, -1).toUpperCase()}`] });
    expect(planStart(input({ byName: same, options: { adopt: true } }))).toEqual({ kind: 'swap', old: { id: 'h1', running: true }, action: 'adopted' });
    const other = inspected('h2', { running: true }, { Env: [`RUNNER_UUID=${OTHER}`] });
    expect(() => planStart(input({ byName: other, options: { adopt: true } }))).toThrow(new RegExp(`runs runner \\${OTHER.slice(0, -1)}.*--replace`));
    const unrelated = inspected('h3', { running: false }, { Env: ['PATH=/bin'] });
    expect(() => planStart(input({ byName: unrelated, options: { adopt: true } }))).toThrow(/runs something else/);
  });

  it('replaces any container holding the name when asked to', () => {
    const unrelated = inspected('h3', { running: false }, { Env: ['PATH=/bin'] });
    expect(planStart(input({ byName: unrelated, options: { replace: true } }))).toEqual({
      kind: 'swap',
      old: { id: 'h3', running: false },
      action: 'replaced',
    });
  });
});
