/**
 * The options `docker run` / `docker container run` accepts, with their arity, taken from the
 * docker CLI (cli/command/container/opts.go `addFlags` and run.go `addRunFlags`, Docker 20–28).
 * Knowing which options take a value is what keeps a value from being read as the image: pflag
 * stops at the first non-option word, and that word is the image.
 */

export interface DockerFlag {
  /** Long name without dashes. */
  name: string;
  short?: string;
  takesValue: boolean;
}

/** Long option names that take a value (`--name X`, `--name=X`). */
const VALUE_FLAGS = [
  'add-host',
  'annotation',
  'attach',
  'blkio-weight',
  'blkio-weight-device',
  'cap-add',
  'cap-drop',
  'cgroup-parent',
  'cgroupns',
  'cidfile',
  'cpu-count',
  'cpu-percent',
  'cpu-period',
  'cpu-quota',
  'cpu-rt-period',
  'cpu-rt-runtime',
  'cpu-shares',
  'cpus',
  'cpuset-cpus',
  'cpuset-mems',
  'detach-keys',
  'device',
  'device-cgroup-rule',
  'device-read-bps',
  'device-read-iops',
  'device-write-bps',
  'device-write-iops',
  'dns',
  'dns-opt',
  'dns-option',
  'dns-search',
  'domainname',
  'entrypoint',
  'env',
  'env-file',
  'expose',
  'gpus',
  'group-add',
  'health-cmd',
  'health-interval',
  'health-retries',
  'health-start-interval',
  'health-start-period',
  'health-timeout',
  'hostname',
  'io-maxbandwidth',
  'io-maxiops',
  'ip',
  'ip6',
  'ipc',
  'isolation',
  'kernel-memory',
  'label',
  'label-file',
  'link',
  'link-local-ip',
  'log-driver',
  'log-opt',
  'mac-address',
  'memory',
  'memory-reservation',
  'memory-swap',
  'memory-swappiness',
  'mount',
  'name',
  'net',
  'net-alias',
  'network',
  'network-alias',
  'oom-score-adj',
  'pid',
  'pids-limit',
  'platform',
  'publish',
  'pull',
  'restart',
  'runtime',
  'security-opt',
  'shm-size',
  'stop-signal',
  'stop-timeout',
  'storage-opt',
  'sysctl',
  'tmpfs',
  'ulimit',
  'user',
  'userns',
  'uts',
  'volume',
  'volume-driver',
  'volumes-from',
  'workdir',
] as const;

/** Boolean options: they never consume the next word (`--rm=false` is the only way to give them a value). */
const BOOL_FLAGS = [
  'detach',
  'disable-content-trust',
  'help',
  'init',
  'interactive',
  'no-healthcheck',
  'oom-kill-disable',
  'privileged',
  'publish-all',
  'quiet',
  'read-only',
  'rm',
  'sig-proxy',
  'tty',
  'use-api-socket',
] as const;

const SHORTHANDS: Record<string, string> = {
  a: 'attach',
  c: 'cpu-shares',
  d: 'detach',
  e: 'env',
  h: 'hostname',
  i: 'interactive',
  l: 'label',
  m: 'memory',
  p: 'publish',
  P: 'publish-all',
  q: 'quiet',
  t: 'tty',
  u: 'user',
  v: 'volume',
  w: 'workdir',
};

function table(values: readonly string[], bools: readonly string[], shorts: Record<string, string>) {
  const byLong = new Map<string, DockerFlag>();
  for (const name of values) byLong.set(name, { name, takesValue: true });
  for (const name of bools) byLong.set(name, { name, takesValue: false });
  const byShort = new Map<string, DockerFlag>();
  for (const [short, long] of Object.entries(shorts)) {
    const flag = byLong.get(long);
    if (!flag) throw new Error(`shorthand -${short} points at unknown --${long}`);
    flag.short = short;
    byShort.set(short, flag);
  }
  return { byLong, byShort };
}

export const RUN_FLAGS = table(VALUE_FLAGS, BOOL_FLAGS, SHORTHANDS);

/** Options of `docker` itself, before the subcommand (`docker -H tcp://… run …`). */
export const GLOBAL_FLAGS = table(
  ['config', 'context', 'host', 'log-level', 'tlscacert', 'tlscert', 'tlskey'],
  ['debug', 'tls', 'tlsverify', 'help', 'version'],
  { c: 'context', H: 'host', l: 'log-level', D: 'debug', v: 'version' },
);

export type FlagTable = typeof RUN_FLAGS;

/**
 * Options the app has no use for and that need no warning: the app always runs the runner
 * detached, without a terminal, and reads its output from the log stream.
 */
export const SILENT_FLAGS = new Set(['detach', 'interactive', 'tty']);
