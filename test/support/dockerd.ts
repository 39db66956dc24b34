/**
 * A private Docker daemon for tests and benchmarks: its own data root, exec root, socket and
 * pidfile under one fresh temp dir, no bridge and no iptables, so the host's default daemon
 * and its `docker0` are never touched. Stopped only by its own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';

export interface PrivateDockerd {
  /** Absolute path of the daemon's unix socket. */
  readonly socketPath: string;
  /** `unix://<socketPath>`, for DOCKER_HOST. */
  readonly dockerHost: string;
  /** The temp dir holding data root, exec root, socket, pidfile and log. */
  readonly dir: string;
  readonly dataRoot: string;
  readonly logFile: string;
  /** Pid of the running daemon (changes on restart). */
  pid(): number;
  /** Stop (TERM, wait) if running, then start on the same roots and socket; containers survive. */
  restart(): Promise<void>;
  /** SIGKILL the daemon by its pid, as a crash would (no shutdown of its containers), and wait until it is gone. */
  kill(): Promise<void>;
  /** Stop by pid and delete the temp dir. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 60_000;

/** GET /_ping on a unix socket; resolves true on `200 OK`. */
export function ping(socketPath: string, timeoutMs = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A daemon restarted by a test worker is re-parented when that worker exits; if nobody reaps
  // it, it lingers as a zombie that still answers kill(0). A zombie has exited.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function readPid(pidFile: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Start a private dockerd in a fresh temp dir. */
export async function startDockerd(): Promise<PrivateDockerd> {
  // Short path: the exec root holds containerd's sockets, and unix socket paths max out at 108 bytes.
  const handle = attachDockerd(mkdtempSync('/tmp/rtd-'));
  await handle.restart();
  return handle;
}

/**
 * A handle on the private dockerd living in `dir`, found by its pidfile. Test files run in
 * worker processes: they attach to the daemon the global setup started, and may restart it;
 * the setup's teardown then stops whichever pid the pidfile names.
 */
export function attachDockerd(dir: string): PrivateDockerd {
  const dataRoot = join(dir, 'data');
  const execRoot = join(dir, 'x');
  const socketPath = join(dir, 'd.sock');
  const pidFile = join(dir, 'd.pid');
  const logFile = join(dir, 'dockerd.log');

  async function launch(): Promise<void> {
    // After a SIGKILL the daemon's containerd dies with it, but may linger as a zombie nobody
    // reaps; its pidfile then names a "live" process and the new daemon waits on a dead socket.
    const containerdPidFile = join(execRoot, 'containerd', 'containerd.pid');
    const containerdPid = readPid(containerdPidFile);
    if (containerdPid !== undefined && !alive(containerdPid)) rmSync(containerdPidFile, { force: true });
    const log = openSync(logFile, 'a');
    const child: ChildProcess = spawn(
      'dockerd',
      [
        '--data-root',
        dataRoot,
        '--exec-root',
        execRoot,
        '-H',
        `unix://${socketPath}`,
        '--pidfile',
        pidFile,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
      ],
      { stdio: ['ignore', log, log], detached: true },
    );
    closeSync(log);
    // The daemon must outlive a test worker that restarted it; teardown stops it by pid.
    child.unref();
    let failed: Error | undefined;
    child.once('error', (e) => (failed = e));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (failed) throw new Error(`could not run dockerd: ${failed.message}`);
      if (child.exitCode !== null) {
        throw new Error(`dockerd exited with ${child.exitCode}; see ${logFile}:\n${tail(logFile)}`);
      }
      if (await ping(socketPath)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`dockerd did not answer /_ping within ${READY_TIMEOUT_MS} ms; see ${logFile}:\n${tail(logFile)}`);
  }

  async function halt(): Promise<void> {
    const pid = readPid(pidFile);
    if (pid === undefined || !alive(pid)) return;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + STOP_TIMEOUT_MS;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) {
      process.kill(pid, 'SIGKILL');
      const killDeadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, 100));
    }
  }

  return {
    socketPath,
    dockerHost: `unix://${socketPath}`,
    dir,
    dataRoot,
    logFile,
    pid: () => {
      const pid = readPid(pidFile);
      if (pid === undefined || !alive(pid)) throw new Error(`private dockerd in ${dir} is not running`);
      return pid;
    },
    async restart() {
      await halt();
      await launch();
    },
    async kill() {
      const pid = readPid(pidFile);
      if (pid === undefined || !alive(pid)) throw new Error(`private dockerd in ${dir} is not running`);
      const containerd = readPid(join(execRoot, 'containerd', 'containerd.pid'));
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 10_000;
      while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // Its containerd gets SIGKILL with it (parent-death signal); wait for that too, so the next
      // start finds a dead pid in containerd's pidfile rather than one still exiting.
      while (containerd !== undefined && alive(containerd) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    },
    async stop() {
      await halt();
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      } catch {
        // A leftover mount can keep a file busy; the dir is in /tmp and harmless.
      }
    },
  };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}
