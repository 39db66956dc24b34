import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startHost } from '../../main/host.js';
import { newToken } from '../../main/http-bridge/auth.js';
import { acquireInstanceLock } from '../../main/instance-lock.js';
import { startHttpBridge } from '../../main/http-bridge/server.js';
import { parseListen, startMetricsListener, type MetricsListener } from '../../main/http-bridge/metrics-server.js';
import { RunnerMetrics } from '../../main/metrics/runner-metrics.js';
import type { AppContext } from '../../main/app-context.js';
import type { Api } from '../../main/api/index.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';

/** A fixed default, so an SSH tunnel command and a systemd unit can name it. */
export const DEFAULT_PORT = 7391;

/** `dist/renderer` next to the built CLI; from the sources (tsx), the built one at the repository root. */
function rendererRoot(): string {
  const candidates = [new URL('../../renderer/', import.meta.url), new URL('../../../dist/renderer/', import.meta.url)].map((u) => fileURLToPath(u));
  const found = candidates.find((dir) => existsSync(`${dir}index.html`) && existsSync(`${dir}assets`));
  if (!found) throw new CliError('NO_DASHBOARD', `The dashboard is not built (looked in ${candidates.join(' and ')}). Run \`npm run build\` first.`);
  return found;
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return DEFAULT_PORT;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new CliError('USAGE', `--port takes a TCP port number from 1 to 65535 (or 0 for any free port), got "${value}".`, 2);
  }
  return port;
}

function metricsListen(value: string | undefined): { host: string; port: number } | undefined {
  if (value === undefined) return undefined;
  const listen = parseListen(value);
  if (!listen) {
    throw new CliError(
      'USAGE',
      `--metrics-listen takes HOST:PORT, like 127.0.0.1:9464, 0.0.0.0:9464 or [::1]:9464, got "${value.slice(0, 60)}". Without it, /metrics is on the dashboard's port behind its token.`,
      2,
    );
  }
  return listen;
}

/** What GET /metrics reports, over this host's monitor, pool controllers, settings and pushed events. */
async function buildMetrics(ctx: AppContext, api: Api): Promise<RunnerMetrics> {
  const pools = await ctx.pools();
  return new RunnerMetrics({
    monitor: await ctx.monitor(),
    poolViews: () => pools.views(),
    runners: () => ctx.settings().runners().list(),
    // A background listener: metrics alone do not make the queue poll as if someone watched.
    onEvent: (l) => api.events.on(l, { watching: false }),
  });
}

async function listenForMetrics(at: { host: string; port: number }, render: () => string): Promise<MetricsListener> {
  return startMetricsListener({ ...at, render }).catch((e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'that port is in use' : code === 'EADDRNOTAVAIL' ? 'this machine has no such address' : 'cannot listen there';
    throw new CliError('METRICS_LISTEN_FAILED', `--metrics-listen ${at.host}:${at.port}: ${why}; choose another HOST:PORT.`);
  });
}

