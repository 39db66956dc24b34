import { describe, expect, it } from 'vitest';
import { RunnerError } from '../../../src/main/runners/errors.js';
import { TypedEmitter, type RunnerEvent } from '../../../src/main/runners/events.js';
import { KeyedMutex } from '../../../src/main/runners/mutex.js';
import { resolveRunner } from '../../../src/main/runners/resolve.js';
import type { RunnerRecord } from '../../../src/main/settings/types.js';
import { RUNNER_IMAGE } from '../../../src/shared/runner-command/types.js';

function record(uuid: string, name = `runner-${uuid.slice(1, -1)}`): RunnerRecord {
  return {
    displayName: name,
    addedAt: '2026-11-29T10:00:00.000Z',
    spec: {
      kind: 'workspace',
      accountUuid: '{aa11bb22-cc33-4d44-8e55-ff6677889900}',
      repositoryUuid: null,
      runnerUuid: uuid,
      name,
      image: RUNNER_IMAGE,
      oauthClientId: 'madeUpClientId0123456789abcdef00',
      workingDirectory: '/tmp',
      env: {},
      binds: [],
      args: [],
    },
  };
}

const A = '{0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d}';
const B = '{f0e1d2c3-b4a5-4968-8776-655443322110}';
const records = [record(A), record(B, 'my-build-runner')];

describe('resolveRunner', () => {
  it('accepts the UUID with braces, without braces, in upper case, or the container name', () => {
    expect(resolveRunner(A, records).spec.runnerUuid).toBe(A);
    expect(resolveRunner(A.slice(1, -1), records).spec.runnerUuid).toBe(A);
    expect(resolveRunner(A.toUpperCase(), records).spec.runnerUuid).toBe(A);
    expect(resolveRunner(`runner-${A.slice(1, -1)}`, records).spec.runnerUuid).toBe(A);
    expect(resolveRunner('my-build-runner', records).spec.runnerUuid).toBe(B);
  });

  it('says which runners exist when nothing matches', () => {
    let err: unknown;
    try {
      resolveRunner('runner-nope', records);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RunnerError);
    expect((err as RunnerError).code).toBe('RUNNER_NOT_FOUND');
    expect((err as Error).message).toContain('runner-nope');
    expect((err as Error).message).toContain(A);
    expect(() => resolveRunner(A, [])).toThrow(/No runners are added yet/);
  });
});

describe('KeyedMutex', () => {
  it('runs one operation at a time per key, in order, and keeps going after a failure', async () => {
    const m = new KeyedMutex();
    const log: string[] = [];
    const step =
      (name: string, ms: number, fail = false) =>
      async () => {
        log.push(`${name}:start`);
        await new Promise((r) => setTimeout(r, ms));
        log.push(`${name}:end`);
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([m.run('a', step('1', 20, true)), m.run('a', step('2', 1)), m.run('b', step('3', 1))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('2:start')).toBeGreaterThan(log.indexOf('1:end'));
    expect(log.indexOf('3:end')).toBeLessThan(log.indexOf('1:end'));
  });
});

describe('TypedEmitter', () => {
  it('delivers by type and to wildcard listeners, survives a throwing listener, and unsubscribes', () => {
    const e = new TypedEmitter<RunnerEvent>();
    const got: string[] = [];
    e.on('state', () => {
      throw new Error('listener bug');
    });
    const off = e.on('state', (ev) => got.push(`state:${ev.action}`));
    e.on('*', (ev) => got.push(`any:${ev.type}`));
    e.emit({ type: 'state', runnerUuid: A, action: 'started', containerState: 'running' });
    off();
    e.emit({ type: 'state', runnerUuid: A, action: 'stopped', containerState: 'exited' });
    expect(got).toEqual(['state:started', 'any:state', 'any:state']);
  });
});
