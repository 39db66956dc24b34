import type { Finding, HostFacts, PreflightReport, RunnerFact, StepSize } from './types.js';

/*
 * Thresholds, from Atlassian's Linux Docker runner requirements: Docker ≥ 19.03, Linux
 * kernel ≥ 4.0, a 64-bit host with ≥ 8 GB RAM, ≥ 512 MB for the runner container, step
 * sizes 1x = 4 GB … 8x = 32 GB. Disk limits are ours: images, caches and clones of a few
 * steps need several GiB.
 */
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
export const MIN_ENGINE: readonly [number, number] = [19, 3];
export const MIN_KERNEL: readonly [number, number] = [4, 0];
export const MIN_HOST_MEMORY = 8 * GiB;
export const MIN_RUNNER_MEMORY = 512 * MiB;
export const STEP_MEMORY: Readonly<Record<StepSize, number>> = { '1x': 4 * GiB, '2x': 8 * GiB, '4x': 16 * GiB, '8x': 32 * GiB };
export const DISK_FAIL_BELOW = 2 * GiB;
export const DISK_WARN_BELOW = 10 * GiB;

const RUNNER_SOCKET = '/var/run/docker.sock';
const RUNNER_CONTAINERS = '/var/lib/docker/containers';

export function formatBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  return `${Math.round(n / MiB)} MiB`;
}

/** `20.10.24+dfsg1` → [20, 10]; `6.1.0-18-amd64` → [6, 1]; null when there is no number. */
export function majorMinor(version: string | undefined): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

const atLeast = (v: [number, number], min: readonly [number, number]) => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

interface Bind {
  host: string;
  container: string;
}

/** `host:container[:opts]`; Windows drive letters (`C:\…`) kept whole. */
function parseBind(spec: string): Bind | null {
  const parts = spec.split(':');
  if (/^[A-Za-z]$/.test(parts[0] ?? '') && parts.length >= 3) parts.splice(0, 2, `${parts[0]}:${parts[1]}`);
  if (parts.length < 2) return null;
  return { host: parts[0]!, container: parts[1]! };
}

const trimSlash = (p: string) => (p.length > 1 ? p.replace(/\/+$/, '') : p);
const within = (path: string, dir: string) => {
  const p = trimSlash(path);
  const d = trimSlash(dir);
  return p === d || p.startsWith(d === '/' ? '/' : `${d}/`);
};

