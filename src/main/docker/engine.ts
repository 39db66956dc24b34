/**
 * Connect to the Docker engine the way the docker CLI finds it, and learn the facts the runner
 * containers depend on (socket, Docker Desktop, DockerRootDir).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import type { EngineFacts } from '../../shared/engine-facts.js';
import { discoverCandidates, socketPathOf, type DiscoveryEnv, type EngineCandidate } from './candidates.js';

export interface Engine {
  readonly docker: Docker;
  readonly facts: EngineFacts;
}

export class EngineUnreachableError extends Error {
  readonly code = 'ENGINE_UNREACHABLE';
  constructor(
    message: string,
    /** Each place tried, with why it failed. */
    readonly attempts: ReadonlyArray<{ host: string; source: string; reason: string }>,
  ) {
    super(message);
    this.name = 'EngineUnreachableError';
  }
}

export interface ConnectOptions {
  /** Defaults to the real process environment, platform, home dir and file system. */
  discovery?: Partial<DiscoveryEnv>;
  /** Per-candidate ping timeout. */
  pingTimeoutMs?: number;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export function dockerOptions(c: EngineCandidate): Docker.DockerOptions {
  const socketPath = socketPathOf(c.host);
  if (socketPath !== null) return { socketPath };
  const url = new URL(c.host);
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tls = c.tls ?? (url.protocol === 'https:' ? { verify: true, certPath: '' } : undefined);
    const opts: Docker.DockerOptions = {
      host: url.hostname,
      port: url.port || (tls ? 2376 : 2375),
      protocol: tls ? 'https' : 'http',
    };
    if (tls && tls.certPath) {
      opts.ca = readText(join(tls.certPath, 'ca.pem'));
      opts.cert = readText(join(tls.certPath, 'cert.pem'));
      opts.key = readText(join(tls.certPath, 'key.pem'));
    }
    return opts;
  }
  if (url.protocol === 'ssh:') {
    return { protocol: 'ssh', host: url.hostname, port: url.port || 22, username: url.username || undefined };
  }
  throw new Error(`unsupported scheme "${url.protocol}" (use unix://, npipe://, tcp:// or ssh://)`);
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

function reasonOf(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  if (err?.code === 'ENOENT') return 'no such socket';
  if (err?.code === 'ECONNREFUSED') return 'connection refused (socket exists, no engine behind it)';
  if (err?.code === 'EACCES') return 'permission denied (add your user to the "docker" group, then log in again)';
  return typeof err?.message === 'string' ? err.message : String(e);
}

/** Find and ping the engine; throws EngineUnreachableError naming every place it looked. */
export async function connectEngine(options: ConnectOptions = {}): Promise<Engine> {
  const d: DiscoveryEnv = {
    env: process.env,
    platform: process.platform,
    homedir: homedir(),
    readFile: readText,
    ...options.discovery,
  };
  const pingTimeoutMs = options.pingTimeoutMs ?? 5_000;
  const { candidates, notes, explicit } = discoverCandidates(d);
  const attempts: Array<{ host: string; source: string; reason: string }> = [];

  for (const c of candidates) {
    let docker: Docker;
    try {
      docker = new Docker(dockerOptions(c));
      await withTimeout(docker.ping(), pingTimeoutMs, 'ping');
    } catch (e) {
      attempts.push({ host: c.host, source: c.source, reason: reasonOf(e) });
      continue;
    }
    try {
      return { docker, facts: await readFacts(docker, c) };
    } catch (e) {
      attempts.push({ host: c.host, source: c.source, reason: `answered ping but not /info: ${reasonOf(e)}` });
    }
  }

  const lines = attempts.map((a) => `  - ${a.host} (${a.source}): ${a.reason}`);
  for (const n of notes) lines.push(`  - ${n}`);
  const fix = explicit
    ? candidates[0]?.source === 'DOCKER_HOST'
      ? 'Start that engine, or unset DOCKER_HOST / point it at a running engine (e.g. DOCKER_HOST=unix:///var/run/docker.sock).'
      : 'Start that engine, or switch context (`docker context use default`), or set DOCKER_HOST to a running engine.'
    : "Start Docker (e.g. `sudo systemctl start docker`, or open Docker Desktop), or set DOCKER_HOST to the engine's socket (e.g. DOCKER_HOST=unix:///run/user/1000/docker.sock).";
  throw new EngineUnreachableError(`No Docker engine answered. Looked at:\n${lines.join('\n')}\n${fix}`, attempts);
}

interface InfoFacts {
  ServerVersion?: string;
  DockerRootDir?: string;
  OperatingSystem?: string;
  OSType?: string;
  Architecture?: string;
  KernelVersion?: string;
  MemTotal?: number;
  NCPU?: number;
  LoggingDriver?: string;
  SecurityOptions?: string[];
  Labels?: string[];
}

async function readFacts(docker: Docker, c: EngineCandidate): Promise<EngineFacts> {
  const [info, version] = (await Promise.all([docker.info(), docker.version()])) as [InfoFacts, { ApiVersion?: string; Version?: string }];
  const socketPath = socketPathOf(c.host);
  const os = info.OperatingSystem ?? '';
  const dockerDesktop =
    os === 'Docker Desktop' ||
    (info.Labels ?? []).some((l) => l.startsWith('com.docker.desktop.')) ||
    (socketPath !== null && /[\\/]\.docker[\\/](run|desktop)[\\/]docker\.sock$/.test(socketPath)) ||
    (socketPath !== null && socketPath.startsWith('//./pipe/'));
  return {
    host: c.host,
    source: c.source,
    socketPath,
    local: socketPath !== null,
    dockerDesktop,
    serverVersion: info.ServerVersion ?? version.Version ?? 'unknown',
    apiVersion: version.ApiVersion ?? 'unknown',
    dockerRootDir: info.DockerRootDir ?? '/var/lib/docker',
    operatingSystem: os,
    osType: info.OSType ?? 'linux',
    architecture: info.Architecture ?? '',
    kernelVersion: info.KernelVersion ?? '',
    memTotalBytes: info.MemTotal ?? 0,
    cpus: info.NCPU ?? 0,
    loggingDriver: info.LoggingDriver ?? '',
    rootless: (info.SecurityOptions ?? []).some((o) => o.includes('rootless')),
  };
}
