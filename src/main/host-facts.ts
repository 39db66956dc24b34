/**
 * The I/O half of `doctor`: read what the pure preflight judges. Engine facts come from
 * `/info` + `/version` (through `connectEngine`), the rest from this machine: `/proc/meminfo`
 * swap, `vm.swappiness`, free space (statfs) of each runner's working directory and, when the
 * engine is local, its DockerRootDir. Per runner: its container's memory limit (inspect,
 * `HostConfig.Memory`) and, when Bitbucket is connected, its labels as Bitbucket lists them.
 * Step sizes are not in Bitbucket's REST API, so they stay unknown. A fact that cannot be read is
 * left null or absent: the finding says so.
 */
import { readFile, statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DiskFact, HostFacts, RunnerFact } from '../shared/preflight/types.js';
import { bare, engineBinds } from '../shared/runner-spec.js';
import type { Engine } from './docker/engine.js';
import { listRunnerContainers, newestByRunner } from './docker/runner-containers.js';
import type { RunnerRecord } from './settings/types.js';

export interface HostFactsInput {
  /** The connected engine, or the error that connecting gave. */
  engine: Engine | { error: unknown };
  runners: readonly RunnerRecord[];
  platform?: NodeJS.Platform;
  /** Where `/proc` is (tests point it at a fixture tree). */
  procRoot?: string;
  /** Runners as Bitbucket lists them (`fetchOurRunners`), when connected; their labels are used. */
  bitbucketRunners?: ReadonlyArray<{ uuid: string; labels: readonly string[] }> | null;
}

/**
 * Each runner's newest container's `HostConfig.Memory` (0 = no limit), by runner UUID without
 * braces; runners without a container are absent. Null when the engine could not be asked.
 */
export async function runnerMemoryLimits(engine: Engine): Promise<Map<string, number> | null> {
  try {
    const newest = newestByRunner(await listRunnerContainers(engine.docker));
    const out = new Map<string, number>();
    await Promise.all(
      [...newest].map(async ([uuid, { id }]) => {
        try {
          const info = await engine.docker.getContainer(id).inspect();
          out.set(uuid, info.HostConfig?.Memory ?? 0);
        } catch {
          /* removed meanwhile: unknown */
        }
      }),
    );
    return out;
  } catch {
    return null;
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
}

/** `SwapTotal:  2097148 kB` → bytes; null when absent. */
export function swapTotalFromMeminfo(meminfo: string): number | null {
  const m = /^SwapTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : null;
}

/** Free bytes for an unprivileged user at `path`, or at the nearest existing parent. */
export async function freeBytes(path: string): Promise<number | null> {
  let p = path;
  for (let i = 0; i < 64; i++) {
    try {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    } catch {
      const up = dirname(p);
      if (up === p) return null;
      p = up;
    }
  }
  return null;
}

export async function gatherHostFacts(input: HostFactsInput): Promise<HostFacts> {
  const platform = input.platform ?? process.platform;
  const proc = input.procRoot ?? '/proc';
  const linux = platform === 'linux';
  const [meminfo, swappinessText] = linux ? await Promise.all([readText(`${proc}/meminfo`), readText(`${proc}/sys/vm/swappiness`)]) : [null, null];
  const swappiness = swappinessText === null ? null : Number.parseInt(swappinessText.trim(), 10);
  const engine = 'docker' in input.engine ? input.engine : null;

  const disks: DiskFact[] = [];
  const seen = new Set<string>();
  for (const r of input.runners) {
    const dir = r.spec.workingDirectory;
    if (seen.has(dir)) continue;
    seen.add(dir);
    disks.push({ path: dir, role: 'working-directory', freeBytes: await freeBytes(dir) });
  }
  if (engine && engine.facts.local && !engine.facts.dockerDesktop) {
    disks.push({ path: engine.facts.dockerRootDir, role: 'docker-root', freeBytes: await freeBytes(engine.facts.dockerRootDir) });
  }

  const limits = engine ? await runnerMemoryLimits(engine) : null;
  const labels = new Map((input.bitbucketRunners ?? []).map((r) => [bare(r.uuid), [...r.labels]]));
  const runners: RunnerFact[] = input.runners.map((r) => {
    const fact: RunnerFact = {
      name: r.spec.name,
      workingDirectory: r.spec.workingDirectory,
      binds: engine ? engineBinds(r.spec.binds, engine.facts) : [...r.spec.binds],
    };
    const limit = limits?.get(bare(r.spec.runnerUuid));
    if (limit !== undefined) fact.memoryLimitBytes = limit;
    const known = labels.get(bare(r.spec.runnerUuid));
    if (known) fact.labels = known;
    return fact;
  });

  const host = {
    hostPlatform: platform,
    swapTotalBytes: meminfo === null ? null : swapTotalFromMeminfo(meminfo),
    swappiness: Number.isInteger(swappiness) ? swappiness : null,
    disks,
    runners,
  };
  if (!engine) {
    const err = (input.engine as { error: unknown }).error;
    return { engineReachable: false, engineError: err instanceof Error ? err.message : String(err), ...host };
  }
  const f = engine.facts;
  return {
    engineReachable: true,
    serverVersion: f.serverVersion,
    kernelVersion: f.kernelVersion,
    operatingSystem: f.operatingSystem,
    architecture: f.architecture,
    isDockerDesktop: f.dockerDesktop,
    memTotalBytes: f.memTotalBytes,
    loggingDriver: f.loggingDriver,
    socketPath: f.socketPath,
    dockerRootDir: f.dockerRootDir,
    ...host,
  };
}
