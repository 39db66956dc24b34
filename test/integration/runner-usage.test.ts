/**
 * Live CPU/memory of runner containers from the private dockerd's streaming stats endpoint:
 * streams open only while watched, figures pushed at most once per throttle window, and the
 * stream closed when the container stops or nobody watches any more.
 */
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunnerUsage } from '../../src/main/api/runner-usage.js';
import { connectEngine } from '../../src/main/docker/engine.js';

// Made-up runner UUIDs; the containers are plain stand-in image containers.
const BUSY = '{0e1d2c3b-4a59-4687-8796-a5b4c3d2e1f0}';
const IDLE = '{0e1d2c3b-4a59-4687-8796-a5b4c3d2e1f1}';
const LABEL = 'runner-tray.test-usage';

let docker: Docker;
const created: string[] = [];

async function run(name: string, script: string): Promise<string> {
  const c = await docker.createContainer({
    name,
    Image: inject('standinImage'),
    Entrypoint: ['/bin/sh', '-c', script],
    Labels: { [LABEL]: 'true' },
    HostConfig: { NetworkMode: 'none' },
  });
  created.push(c.id);
  await c.start();
  return c.id;
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  docker = (await connectEngine({ discovery: { env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` } } })).docker;
});

afterAll(async () => {
  for (const id of created)
    await docker
      .getContainer(id)
      .remove({ force: true })
      .catch(() => undefined);
});

describe("runner CPU/memory from the engine's stats stream (private dockerd)", () => {
  it('follows running runners only while watched, pushes at most once per window, and stops with the container', async () => {
    const busyId = await run('rt-usage-busy', 'while :; do :; done');
    const idleId = await run('rt-usage-idle', 'sleep 600');
    const changed: Array<{ uuid: string; at: number }> = [];
    const usage = new RunnerUsage({
      docker,
      listRunning: async () => [
        { runnerUuid: BUSY, containerId: busyId },
        { runnerUuid: IDLE, containerId: idleId },
      ],
      changed: (uuid) => changed.push({ uuid, at: Date.now() }),
      throttleMs: 2000,
    });
    try {
      // Nobody looks (the CLI): a fresh status opens nothing.
      usage.sync(BUSY, busyId, true);
      expect(usage.following).toBe(0);
      await new Promise((r) => setTimeout(r, 1500));
      expect(changed).toEqual([]);
      expect(usage.usage(BUSY)).toEqual({});

      usage.setWatched(true);
      const busy = await until('CPU and memory of the busy runner', () => {
        const u = usage.usage(BUSY);
        return u.cpuPercent !== undefined && u.memoryBytes !== undefined ? u : undefined;
      });
      expect(usage.following).toBe(2);
      expect(busy.memoryBytes).toBeGreaterThan(0);
      // A shell spinning in a loop keeps about one CPU busy; a loaded machine gives it less.
      expect(busy.cpuPercent).toBeGreaterThan(5);
      expect(busy.cpuPercent).toBeLessThan(400);
      expect(changed.some((c) => c.uuid === BUSY)).toBe(true);
      await until('memory of the idle runner', () => usage.usage(IDLE).memoryBytes);
      expect(usage.usage(IDLE).cpuPercent ?? 0).toBeLessThan(5);

      // Samples come every second; the busy runner's figures change each time, yet within
      // 5 s it is announced at most once per 2 s window (3 windows, counting the edges).
      const from = Date.now();
      await new Promise((r) => setTimeout(r, 5000));
      const pushes = changed.filter((c) => c.uuid === BUSY && c.at >= from).map((c) => c.at);
      expect(pushes.length).toBeGreaterThanOrEqual(1);
      expect(pushes.length).toBeLessThanOrEqual(3);
      for (let i = 1; i < pushes.length; i++) expect(pushes[i]! - pushes[i - 1]!).toBeGreaterThanOrEqual(1990);

      // The container stops: its stream is closed and the runner announced without figures.
      const before = changed.length;
      await docker.getContainer(busyId).kill();
      await until('the busy runner no longer followed', () => (usage.following === 1 ? true : undefined));
      expect(usage.usage(BUSY)).toEqual({});
      expect(changed.slice(before).some((c) => c.uuid === BUSY)).toBe(true);
      // A status that says it stopped closes nothing twice and opens nothing.
      usage.sync(BUSY, busyId, false);
      expect(usage.following).toBe(1);

      // The last listener leaves: every stream closes, nothing more is pushed.
      usage.setWatched(false);
      expect(usage.following).toBe(0);
      expect(usage.usage(IDLE)).toEqual({});
      const after = changed.length;
      await new Promise((r) => setTimeout(r, 2500));
      expect(changed.length).toBe(after);
    } finally {
      usage.close();
    }
  });
});
