/**
 * The long-running host both `runner-tray serve` and the desktop app own: the steps service
 * (followed logs, supervision), the runners reconciled from the engine by label, and the API
 * over them. Each host adds only its transport (loopback HTTP or Electron IPC) on top, so the
 * two cannot drift apart in what they start, in which order, or what they close.
 */
import { createApi, type Api } from './api/index.js';
import type { AppContext } from './app-context.js';
import { bitbucketApiBase } from './bitbucket/client.js';
import { bitbucketRunnersForPreflight } from './bitbucket/runner-labels.js';
import { gatherHostFacts } from './host-facts.js';
import type { RunnerService } from './runners/runner-service.js';
import { RunnerMonitor } from './monitor/runner-monitor.js';

export interface HostOptions {
  ctx: AppContext;
  /** One line per request, per orphan container, per stream problem; never a payload. */
  log: (line: string) => void;
  /** Desktop only: the system clipboard, for `clipboard.peek` / `clipboard.read`. */
  clipboard?: { readText(): Promise<string> };
}

export interface Host {
  api: Api;
  steps: RunnerMonitor;
  runners: RunnerService;
  /** Stops following and pushing; runner containers keep running (Docker's restart policy owns them). */
  close(): Promise<void>;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const { ctx, log } = options;
  const [engine, vault, runners] = await Promise.all([ctx.engine(), ctx.vault(), ctx.runners()]);
  const settings = ctx.settings();
  const steps = new RunnerMonitor({ engine, log });
  const api = createApi({
    runners,
    steps,
    docker: engine.docker,
    settings,
    vault,
    hostFacts: async () => {
      const records = settings.runners().list();
      // Asked as `doctor` asks, so the dashboard's label findings (arm64) are the CLI's.
      const bitbucketRunners = await bitbucketRunnersForPreflight({ vault, store: settings.bitbucket(), baseUrl: bitbucketApiBase(ctx.env) }, records, log);
      return gatherHostFacts({ engine, runners: records, bitbucketRunners });
    },
    bitbucketBaseUrl: bitbucketApiBase(ctx.env),
    ...(options.clipboard ? { clipboard: options.clipboard } : {}),
    log,
  });
  const close = async () => {
    api.close();
    await steps.close();
  };
  try {
    await steps.start();
    const { orphans } = await runners.reconcile();
    for (const o of orphans) {
      log(`container ${o.name} carries Runner Tray labels for runner ${o.runnerUuid}, which is not in settings; left alone (remove it with docker rm -f ${o.name}, or add the runner again).`);
    }
    await api.start();
  } catch (e) {
    await close();
    throw e;
  }
  return { api, steps, runners, close };
}