export function preflight(facts: HostFacts): PreflightReport {
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);

  // Engine
  if (!facts.engineReachable) {
    add({
      id: 'engine',
      status: 'fail',
      message: `The Docker engine is not reachable: ${facts.engineError}`,
      fix: 'Start Docker (sudo systemctl start docker, or open Docker Desktop), or point DOCKER_HOST / the Docker context at a running engine.',
    });
  } else {
    const v = majorMinor(facts.serverVersion);
    if (v === null) {
      add({ id: 'engine', status: 'warn', message: `Docker engine version "${facts.serverVersion}" could not be read; 19.03 or newer is required.` });
    } else if (!atLeast(v, MIN_ENGINE)) {
      add({
        id: 'engine',
        status: 'fail',
        message: `Docker engine ${facts.serverVersion} is too old: runners need 19.03 or newer.`,
        fix: 'Upgrade Docker Engine (https://docs.docker.com/engine/install/).',
      });
    } else {
      add({ id: 'engine', status: 'ok', message: `Docker engine ${facts.serverVersion} is reachable (19.03 or newer is required).` });
    }
  }

  // Operating system
  const desktop = facts.isDockerDesktop === true;
  const nonLinuxHost = facts.hostPlatform === 'darwin' || facts.hostPlatform === 'win32';
  if (desktop || nonLinuxHost) {
    add({
      id: 'os',
      status: 'warn',
      message: `Docker Desktop${nonLinuxHost ? ` on ${facts.hostPlatform === 'darwin' ? 'macOS' : 'Windows'}` : ''} runs Linux Docker runners, but Atlassian supports them only on a Linux host (kernel 4.0 or newer).`,
      fix: 'Fine for trying runners out; for a team\'s builds use a Linux host. Give Docker Desktop enough memory (Settings → Resources).',
    });
  } else if (facts.hostPlatform !== 'linux') {
    add({ id: 'os', status: 'fail', message: `Runners need Linux; this host is "${facts.hostPlatform}".` });
  } else if (facts.kernelVersion !== undefined) {
    const k = majorMinor(facts.kernelVersion);
    if (k === null) add({ id: 'os', status: 'warn', message: `Kernel version "${facts.kernelVersion}" could not be read; 4.0 or newer is required.` });
    else if (!atLeast(k, MIN_KERNEL)) {
      add({ id: 'os', status: 'fail', message: `Linux kernel ${facts.kernelVersion} is too old: runners need 4.0 or newer.`, fix: 'Upgrade the host\'s kernel or distribution.' });
    } else add({ id: 'os', status: 'ok', message: `Linux kernel ${facts.kernelVersion} (4.0 or newer is required).` });
  }

  // Architecture
  if (facts.architecture !== undefined) {
    const arch = facts.architecture.toLowerCase();
    if (arch === 'x86_64' || arch === 'amd64' || arch === 'x64') {
      add({ id: 'arch', status: 'ok', message: 'x86_64 host: runners need no extra label.' });
    } else if (arch === 'aarch64' || arch === 'arm64') {
      const unlabeled = facts.runners.filter((r) => !(r.labels ?? []).includes('linux.arm64'));
      const known = facts.runners.length > 0 && facts.runners.every((r) => r.labels !== undefined);
      const unknown = facts.runners.filter((r) => r.labels === undefined);
      if (known && unlabeled.length === 0) {
        add({ id: 'arch', status: 'ok', message: 'arm64 host, and every runner has the linux.arm64 label.' });
      } else if (unknown.length > 0 && unlabeled.every((r) => r.labels === undefined)) {
        add({
          id: 'arch',
          status: 'warn',
          message: `arm64 host: Bitbucket sends a step here only if the runner has the linux.arm64 label; the labels of ${unknown.map((r) => r.name).join(', ')} are unknown (Bitbucket is not connected, or does not list ${unknown.length === 1 ? 'this runner' : 'these runners'}).`,
          fix: 'Check the runner\'s labels in Bitbucket (Repository or Workspace settings → Runners), or connect Bitbucket (runner-tray bitbucket connect --workspace W) so doctor can read them. The runner needs the linux.arm64 label and steps need runs-on: [self.hosted, linux.arm64].',
        });
      } else {
        add({
          id: 'arch',
          status: 'warn',
          message: `arm64 host: Bitbucket sends a step here only if the runner has the linux.arm64 label${unlabeled.length && known ? ` (missing on ${unlabeled.map((r) => r.name).join(', ')})` : ''}.`,
          fix: 'Create the runner in Bitbucket with the linux.arm64 label (Linux Docker (arm64)) and use runs-on: [self.hosted, linux.arm64] in steps; step images must have arm64 variants.',
        });
      }
    } else {
      add({ id: 'arch', status: 'fail', message: `The runner image exists for x86_64 and arm64 only; this engine is ${facts.architecture}.` });
    }
  }

  // Memory
  const mem = facts.memTotalBytes;
  if (mem !== undefined) {
    const where = desktop ? 'Docker Desktop\'s VM has' : 'The host has';
    if (mem < STEP_MEMORY['1x'] + MIN_RUNNER_MEMORY) {
      add({
        id: 'memory',
        status: 'fail',
        message: `${where} ${formatBytes(mem)} of memory: not enough for the runner (512 MiB) and one 1x step (4 GiB).`,
        fix: desktop ? 'Raise Docker Desktop\'s memory (Settings → Resources) to 8 GiB or more.' : 'Use a host with at least 8 GiB of memory.',
      });
    } else if (mem < MIN_HOST_MEMORY) {
      add({
        id: 'memory',
        status: 'warn',
        message: `${where} ${formatBytes(mem)} of memory; Atlassian asks for at least 8 GiB.`,
        fix: desktop ? 'Raise Docker Desktop\'s memory (Settings → Resources) to 8 GiB or more.' : 'Add memory, or run only 1x steps on this runner.',
      });
    } else add({ id: 'memory', status: 'ok', message: `${where} ${formatBytes(mem)} of memory (8 GiB or more is required).` });

    if (facts.runners.length > 0) {
      // Bitbucket's API does not report a step's size:, so unless told, every runner counts as 1x.
      const unsized = facts.runners.filter((r) => r.largestStepSize === undefined);
      const assumed =
        unsized.length === 0
          ? ''
          : ` The step sizes ${unsized.length === facts.runners.length ? 'are' : `of ${unsized.map((r) => r.name).join(', ')} are`} unknown (Bitbucket does not report a step's size:), so 1x (4 GiB) is assumed; 2x needs 8 GiB, 4x 16 GiB, 8x 32 GiB.`;
      const need = (r: RunnerFact) => STEP_MEMORY[r.largestStepSize ?? '1x'] + MIN_RUNNER_MEMORY;
      const biggest = facts.runners.reduce((a, b) => (need(b) > need(a) ? b : a));
      const total = facts.runners.reduce((sum, r) => sum + need(r), 0);
      const size = biggest.largestStepSize ?? '1x';
      if (mem < need(biggest)) {
        add({
          id: 'memory-steps',
          status: 'fail',
          message: `Runner ${biggest.name} runs ${size} steps (${formatBytes(STEP_MEMORY[size])}) but only ${formatBytes(mem)} is available; those steps will fail.${assumed}`,
          fix: `Give the ${desktop ? 'Docker Desktop VM' : 'host'} more memory, or use a smaller size: for the steps that run here.`,
        });
      } else if (mem < total) {
        add({
          id: 'memory-steps',
          status: 'warn',
          message: `If all ${facts.runners.length} runners run their largest steps at once they need ${formatBytes(total)}; ${formatBytes(mem)} is available.${assumed}`,
          fix: 'Run fewer runners on this host, or lower the step sizes they take.',
        });
      } else {
        add({ id: 'memory-steps', status: 'ok', message: `${formatBytes(mem)} covers the runners' largest steps at once (${formatBytes(total)}).${assumed}` });
      }
    }
  }
  for (const r of facts.runners) {
    const limit = r.memoryLimitBytes;
    const id = `runner-memory:${r.name}`;
    if (limit === undefined || limit === null) {
      add({ id, status: 'ok', message: `Runner ${r.name}'s memory limit is unknown: it has no container yet (it is read from the container once the runner is started; 512 MiB or more is required).` });
    } else if (limit === 0) {
      add({ id, status: 'ok', message: `Runner ${r.name}'s container has no memory limit (the runner needs at least 512 MiB).` });
    } else if (limit < MIN_RUNNER_MEMORY) {
      add({
        id,
        status: 'fail',
        message: `Runner ${r.name} is limited to ${formatBytes(limit)}; the runner container needs at least 512 MiB.`,
        fix: 'Raise its memory limit to 512 MiB or more (or remove the limit) and recreate it.',
      });
    } else add({ id, status: 'ok', message: `Runner ${r.name}'s container is limited to ${formatBytes(limit)} (512 MiB or more is required).` });
  }

  // Swap: only a Linux host's own swap matters; Docker Desktop's VM is not ours to tune.
  if (!desktop && facts.hostPlatform === 'linux' && facts.swapTotalBytes != null) {
    const swap = facts.swapTotalBytes;
    const swappiness = facts.swappiness ?? null;
    const persist = "echo 'vm.swappiness=1' | sudo tee /etc/sysctl.d/99-bitbucket-runner.conf";
    if (swap === 0) add({ id: 'swap', status: 'ok', message: 'Swap is off: step memory limits behave as on Bitbucket Cloud.' });
    else if (swappiness !== null && swappiness <= 1) {
      add({ id: 'swap', status: 'ok', message: `Swap is on (${formatBytes(swap)}) with vm.swappiness=${swappiness}: step memory limits behave almost as on Bitbucket Cloud.` });
    } else {
      add({
        id: 'swap',
        status: 'warn',
        message: `Swap is on (${formatBytes(swap)})${swappiness === null ? '' : ` with vm.swappiness=${swappiness}`}: a step over its memory limit may swap and slow down instead of failing as on Bitbucket Cloud.`,
        fix: `Either turn swap off: sudo swapoff -a (and comment out the swap line in /etc/fstab to keep it off), or make the kernel avoid it: sudo sysctl vm.swappiness=1, kept after reboot with ${persist}`,
      });
    }
  }

  // Disk
  for (const d of facts.disks) {
    const what = d.role === 'docker-root' ? 'Docker\'s data directory' : 'the working directory';
    const id = `disk:${d.path}`;
    if (d.freeBytes === null) {
      add({ id, status: 'warn', message: `Free space in ${what} ${d.path} could not be read.`, fix: `Check that ${d.path} exists and is readable.` });
    } else if (d.freeBytes < DISK_FAIL_BELOW) {
      add({
        id,
        status: 'fail',
        message: `Only ${formatBytes(d.freeBytes)} free in ${what} ${d.path}; steps will fail with "no space left on device".`,
        fix: d.role === 'docker-root' ? 'Free space: docker system prune (removes stopped containers, unused networks and dangling images), or move Docker\'s data-root to a larger disk.' : `Free space under ${d.path}, or move the working directory to a larger disk.`,
      });
    } else if (d.freeBytes < DISK_WARN_BELOW) {
      add({
        id,
        status: 'warn',
        message: `${formatBytes(d.freeBytes)} free in ${what} ${d.path}; images, caches and clones can need more.`,
        fix: d.role === 'docker-root' ? 'docker system prune, or a larger disk for Docker\'s data-root.' : `Free space under ${d.path}.`,
      });
    } else add({ id, status: 'ok', message: `${formatBytes(d.freeBytes)} free in ${what} ${d.path}.` });
  }

  // Logging driver: the app follows runner logs through the engine, which needs a readable driver.
  if (facts.loggingDriver !== undefined) {
    const driver = facts.loggingDriver;
    const v = majorMinor(facts.serverVersion);
    if (driver === 'none') {
      add({
        id: 'logging-driver',
        status: 'fail',
        message: 'The engine\'s logging driver is "none": runner logs cannot be read, so steps and failures cannot be shown.',
        fix: 'Set "log-driver": "json-file" (or "local") in /etc/docker/daemon.json and restart Docker, or give the runner containers their own log driver.',
      });
    } else if (driver === 'json-file' || driver === 'local' || driver === 'journald' || (v !== null && atLeast(v, [20, 10]))) {
      add({ id: 'logging-driver', status: 'ok', message: `Logging driver "${driver}": runner logs can be followed.` });
    } else {
      add({
        id: 'logging-driver',
        status: 'fail',
        message: `Logging driver "${driver}" cannot be read back before Docker 20.10, so steps and failures cannot be shown.`,
        fix: 'Use the json-file or local driver for runner containers, or upgrade Docker to 20.10 or newer (dual logging).',
      });
    }
  }

  // Binds each runner needs: the engine socket, the containers directory, the working directory.
  for (const r of facts.runners) {
    const binds = r.binds.map(parseBind).filter((b): b is Bind => b !== null);
    const sock = binds.find((b) => b.container === RUNNER_SOCKET);
    const expectSock = !desktop && facts.socketPath ? facts.socketPath : null;
    if (!sock) {
      add({
        id: `bind-socket:${r.name}`,
        status: 'fail',
        message: `Runner ${r.name} does not mount the Docker socket, so it cannot start step containers.`,
        fix: `Add -v ${expectSock ?? RUNNER_SOCKET}:${RUNNER_SOCKET} (recreate the runner from its pasted command).`,
      });
    } else if (expectSock && trimSlash(sock.host) !== trimSlash(expectSock)) {
      add({
        id: `bind-socket:${r.name}`,
        status: 'fail',
        message: `Runner ${r.name} mounts ${sock.host} as the Docker socket, but this engine listens on ${expectSock}.`,
        fix: `Use -v ${expectSock}:${RUNNER_SOCKET}.`,
      });
    } else add({ id: `bind-socket:${r.name}`, status: 'ok', message: `Runner ${r.name} mounts the Docker socket.` });

    const cont = binds.find((b) => trimSlash(b.container) === RUNNER_CONTAINERS);
    const expectCont = !desktop && facts.dockerRootDir ? `${trimSlash(facts.dockerRootDir)}/containers` : null;
    if (!cont) {
      add({
        id: `bind-containers:${r.name}`,
        status: 'fail',
        message: `Runner ${r.name} does not mount Docker's containers directory, so it cannot read its step containers' logs.`,
        fix: `Add -v ${expectCont ?? RUNNER_CONTAINERS}:${RUNNER_CONTAINERS}:ro.`,
      });
    } else if (expectCont && trimSlash(cont.host) !== expectCont) {
      add({
        id: `bind-containers:${r.name}`,
        status: 'fail',
        message: `Runner ${r.name} mounts ${cont.host}, but this engine keeps containers in ${expectCont} (DockerRootDir ${facts.dockerRootDir}).`,
        fix: `Use -v ${expectCont}:${RUNNER_CONTAINERS}:ro.`,
      });
    } else add({ id: `bind-containers:${r.name}`, status: 'ok', message: `Runner ${r.name} mounts Docker's containers directory.` });

    const wd = r.workingDirectory;
    const same = binds.find((b) => trimSlash(b.host) === trimSlash(b.container) && within(wd, b.container));
    if (!same) {
      add({
        id: `bind-workdir:${r.name}`,
        status: 'fail',
        message: `Runner ${r.name}'s working directory ${wd} is not mounted at the same path on host and container; the runner passes these paths to its step containers, so steps fail.`,
        fix: `Add -v ${wd}:${wd} and keep WORKING_DIRECTORY=${wd}.`,
      });
    } else add({ id: `bind-workdir:${r.name}`, status: 'ok', message: `Runner ${r.name}'s working directory ${wd} is mounted at the same path.` });
  }

  // Two runners in one working directory clean up each other's files.
  if (facts.runners.length > 1) {
    const byDir = new Map<string, string[]>();
    for (const r of facts.runners) {
      const key = trimSlash(r.workingDirectory);
      byDir.set(key, [...(byDir.get(key) ?? []), r.name]);
    }
    const shared = [...byDir.entries()].filter(([, names]) => names.length > 1);
    if (shared.length > 0) {
      add({
        id: 'shared-working-dir',
        status: 'warn',
        message: `Runners share a working directory: ${shared.map(([dir, names]) => `${names.join(', ')} in ${dir}`).join('; ')}. One runner's cleanup can delete another's running step files.`,
        fix: 'Give each runner its own working directory, e.g. /tmp/runner-<name>, mounted at the same path (-v /tmp/runner-<name>:/tmp/runner-<name>, WORKING_DIRECTORY=/tmp/runner-<name>).',
      });
    } else add({ id: 'shared-working-dir', status: 'ok', message: 'Each runner has its own working directory.' });
  }

  return { findings };
}

/** `doctor` exits 1 when this is true. */
export function hasFailure(report: PreflightReport): boolean {
  return report.findings.some((f) => f.status === 'fail');
}
