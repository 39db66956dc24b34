import { isDesktop, type PreflightCheck } from '../check.js';
import type { Finding, HostFacts, RunnerFact } from '../types.js';
import { trimSlash, within } from './paths.js';

/** Where the runner expects the engine's socket and containers directory inside its container. */
const RUNNER_SOCKET = '/var/run/docker.sock';
const RUNNER_CONTAINERS = '/var/lib/docker/containers';

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

/** The binds each runner needs: the engine socket, the containers directory, the working directory. */
export const binds: PreflightCheck = {
  id: 'binds',
  applicable: (facts) => facts.runners.length > 0,
  check(facts) {
    return facts.runners.flatMap((r) => {
      const list = r.binds.map(parseBind).filter((b): b is Bind => b !== null);
      return [socketBind(r, list, facts), containersBind(r, list, facts), workdirBind(r, list)];
    });
  },
};

function socketBind(r: RunnerFact, list: Bind[], facts: HostFacts): Finding {
  const id = `bind-socket:${r.name}`;
  const sock = list.find((b) => b.container === RUNNER_SOCKET);
  const expected = !isDesktop(facts) && facts.socketPath ? facts.socketPath : null;
  if (!sock) {
    return {
      id,
      status: 'fail',
      message: `Runner ${r.name} does not mount the Docker socket, so it cannot start step containers.`,
      fix: `Add -v ${expected ?? RUNNER_SOCKET}:${RUNNER_SOCKET} (recreate the runner from its pasted command).`,
    };
  }
  if (expected && trimSlash(sock.host) !== trimSlash(expected)) {
    return {
      id,
      status: 'fail',
      message: `Runner ${r.name} mounts ${sock.host} as the Docker socket, but this engine listens on ${expected}.`,
      fix: `Use -v ${expected}:${RUNNER_SOCKET}.`,
    };
  }
  return { id, status: 'ok', message: `Runner ${r.name} mounts the Docker socket.` };
}

function containersBind(r: RunnerFact, list: Bind[], facts: HostFacts): Finding {
  const id = `bind-containers:${r.name}`;
  const cont = list.find((b) => trimSlash(b.container) === RUNNER_CONTAINERS);
  const expected = !isDesktop(facts) && facts.dockerRootDir ? `${trimSlash(facts.dockerRootDir)}/containers` : null;
  if (!cont) {
    return {
      id,
      status: 'fail',
      message: `Runner ${r.name} does not mount Docker's containers directory, so it cannot read its step containers' logs.`,
      fix: `Add -v ${expected ?? RUNNER_CONTAINERS}:${RUNNER_CONTAINERS}:ro.`,
    };
  }
  if (expected && trimSlash(cont.host) !== expected) {
    return {
      id,
      status: 'fail',
      message: `Runner ${r.name} mounts ${cont.host}, but this engine keeps containers in ${expected} (DockerRootDir ${facts.dockerRootDir}).`,
      fix: `Use -v ${expected}:${RUNNER_CONTAINERS}:ro.`,
    };
  }
  return { id, status: 'ok', message: `Runner ${r.name} mounts Docker's containers directory.` };
}

/** The runner passes working-directory paths to its step containers, so they must be the same on both sides. */
function workdirBind(r: RunnerFact, list: Bind[]): Finding {
  const id = `bind-workdir:${r.name}`;
  const wd = r.workingDirectory;
  const same = list.find((b) => trimSlash(b.host) === trimSlash(b.container) && within(wd, b.container));
  if (!same) {
    return {
      id,
      status: 'fail',
      message: `Runner ${r.name}'s working directory ${wd} is not mounted at the same path on host and container; the runner passes these paths to its step containers, so steps fail.`,
      fix: `Add -v ${wd}:${wd} and keep WORKING_DIRECTORY=${wd}.`,
    };
  }
  return { id, status: 'ok', message: `Runner ${r.name}'s working directory ${wd} is mounted at the same path.` };
}
