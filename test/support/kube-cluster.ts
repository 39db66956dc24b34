/**
 * The tests' real single-node Kubernetes, started by scripts/kube-cluster.sh (the prebuilt one in
 * ../shared/k8s, or built from Debian's source package on a clean machine) in a fresh temp dir, on
 * free loopback ports and a bridge of its own so two runs (or a developer's cluster) never meet.
 * Stopped only through the same script, which stops exactly the pids it recorded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'scripts', 'kube-cluster.sh');

export interface TestCluster {
  dir: string;
  /** Admin (system:masters). */
  kubeconfig: string;
  /** get/list/watch only. */
  kubeconfigReadonly: string;
  /** No rights at all. */
  kubeconfigNobody: string;
  /** `unix://…` of the node's own dockerd: load pod images there. */
  nodeDockerHost: string;
  /** Seconds from `start` to a Ready node. */
  startSeconds: number;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function clusterEnv(): Promise<NodeJS.ProcessEnv> {
  const [api, etcd, peer, kubelet, healthz] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const net = 20 + Math.floor(Math.random() * 200);
  return {
    ...process.env,
    // npm sets NODE to its node binary; kube.sh reads NODE=1 as "start the kubelet too".
    NODE: '1',
    API_PORT: String(api),
    ETCD_PORT: String(etcd),
    ETCD_PEER: String(peer),
    KUBELET_PORT: String(kubelet),
    KUBELET_HEALTHZ: String(healthz),
    BR: `rtk-t${process.pid % 100000}`,
    BR_CIDR: `10.213.${net}.1/24`,
  };
}

export async function startCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'rt-kube-'));
  const env = await clusterEnv();
  const t0 = Date.now();
  const stop = async () => {
    await run('bash', [SCRIPT, 'stop', dir], { env, maxBuffer: 1 << 24 }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  let stdout = '';
  const value = (key: string) => {
    const m = new RegExp(`^${key}=(.+)$`, 'm').exec(stdout);
    if (!m) throw new Error(`kube-cluster.sh printed no ${key}=…:\n${stdout}`);
    return m[1]!.trim();
  };
  let kubeconfig: string;
  let nodeDockerHost: string;
  try {
    // A clean machine builds the binaries first (~6 min); later starts take 15-30 s.
    ({ stdout } = await run('bash', [SCRIPT, 'start', dir], { env, timeout: 20 * 60_000, maxBuffer: 1 << 24 }));
    kubeconfig = value('KUBECONFIG');
    nodeDockerHost = value('NODE_DOCKER_HOST');
  } catch (e) {
    await stop();
    throw new Error(`The test cluster did not start: ${(e as Error).message}`, { cause: e });
  }
  return {
    dir,
    kubeconfig,
    kubeconfigReadonly: join(dir, 'kubeconfig-readonly'),
    kubeconfigNobody: join(dir, 'kubeconfig-nobody'),
    nodeDockerHost,
    startSeconds: (Date.now() - t0) / 1000,
    stop,
  };
}
