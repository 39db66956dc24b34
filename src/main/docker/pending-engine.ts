/**
 * The engine a long-running host follows while Docker is not up yet (at login the tray races
 * Docker Desktop; on a server `serve` may start before `docker.service`). The client points where
 * the docker CLI would look first, so the monitor's reconnect loop finds the engine the moment it
 * answers; the facts are unknown until then and say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import Docker from 'dockerode';
import type { EngineFacts } from '../../shared/engine-facts.js';
import { discoverCandidates, socketPathOf, type DiscoveryEnv } from './candidates.js';
import { dockerOptions, type Engine } from './engine.js';

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * A client for the engine that should be there: the one the user chose (DOCKER_HOST or a docker
 * context), else the first per-OS socket that exists, else the first place the CLI looks.
 */
export function pendingEngine(discovery: Partial<DiscoveryEnv> = {}): Engine {
  const d: DiscoveryEnv = { env: process.env, platform: process.platform, homedir: homedir(), readFile: readText, ...discovery };
  const { candidates } = discoverCandidates(d);
  const chosen =
    candidates.find((c) => {
      const socket = socketPathOf(c.host);
      return socket !== null && existsSync(socket);
    }) ?? candidates[0];
  if (!chosen) throw new Error('No place to look for a Docker engine on this platform; set DOCKER_HOST.');
  const socketPath = socketPathOf(chosen.host);
  const facts: EngineFacts = {
    host: chosen.host,
    source: chosen.source,
    socketPath,
    local: socketPath !== null,
    dockerDesktop: false,
    serverVersion: 'unknown',
    apiVersion: 'unknown',
    dockerRootDir: '/var/lib/docker',
    operatingSystem: '',
    osType: 'linux',
    architecture: '',
    kernelVersion: '',
    memTotalBytes: 0,
    cpus: 0,
    loggingDriver: '',
    rootless: false,
  };
  return { docker: new Docker(dockerOptions(chosen)), facts };
}
