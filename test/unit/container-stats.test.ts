import { describe, expect, it } from 'vitest';
import { containerUsage, cpuPercent, memoryBytes, type DockerStatsSample } from '../../src/shared/container-stats.js';

/*
 * Samples shaped as dockerd sends them on `GET /containers/{id}/stats?stream=1` (engine API 1.41);
 * numbers made up so the expected figures are easy to check by hand.
 */

/** cgroup v1 host (like this build machine): percpu_usage present, memory stats with total_* fields. */
const V1: DockerStatsSample & Record<string, unknown> = JSON.parse(`{
  "read": "2024-05-03T09:00:02.004021512Z",
  "preread": "2024-05-03T09:00:01.002133090Z",
  "pids_stats": { "current": 7 },
  "blkio_stats": { "io_service_bytes_recursive": [], "io_serviced_recursive": [] },
  "num_procs": 0,
  "storage_stats": {},
  "cpu_stats": {
    "cpu_usage": { "total_usage": 1020000000, "percpu_usage": [255000000, 255000000, 255000000, 255000000], "usage_in_kernelmode": 300000000, "usage_in_usermode": 700000000 },
    "system_cpu_usage": 8004000000000,
    "online_cpus": 4,
    "throttling_data": { "periods": 0, "throttled_periods": 0, "throttled_time": 0 }
  },
  "precpu_stats": {
    "cpu_usage": { "total_usage": 1000000000, "percpu_usage": [250000000, 250000000, 250000000, 250000000], "usage_in_kernelmode": 290000000, "usage_in_usermode": 690000000 },
    "system_cpu_usage": 8000000000000,
    "online_cpus": 4,
    "throttling_data": { "periods": 0, "throttled_periods": 0, "throttled_time": 0 }
  },
  "memory_stats": {
    "usage": 52000000,
    "max_usage": 61000000,
    "stats": {
      "active_anon": 30000000, "active_file": 4000000, "cache": 20000000, "inactive_anon": 0, "inactive_file": 12000000,
      "mapped_file": 1000000, "rss": 30000000, "total_active_anon": 30000000, "total_active_file": 4000000,
      "total_cache": 20000000, "total_inactive_anon": 0, "total_inactive_file": 12000000, "total_rss": 30000000
    },
    "limit": 8273297408
  },
  "name": "/runner-0f0e0d0c-0b0a-4900-8800-000000000001",
  "id": "6d8a0e1f2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
}`);

/** cgroup v2 host: no percpu_usage, memory stats with the unified names (`anon`, `file`, `inactive_file`, …). */
const V2: DockerStatsSample & Record<string, unknown> = JSON.parse(`{
  "read": "2024-05-03T09:00:02.001000000Z",
  "preread": "2024-05-03T09:00:01.000000000Z",
  "pids_stats": { "current": 31, "limit": 18446744073709551615 },
  "num_procs": 0,
  "cpu_stats": {
    "cpu_usage": { "total_usage": 41500000000, "usage_in_kernelmode": 9000000000, "usage_in_usermode": 32500000000 },
    "system_cpu_usage": 900002000000000,
    "online_cpus": 2,
    "throttling_data": { "periods": 0, "throttled_periods": 0, "throttled_time": 0 }
  },
  "precpu_stats": {
    "cpu_usage": { "total_usage": 40000000000, "usage_in_kernelmode": 8700000000, "usage_in_usermode": 31300000000 },
    "system_cpu_usage": 900000000000000,
    "online_cpus": 2,
    "throttling_data": { "periods": 0, "throttled_periods": 0, "throttled_time": 0 }
  },
  "memory_stats": {
    "usage": 300000000,
    "stats": {
      "active_anon": 0, "active_file": 50000000, "anon": 150000000, "file": 140000000, "inactive_anon": 150000000,
      "inactive_file": 100000000, "kernel_stack": 500000, "pgfault": 100000, "shmem": 0, "slab": 9000000, "sock": 0
    },
    "limit": 4294967296
  },
  "name": "/runner-0f0e0d0c-0b0a-4900-8800-000000000002",
  "id": "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
}`);

describe('container CPU and memory, computed as docker stats does', () => {
  it('cgroup v1: CPU % over the host interval times online CPUs; memory without total_inactive_file', () => {
    // 20 ms of CPU in a 1 s × 4 CPU interval, on 4 CPUs: 2 % of one CPU.
    expect(cpuPercent(V1)).toBeCloseTo(2.0, 6);
    expect(memoryBytes(V1)).toBe(52_000_000 - 12_000_000);
  });

  it('cgroup v2: no percpu list needed; memory without inactive_file', () => {
    // 1.5 s of CPU in a 1 s × 2 CPU interval: one and a half CPUs busy.
    expect(cpuPercent(V2)).toBeCloseTo(150, 6);
    expect(memoryBytes(V2)).toBe(300_000_000 - 100_000_000);
    expect(containerUsage(V2)).toEqual({ cpuPercent: 150, memoryBytes: 200_000_000 });
  });

  it('an engine without online_cpus counts the percpu list', () => {
    const old = structuredClone(V1);
    delete old.cpu_stats!.online_cpus;
    expect(cpuPercent(old)).toBeCloseTo(2.0, 6);
    old.cpu_stats!.cpu_usage!.percpu_usage = [1, 1];
    expect(cpuPercent(old)).toBeCloseTo(1.0, 6);
  });

  it('an engine before 20.10 (no total_inactive_file) subtracts the v1 cache', () => {
    const old = structuredClone(V1);
    const stats = old.memory_stats!.stats!;
    delete stats.total_inactive_file;
    delete stats.inactive_file;
    expect(memoryBytes(old)).toBe(52_000_000 - 20_000_000);
  });

  it('never reports less than nothing: a cache figure above usage leaves usage as it is', () => {
    const odd = structuredClone(V2);
    odd.memory_stats!.stats!.inactive_file = 400_000_000;
    expect(memoryBytes(odd)).toBe(300_000_000);
  });

  it('the first sample of a stream (no previous reading) has no CPU figure yet, but memory', () => {
    const first = structuredClone(V2);
    first.precpu_stats = { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0, online_cpus: 0 };
    expect(cpuPercent(first)).toBeNull();
    expect(memoryBytes(first)).toBe(200_000_000);
  });

  it('an idle container reads 0 %, not nothing', () => {
    const idle = structuredClone(V1);
    idle.cpu_stats!.cpu_usage!.total_usage = idle.precpu_stats!.cpu_usage!.total_usage!;
    expect(cpuPercent(idle)).toBe(0);
  });

  it('the empty sample Docker streams for a stopped container gives no figures', () => {
    const stopped: DockerStatsSample = JSON.parse(`{
      "read": "0001-01-01T00:00:00Z", "preread": "0001-01-01T00:00:00Z", "pids_stats": {}, "blkio_stats": {},
      "num_procs": 0, "storage_stats": {},
      "cpu_stats": { "cpu_usage": { "total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0 }, "throttling_data": { "periods": 0, "throttled_periods": 0, "throttled_time": 0 } },
      "precpu_stats": { "cpu_usage": { "total_usage": 0, "usage_in_kernelmode": 0, "usage_in_usermode": 0 }, "throttling_data": { "periods": 0, "throttled_periods": 0, "throttled_time": 0 } },
      "memory_stats": {}, "name": "/runner-x", "id": "abc"
    }`);
    expect(containerUsage(stopped)).toEqual({ cpuPercent: null, memoryBytes: null });
  });
});
