import { describe, expect, it } from 'vitest';
import { hasFailure, preflight, THRESHOLDS, type HostFacts, type RunnerFact, type Thresholds } from '../../src/shared/preflight/index.js';

const GiB = 1024 ** 3;
const runner = (name: string, over: Partial<RunnerFact> = {}): RunnerFact => ({
  name,
  workingDirectory: '/tmp',
  binds: ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/containers:/var/lib/docker/containers:ro'],
  ...over,
});
const healthy = (over: Partial<Extract<HostFacts, { engineReachable: true }>> = {}): HostFacts => ({
  engineReachable: true,
  serverVersion: '24.0.7',
  kernelVersion: '6.1.0-18-amd64',
  operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  architecture: 'x86_64',
  isDockerDesktop: false,
  memTotalBytes: 16 * GiB,
  loggingDriver: 'json-file',
  socketPath: '/var/run/docker.sock',
  dockerRootDir: '/var/lib/docker',
  hostPlatform: 'linux',
  swapTotalBytes: 0,
  swappiness: 60,
  disks: [
    { path: '/tmp', role: 'working-directory', freeBytes: 50 * GiB },
    { path: '/var/lib/docker', role: 'docker-root', freeBytes: 80 * GiB },
  ],
  runners: [runner('alpha')],
  ...over,
});
const find = (facts: HostFacts, id: string) => preflight(facts).findings.find((f) => f.id === id);