export function systemdUnit(port: number, execPath: string = process.execPath, binPath: string = fileURLToPath(new URL('../bin.js', import.meta.url))): string {
  return [
    '# Runner Tray headless dashboard as a systemd user service.',
    '# Install: save as ~/.config/systemd/user/runner-tray.service, then',
    '#   systemctl --user daemon-reload && systemctl --user enable --now runner-tray',
    '#   loginctl enable-linger "$USER"    # keep it running while you are logged out',
    '# The dashboard link (with its token) is printed to the journal: journalctl --user -u runner-tray',
    `# Reach it from your machine through a tunnel: ssh -N -L ${port}:127.0.0.1:${port} <server>`,
    '',
    '[Unit]',
    'Description=Runner Tray (self-hosted Bitbucket Pipelines runners) headless dashboard',
    // After=docker.service would do nothing here: a user unit cannot order itself after a unit of
    // the system manager. None is needed: serve starts without Docker and follows it when it answers.
    "# No After=docker.service: a user unit cannot be ordered after the system manager's docker.service",
    '# (After= does not work across the two managers). None is needed: serve comes up without Docker,',
    '# shows "Docker: not connected" on the dashboard, and carries on by itself once the engine answers.',
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${execPath} ${binPath} serve --port ${port}`,
    '# A server has no unlocked desktop keyring: keep runner secrets in the 0600 file vault instead.',
    '#Environment=RUNNER_TRAY_VAULT=file',
    '# A fixed dashboard token (otherwise a new random one each start); keep it in a 0600 file:',
    '#EnvironmentFile=%h/.config/runner-tray/serve.env',
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

export const serveCommand: Command = {
  usage: 'serve [--port N] [--metrics-listen HOST:PORT] [--print-systemd-unit] [--allow-reveal]',
  summary: `Headless dashboard on 127.0.0.1 (default port ${DEFAULT_PORT}) with live step tracking and supervision, until Ctrl-C. GET /metrics (Prometheus) answers there with the token, or without one on --metrics-listen.`,
  // --allow-reveal: the dashboard's "Reveal" may show a runner's secret in a manifest preview. Off by
  // default: the link's token may sit on other machines, and driving runners should not mean reading their secrets.
  options: { port: { type: 'string' }, 'metrics-listen': { type: 'string' }, 'print-systemd-unit': { type: 'boolean' }, 'allow-reveal': { type: 'boolean' } },
  maxPositionals: 0,
  async run(args, io) {
    const port = parsePort(args.values.port as string | undefined);
    const metricsAt = metricsListen(args.values['metrics-listen'] as string | undefined);
    if (args.values['print-systemd-unit']) {
      io.out(systemdUnit(port));
      return 0;
    }
    const staticRoot = rendererRoot();
    const fixed = io.env.RUNNER_TRAY_TOKEN;
    if (fixed !== undefined && fixed.length < 16) {
      throw new CliError('USAGE', 'RUNNER_TRAY_TOKEN must be at least 16 characters (or unset it for a random token).', 2);
    }
    const token = fixed ?? newToken();
    return withContext(
      io,
      async (ctx) => {
        const { log } = ctx;
        // Before anything starts: a second serve on the same data directory says where the first runs.
        const instance = await acquireInstanceLock(ctx.dataDir);
        let host: Awaited<ReturnType<typeof startHost>>;
        try {
          host = await startHost({ ctx, revealSecrets: Boolean(args.values['allow-reveal']) });
        } catch (e) {
          await instance.release();
          throw e;
        }
        const { api } = host;
        // First lines on stderr: what keeps this host from working, and each fix, before the link.
        for (const line of host.status.problemLines()) io.err(`runner-tray: ${line}\n`);
        const offStatus = host.status.on(() => {
          const lines = host.status.problemLines();
          log(lines.length === 0 ? 'all set: Docker answers and the vault is usable.' : `still missing:\n${lines.join('\n')}`);
        });
        let bridge: Awaited<ReturnType<typeof startHttpBridge>> | undefined;
        let metricsListener: MetricsListener | undefined;
        let metrics: RunnerMetrics | undefined;
        try {
          metrics = await buildMetrics(ctx, api);
          const render = metrics.render.bind(metrics);
          try {
            bridge = await startHttpBridge({ dispatch: api.dispatch, onEvent: (l) => api.events.on(l), staticRoot, token, port, log, metrics: render });
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
              throw new CliError(
                'PORT_IN_USE',
                `Port ${port} on 127.0.0.1 is already in use (another runner-tray serve?). Choose another with --port N, or --port 0 for any free port.`,
              );
            }
            throw e;
          }
          await instance.announce({ url: `http://127.0.0.1:${bridge.port}/`, port: bridge.port });
          // Both listen before the addresses are printed, in one write: a reader that stops at the dashboard's line has the metrics' too.
          if (metricsAt) metricsListener = await listenForMetrics(metricsAt, render);
          io.out(`Runner Tray dashboard: ${bridge.pageUrl}\n${metricsListener ? `Runner Tray metrics (no token): ${metricsListener.url}\n` : ''}`);
          log(
            `serving ${ctx.settings().runners().list().length} runner(s) on 127.0.0.1:${bridge.port}; tunnel with: ssh -N -L ${bridge.port}:127.0.0.1:${bridge.port} <this host>. Ctrl-C stops.`,
          );
          const signal = await io.untilSignal();
          log(`${signal}: stopping (runner containers keep running)`);
          return 0;
        } finally {
          offStatus();
          metrics?.close();
          await metricsListener?.close();
          await bridge?.close();
          await host.close();
          await instance.release();
        }
        // Long-running: it may look for a newer runner image after a start (one-shot commands do not).
      },
      { checkForImageUpdates: true, waitForEngine: true },
    );
  },
};
