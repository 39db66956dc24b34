/**
 * CPU and memory of a container from one sample of the engine's stats endpoint
 * (`GET /containers/{id}/stats`), computed the way `docker stats` does on Linux, so the
 * figures in the tray match what the user sees in a terminal.
 */

/** The parts of Docker's stats JSON this reads; everything is optional because a stopped container's sample is nearly empty. */
export interface DockerStatsSample {
  read?: string;
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  memory_stats?: {
    usage?: number;
    limit?: number;
    /** cgroup v1: `cache`, `total_inactive_file`, …; cgroup v2: `inactive_file`, `file`, `anon`, …. */
    stats?: Record<string, number>;
  };
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

export interface ContainerUsage {
  /** Percent of one CPU (200 = two CPUs busy), as `docker stats` shows; null without two readings to compare. */
  cpuPercent: number | null;
  /** Bytes in use without the page cache the kernel can drop; null when the container is not running. */
  memoryBytes: number | null;
}

/**
 * CPU time used between the previous and this reading, over the host's CPU time in the same
 * interval, times the CPUs the container could use. `online_cpus` is absent on older engines
 * and on cgroup v2 `percpu_usage` is gone, hence the fallbacks.
 */
export function cpuPercent(sample: DockerStatsSample): number | null {
  const now = sample.cpu_stats;
  const before = sample.precpu_stats;
  const used = now?.cpu_usage?.total_usage;
  const usedBefore = before?.cpu_usage?.total_usage;
  const system = now?.system_cpu_usage;
  const systemBefore = before?.system_cpu_usage;
  if (used === undefined || usedBefore === undefined || system === undefined || systemBefore === undefined) return null;
  // The first sample of a stream has no previous reading (Docker sends zeros there).
  if (systemBefore === 0) return null;
  const cpuDelta = used - usedBefore;
  const systemDelta = system - systemBefore;
  if (systemDelta <= 0) return null;
  const cpus = now?.online_cpus || now?.cpu_usage?.percpu_usage?.length || 1;
  return cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/**
 * Usage minus the inactive page cache: `total_inactive_file` on cgroup v1 (Docker ≥ 20.10's
 * CLI; `cache` before that), `inactive_file` on cgroup v2. Where the subtraction would go
 * negative, usage as reported.
 */
export function memoryBytes(sample: DockerStatsSample): number | null {
  const mem = sample.memory_stats;
  const usage = mem?.usage;
  if (usage === undefined || usage <= 0) return null;
  const stats = mem?.stats ?? {};
  const cache = 'total_inactive_file' in stats ? stats.total_inactive_file : 'inactive_file' in stats ? stats.inactive_file : stats.cache;
  return cache !== undefined && cache < usage ? usage - cache : usage;
}

export function containerUsage(sample: DockerStatsSample): ContainerUsage {
  return { cpuPercent: cpuPercent(sample), memoryBytes: memoryBytes(sample) };
}
