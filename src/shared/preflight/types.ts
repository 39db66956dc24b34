/**
 * What `runner-tray doctor` knows about the host, gathered by the main side (I/O) and judged
 * here (pure). Field names follow the engine's `/info` where they come from it, so
 * `EngineFacts` maps over directly. A fact that could not be read is absent or null, and
 * the finding that needs it says so instead of guessing.
 */
export type StepSize = '1x' | '2x' | '4x' | '8x';

export interface DiskFact {
  path: string;
  role: 'working-directory' | 'docker-root';
  /** Free bytes for this user; null when it could not be read. */
  freeBytes: number | null;
}

export interface RunnerFact {
  name: string;
  workingDirectory: string;
  /** `host:container[:opts]` as the container is (or will be) created. */
  binds: string[];
  /** The runner container's HostConfig.Memory: 0 = no limit; absent or null = unknown (no container yet). */
  memoryLimitBytes?: number | null;
  /** Bitbucket runner labels (e.g. `self.hosted`, `linux`, `linux.arm64`); absent = unknown (Bitbucket not connected). */
  labels?: string[];
  /**
   * The largest `size:` the runner's steps use; absent = unknown, judged as 1x and said so.
   * Bitbucket's REST API does not report a step's size, so only a caller that knows sets it.
   */
  largestStepSize?: StepSize;
}

export type HostFacts =
  ({ engineReachable: true } & EngineSide & HostSide) | ({ engineReachable: false; engineError: string } & Partial<EngineSide> & HostSide);

interface EngineSide {
  serverVersion: string;
  /** Engine's `KernelVersion` (for Docker Desktop, its VM's). */
  kernelVersion?: string;
  /** Engine's `OperatingSystem`, e.g. `Debian GNU/Linux 12 (bookworm)`, `Docker Desktop`. */
  operatingSystem?: string;
  /** Engine's `Architecture`: `x86_64`, `aarch64` (or Node's `x64`, `arm64`). */
  architecture?: string;
  isDockerDesktop: boolean;
  /** Engine's `MemTotal` (for Docker Desktop, the VM's memory). */
  memTotalBytes?: number;
  loggingDriver?: string;
  /** The engine's Unix socket on this machine; null for tcp/ssh/npipe. */
  socketPath?: string | null;
  dockerRootDir?: string;
}

interface HostSide {
  /** `process.platform` of the machine the app runs on. */
  hostPlatform: string;
  /** SwapTotal of the Linux host; null when unknown or not Linux. */
  swapTotalBytes?: number | null;
  /** `vm.swappiness` of the Linux host; null when unknown. */
  swappiness?: number | null;
  disks: DiskFact[];
  runners: RunnerFact[];
}

export type FindingStatus = 'ok' | 'warn' | 'fail';

export interface Finding {
  /** Stable id, `<check>` or `<check>:<runner or path>`; the renderer translates by the check part. */
  id: string;
  status: FindingStatus;
  message: string;
  fix?: string;
}

export interface PreflightReport {
  findings: Finding[];
}
