/**
 * What we know about the Docker engine we talk to. Pure data: the runner spec needs it to pick
 * binds that resolve on the engine's host, and preflight reads it for its findings.
 */
export interface EngineFacts {
  /** As given: `unix:///var/run/docker.sock`, `npipe:////./pipe/docker_engine`, `tcp://host:2376`. */
  host: string;
  /** Where the engine was found, for messages: `DOCKER_HOST`, `context "colima"`, `default socket`, … */
  source: string;
  /** Unix socket path (or Windows named pipe) on this machine; null for tcp/ssh. */
  socketPath: string | null;
  /** The engine runs on this machine (a unix socket or named pipe), so host paths mean the same to it. */
  local: boolean;
  /** Docker Desktop (macOS, Windows, Linux): bind paths resolve inside its VM. */
  dockerDesktop: boolean;
  serverVersion: string;
  apiVersion: string;
  /** e.g. `/var/lib/docker`; the runner reads `<root>/containers`. */
  dockerRootDir: string;
  /** `OperatingSystem` from /info, e.g. `Debian GNU/Linux 12 (bookworm)`, `Docker Desktop`. */
  operatingSystem: string;
  /** `linux` or `windows`. */
  osType: string;
  architecture: string;
  kernelVersion: string;
  memTotalBytes: number;
  cpus: number;
  loggingDriver: string;
  rootless: boolean;
}