describe('preflight', () => {
  it('a supported Linux host with a pasted runner passes every check', () => {
    const report = preflight(healthy());
    expect(report.findings.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(report.findings.map((f) => f.id)).toEqual([
      'engine',
      'os',
      'arch',
      'memory',
      'memory-steps',
      'runner-memory:alpha',
      'swap',
      'disk:/tmp',
      'disk:/var/lib/docker',
      'logging-driver',
      'bind-socket:alpha',
      'bind-containers:alpha',
      'bind-workdir:alpha',
    ]);
    expect(hasFailure(report)).toBe(false);
  });

  it('says "unknown" where a runner fact could not be learned, instead of a verdict', () => {
    // Step sizes: Bitbucket's API does not report them.
    const steps = find(healthy(), 'memory-steps');
    expect(steps).toMatchObject({
      status: 'ok',
      message: expect.stringContaining("step sizes are unknown (Bitbucket does not report a step's size:), so 1x (4 GiB) is assumed"),
    });
    expect(find(healthy({ runners: [runner('alpha', { largestStepSize: '2x' })] }), 'memory-steps')?.message).not.toContain('unknown');
    // Labels: Bitbucket not connected.
    const arch = find(healthy({ architecture: 'aarch64' }), 'arch');
    expect(arch).toMatchObject({ status: 'warn', message: expect.stringContaining('the labels of alpha are unknown') });
    expect(arch?.fix).toContain('runner-tray bitbucket connect');
    const unlabeled = find(healthy({ architecture: 'aarch64', runners: [runner('alpha', { labels: ['self.hosted', 'linux'] })] }), 'arch');
    expect(unlabeled).toMatchObject({ status: 'warn', message: expect.stringContaining('(missing on alpha)') });
    // Memory limit: no container yet.
    expect(find(healthy(), 'runner-memory:alpha')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('memory limit is unknown: it has no container yet'),
    });
  });

  it("judges the runner container's own memory limit (HostConfig.Memory; 0 = none)", () => {
    expect(find(healthy({ runners: [runner('alpha', { memoryLimitBytes: 0 })] }), 'runner-memory:alpha')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('has no memory limit'),
    });
    expect(find(healthy({ runners: [runner('alpha', { memoryLimitBytes: 1024 ** 3 })] }), 'runner-memory:alpha')).toMatchObject({
      status: 'ok',
      message: expect.stringContaining('limited to 1.0 GiB'),
    });
    expect(find(healthy({ runners: [runner('alpha', { memoryLimitBytes: 300 * 1024 ** 2 })] }), 'runner-memory:alpha')?.status).toBe('fail');
  });

  it('fails an unreachable engine with how to start it, and still checks the host', () => {
    const report = preflight({
      engineReachable: false,
      engineError: 'connect ENOENT /var/run/docker.sock',
      hostPlatform: 'linux',
      swapTotalBytes: 0,
      disks: [],
      runners: [],
    });
    expect(report.findings[0]).toMatchObject({ id: 'engine', status: 'fail', message: expect.stringContaining('ENOENT') });
    expect(report.findings[0]?.fix).toMatch(/systemctl start docker/);
    expect(report.findings.map((f) => f.id)).toContain('swap');
    expect(hasFailure(report)).toBe(true);
  });

  it('fails an engine older than 19.03 and a kernel older than 4.0', () => {
    expect(find(healthy({ serverVersion: '18.09.9' }), 'engine')).toMatchObject({ status: 'fail', message: expect.stringContaining('19.03') });
    expect(find(healthy({ serverVersion: '19.03.0' }), 'engine')?.status).toBe('ok');
    expect(find(healthy({ kernelVersion: '3.10.0-1160.el7.x86_64' }), 'os')).toMatchObject({ status: 'fail' });
  });

  it('warns that Docker Desktop works but is not Atlassian-supported', () => {
    const f = find(healthy({ isDockerDesktop: true, hostPlatform: 'darwin', operatingSystem: 'Docker Desktop' }), 'os');
    expect(f).toMatchObject({ status: 'warn', message: expect.stringMatching(/macOS.*Atlassian supports them only on a Linux host/) });
  });

  it('on arm64 asks for the linux.arm64 label unless every runner has it', () => {
    const f = find(healthy({ architecture: 'aarch64' }), 'arch');
    expect(f).toMatchObject({ status: 'warn' });
    expect(f?.fix).toContain('linux.arm64');
    const labeled = healthy({ architecture: 'aarch64', runners: [runner('a', { labels: ['self.hosted', 'linux.arm64'] })] });
    expect(find(labeled, 'arch')?.status).toBe('ok');
    expect(find(healthy({ architecture: 's390x' }), 'arch')?.status).toBe('fail');
  });

  it('judges memory against 8 GiB, the runner minimum and the largest step sizes', () => {
    expect(find(healthy({ memTotalBytes: 6 * GiB }), 'memory')?.status).toBe('warn');
    expect(find(healthy({ memTotalBytes: 4 * GiB }), 'memory')?.status).toBe('fail');
    const big = healthy({ memTotalBytes: 16 * GiB, runners: [runner('alpha', { largestStepSize: '4x' })] });
    expect(find(big, 'memory-steps')).toMatchObject({ status: 'fail', message: expect.stringContaining('4x steps (16.0 GiB)') });
    const two = healthy({
      memTotalBytes: 16 * GiB,
      runners: [runner('a', { largestStepSize: '2x', workingDirectory: '/tmp/a' }), runner('b', { largestStepSize: '2x' })],
    });
    expect(find(two, 'memory-steps')).toMatchObject({ status: 'warn', message: expect.stringContaining('all 2 runners') });
    expect(find(healthy({ runners: [runner('tiny', { memoryLimitBytes: 256 * 1024 ** 2 })] }), 'runner-memory:tiny')).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('256 MiB'),
    });
  });

  it('advises on swap with the exact commands, and accepts swappiness 1', () => {
    const f = find(healthy({ swapTotalBytes: 2 * GiB, swappiness: 60 }), 'swap');
    expect(f?.status).toBe('warn');
    expect(f?.fix).toContain('sudo swapoff -a');
    expect(f?.fix).toContain('sudo sysctl vm.swappiness=1');
    expect(f?.fix).toContain('/etc/sysctl.d/');
    expect(find(healthy({ swapTotalBytes: 2 * GiB, swappiness: 1 }), 'swap')?.status).toBe('ok');
    expect(find(healthy({ isDockerDesktop: true, swapTotalBytes: 2 * GiB }), 'swap')).toBeUndefined();
  });

  it('grades free disk per directory', () => {
    const facts = healthy({
      disks: [
        { path: '/tmp', role: 'working-directory', freeBytes: 1 * GiB },
        { path: '/var/lib/docker', role: 'docker-root', freeBytes: 5 * GiB },
        { path: '/srv/runner', role: 'working-directory', freeBytes: null },
      ],
    });
    expect(find(facts, 'disk:/tmp')).toMatchObject({ status: 'fail', message: expect.stringContaining('1.0 GiB free') });
    expect(find(facts, 'disk:/var/lib/docker')).toMatchObject({ status: 'warn', fix: expect.stringContaining('docker system prune') });
    expect(find(facts, 'disk:/srv/runner')?.status).toBe('warn');
  });

  it('fails the "none" logging driver and an unreadable one on an old engine', () => {
    expect(find(healthy({ loggingDriver: 'none' }), 'logging-driver')?.status).toBe('fail');
    expect(find(healthy({ loggingDriver: 'syslog', serverVersion: '19.03.15' }), 'logging-driver')?.status).toBe('fail');
    expect(find(healthy({ loggingDriver: 'syslog', serverVersion: '20.10.24' }), 'logging-driver')?.status).toBe('ok');
  });

  it('checks the socket, containers and working-directory binds against the engine', () => {
    const moved = healthy({ dockerRootDir: '/data/docker' });
    expect(find(moved, 'bind-containers:alpha')).toMatchObject({ status: 'fail', fix: 'Use -v /data/docker/containers:/var/lib/docker/containers:ro.' });
    const noSock = healthy({ runners: [runner('alpha', { binds: ['/tmp:/tmp', '/var/lib/docker/containers:/var/lib/docker/containers:ro'] })] });
    expect(find(noSock, 'bind-socket:alpha')).toMatchObject({ status: 'fail' });
    const rootless = healthy({ socketPath: '/run/user/1000/docker.sock' });
    expect(find(rootless, 'bind-socket:alpha')).toMatchObject({ status: 'fail', fix: 'Use -v /run/user/1000/docker.sock:/var/run/docker.sock.' });
    const elsewhere = healthy({
      runners: [
        runner('alpha', {
          workingDirectory: '/tmp/work',
          binds: ['/home/u/work:/tmp/work', '/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/containers:/var/lib/docker/containers:ro'],
        }),
      ],
    });
    expect(find(elsewhere, 'bind-workdir:alpha')).toMatchObject({ status: 'fail', fix: 'Add -v /tmp/work:/tmp/work and keep WORKING_DIRECTORY=/tmp/work.' });
    const subdir = healthy({ runners: [runner('alpha', { workingDirectory: '/tmp/runner-alpha' })] });
    expect(find(subdir, 'bind-workdir:alpha')?.status).toBe('ok');
  });

  it('writes each limit into its messages from the thresholds: change only a limit and the text follows', () => {
    const MiB = 1024 ** 2;
    const limits: Thresholds = {
      ...THRESHOLDS,
      minEngine: [19, 9],
      minKernel: [5, 10],
      dualLoggingEngine: [23, 0],
      minHostMemory: 12 * GiB,
      minRunnerMemory: 768 * MiB,
      stepMemory: { '1x': 3 * GiB, '2x': 6 * GiB, '4x': 12 * GiB, '8x': 24 * GiB },
      maxSwappiness: 5,
    };
    const at = (facts: HostFacts, id: string) => preflight(facts, limits).findings.find((f) => f.id === id);
    const facts = healthy({ serverVersion: '22.06.1', memTotalBytes: 10 * GiB, swapTotalBytes: 2 * GiB, swappiness: 60, loggingDriver: 'syslog' });
    expect(at(facts, 'engine')?.message).toContain('(19.09 or newer is required)');
    expect(at(facts, 'os')?.message).toContain('(5.10 or newer is required)');
    expect(at(facts, 'memory')).toMatchObject({ status: 'warn', message: expect.stringContaining('Atlassian asks for at least 12 GiB') });
    expect(at(healthy({ memTotalBytes: 3 * GiB }), 'memory')?.message).toContain('the runner (768 MiB) and one 1x step (3 GiB)');
    expect(at(facts, 'memory-steps')?.message).toContain('so 1x (3 GiB) is assumed; 2x needs 6 GiB, 4x 12 GiB, 8x 24 GiB.');
    expect(at(facts, 'runner-memory:alpha')?.message).toContain('768 MiB or more is required');
    expect(at(facts, 'swap')?.fix).toContain('sudo sysctl vm.swappiness=5');
    expect(at(healthy({ swapTotalBytes: 2 * GiB, swappiness: 5 }), 'swap')?.status).toBe('ok');
    expect(at(facts, 'logging-driver')).toMatchObject({ status: 'fail', message: expect.stringContaining('before Docker 23.0') });

    // No default figure is left written into any message or fix.
    const everyText = [
      healthy(),
      facts,
      healthy({
        serverVersion: 'x',
        kernelVersion: 'y',
        memTotalBytes: 2 * GiB,
        swapTotalBytes: 2 * GiB,
        runners: [runner('alpha', { memoryLimitBytes: 100 * MiB })],
      }),
      healthy({ isDockerDesktop: true, hostPlatform: 'darwin', memTotalBytes: 10 * GiB }),
    ].flatMap((f) => preflight(f, limits).findings.flatMap((x) => [x.message, x.fix ?? '']));
    for (const old of ['19.03', '20.10', '4.0 or newer', '8 GiB', '4 GiB', '16 GiB', '32 GiB', '512 MiB', 'vm.swappiness=1\\b']) {
      // Whole figures only: a measured `3.8 GiB` is not the default `8 GiB`.
      const written = new RegExp(`(?<![\\d.])${old.replace(/\./g, '\\.')}`);
      expect(
        everyText.filter((t) => written.test(t)),
        old,
      ).toEqual([]);
    }
  });

  it('warns when two runners share a working directory', () => {
    const f = find(healthy({ runners: [runner('alpha'), runner('beta'), runner('gamma', { workingDirectory: '/tmp/gamma' })] }), 'shared-working-dir');
    expect(f).toMatchObject({ status: 'warn', message: expect.stringContaining('alpha, beta in /tmp') });
    expect(f?.fix).toContain('/tmp/runner-<name>');
  });
});
