/**
 * THE composition root: every long-lived service is built here, once, and the CLI commands, the
 * host (`serve`, the desktop app) and the API all take this object. Each service is created on
 * first use, so `parse-command` touches nothing and `list` never asks the keyring. Settings choices
 * that depend on the environment (data dir, vault backend, engine, Bitbucket's API base) are read
 * here and nowhere else.
 */
import type { HostFacts } from '../shared/preflight/types.js';
import { BitbucketAccess } from './bitbucket/access.js';
import { bitbucketApiBase } from './bitbucket/client.js';
import { dataDir as resolveDataDir } from './data-dir.js';
import { connectEngine, EngineUnreachableError, type Engine } from './docker/engine.js';
import { pendingEngine } from './docker/pending-engine.js';
import { gatherHostFacts } from './host-facts.js';
import { RunnerImport } from './runners/import.js';
import { RunnerLifecycle } from './runners/lifecycle.js';
import { ClusterWatch } from './kubernetes/cluster-watch.js';
import { KubeCluster } from './kubernetes/cluster.js';
import { loadKubeconfig } from './kubernetes/kubeconfig.js';
import { RunnerPlacements } from './kubernetes/runner-placement.js';
import { RunnerService } from './runners/runner-service.js';
import { DockerBackend, KubernetesBackend } from './pools/backends.js';
import { PoolControllerSet } from './pools/pool-controllers.js';
import type { PoolControllers } from './pools/types.js';
import { SettingsStore } from './settings/settings-store.js';
// The one place that builds the monitor; the rest of the app is handed it by the context.
import { RunnerMonitor } from './monitor/runner-monitor.js';
import { DeferredVault } from './vault/deferred-vault.js';
import { openVault, vaultBackendFromEnv } from './vault/select-vault.js';
import type { SecretVault, VaultBackendName } from './vault/types.js';

export type { RunnerMonitor };

export interface AppContextOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * Look for a newer runner image in the background after a start (default true). Long-running
   * hosts (desktop app, `serve`) keep it; one-shot CLI commands turn it off so they never wait on
   * a registry.
   */
  checkForImageUpdates?: boolean;
  /** Another vault than RUNNER_TRAY_VAULT's (the desktop app's safeStorage); opened on first use like the default. */
  openVault?: () => Promise<SecretVault>;
  /** One line per problem worth a user's attention (stream errors, orphans, Bitbucket); never a payload. */
  log?: (line: string) => void;
  /**
   * Long-running hosts (`serve`, the desktop app): the monitor and the API come up without an
   * engine and follow it once it answers, instead of failing at start-up.
   */
  waitForEngine?: boolean;
}

export class AppContext {
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly log: (line: string) => void;
  readonly #options: AppContextOptions;
  #settings: SettingsStore | undefined;
  #vault: Promise<SecretVault> | undefined;
  #engine: Promise<Engine> | undefined;
  #runners: Promise<RunnerService> | undefined;
  #lifecycle: Promise<RunnerLifecycle> | undefined;
  #monitor: Promise<RunnerMonitor> | undefined;
  /** The monitor once built, for the synchronous supervision reset. */
  #monitorBuilt: RunnerMonitor | undefined;
  #bitbucket: BitbucketAccess | undefined;
  #imports: Promise<RunnerImport> | undefined;
  #hostEngine: Promise<Engine> | undefined;
  #pools: PoolControllerSet | undefined;
  #clusterWatch: ClusterWatch | undefined;
  /** What the runners service and Bitbucket hold: opens the vault on each use until one opens. */
  readonly #deferredVault = new DeferredVault(
    () => this.vault(),
    () => this.vaultBackend(),
  );

  constructor(options: AppContextOptions = {}) {
    this.#options = options;
    this.env = options.env ?? process.env;
    this.dataDir = resolveDataDir(this.env);
    this.log = options.log ?? (() => undefined);
  }

  settings(): SettingsStore {
    return (this.#settings ??= SettingsStore.open(this.dataDir));
  }

  /**
   * The vault chosen by RUNNER_TRAY_VAULT, else by settings (`vault use`, the window), else the
   * host's default (desktop: safeStorage) or the keyring. A failure is not remembered: the user
   * may unlock the keyring or choose another vault, and the next call opens that one.
   */
  vault(): Promise<SecretVault> {
    return (this.#vault ??= this.#openVault().catch((e: unknown) => {
      this.#vault = undefined;
      throw e;
    }));
  }

  #openVault(): Promise<SecretVault> {
    const backend = this.vaultBackend();
    if (backend === 'safe-storage' && this.#options.openVault) return this.#options.openVault();
    return openVault({ env: this.env, dataDir: this.dataDir, chosen: backend === 'file' ? 'file' : 'keyring' });
  }

  /** Which backend `vault()` opens; throws VAULT_CONFIG for a bad RUNNER_TRAY_VAULT. */
  vaultBackend(): VaultBackendName {
    if (this.env.RUNNER_TRAY_VAULT?.trim()) return vaultBackendFromEnv(this.env);
    const chosen = this.settings().get().vault;
    if (chosen) return chosen;
    return this.#options.openVault ? 'safe-storage' : 'keyring';
  }

  /** After the user chose another vault: the next use opens it. */
  forgetVault(): void {
    this.#vault = undefined;
  }

  /** A failed connection is not remembered: the next call looks again (Docker may have started since). */
  engine(): Promise<Engine> {
    return (this.#engine ??= connectEngine({ discovery: { env: this.env } }).catch((e: unknown) => {
      this.#engine = undefined;
      throw e;
    }));
  }

  runners(): Promise<RunnerService> {
    return (this.#runners ??= (async () => {
      // The engine is connected on first use: `add` works while Docker is down.
      return new RunnerService({
        engine: () => this.engine(),
        vault: this.#deferredVault,
        store: this.settings().runners(),
        ...(this.#options.checkForImageUpdates === undefined ? {} : { checkForImageUpdates: this.#options.checkForImageUpdates }),
      });
    })());
  }

  /** A user's add / start / stop / remove, with the rules every front end shares. */
  lifecycle(): Promise<RunnerLifecycle> {
    return (this.#lifecycle ??= this.runners().then(
      // Only a monitor that already exists holds verdicts; none is built just to forget nothing.
      (runners) =>
        new RunnerLifecycle({
          runners,
          resetSupervision: (uuid) => void this.#monitorBuilt?.supervisor.reset(uuid),
          stepRunning: (uuid) => this.#monitorBuilt?.snapshot(uuid)?.runnerState === 'BUSY',
          placedStepRunning: async (uuid) => {
            const watch = this.clusterWatch();
            await watch.sync();
            return watch.snapshot(uuid)?.runnerState === 'BUSY';
          },
          unplace: async (uuid) => {
            const namespace = this.settings().runners().get(uuid)?.placement?.namespace ?? '';
            const { deleted, cluster } = await this.kubernetes().delete(uuid);
            // A watch of a runner that is gone would go on listing its (deleted) pods.
            await this.#clusterWatch?.sync();
            return { cluster, namespace, deleted: deleted.map((d) => `${d.kind} ${d.name}`) };
          },
        }),
    ));
  }

  /** Runners started by hand (no labels of ours): listed, and imported through the lifecycle's adopt. */
  imports(): Promise<RunnerImport> {
    return (this.#imports ??= this.lifecycle().then(
      (lifecycle) => new RunnerImport({ engine: () => this.engine(), lifecycle, store: this.settings().runners() }),
    ));
  }

  /** The runner monitor (engine events, followed logs, steps, crash supervision); the caller starts it. */
  monitor(): Promise<RunnerMonitor> {
    return (this.#monitor ??= this.hostEngine().then(
      (engine) =>
        (this.#monitorBuilt = new RunnerMonitor({
          engine,
          log: this.log,
          // Read per question: a `stop` from the CLI records it in settings while a host runs.
          stoppedAt: (uuid) => {
            const record = this.settings().runners().get(uuid);
            return record ? (record.stoppedAt ?? null) : undefined;
          },
        })),
      (e: unknown) => {
        this.#monitor = undefined;
        throw e;
      },
    ));
  }

  /**
   * The engine as a long-running host follows it: connected now, or (with `waitForEngine`) a
   * client for where it should be, which the monitor's reconnect loop watches until it answers.
   * Without `waitForEngine` this is `engine()`.
   */
  hostEngine(): Promise<Engine> {
    if (!this.#options.waitForEngine) return this.engine();
    return (this.#hostEngine ??= this.engine().catch((e: unknown) => {
      if (e instanceof EngineUnreachableError) return pendingEngine({ env: this.env });
      this.#hostEngine = undefined;
      throw e;
    }));
  }

  /** Bitbucket Cloud through the stored connection, at the one API base this environment names. */
  bitbucket(): BitbucketAccess {
    return (this.#bitbucket ??= new BitbucketAccess({
      vault: async () => this.#deferredVault,
      store: this.settings().bitbucket(),
      baseUrl: bitbucketApiBase(this.env),
    }));
  }

  /**
   * What the preflight judges, gathered the same way for `doctor` and the dashboard's
   * `host.preflight` (so their findings cannot differ): engine, disks, memory and, when Bitbucket
   * is connected, our runners' labels as Bitbucket lists them.
   */
  async hostFacts(): Promise<HostFacts> {
    let engine: Engine | { error: unknown };
    try {
      engine = await this.engine();
    } catch (error) {
      engine = { error };
    }
    const runners = this.settings().runners().list();
    const bitbucketRunners = await this.bitbucket().runnersForPreflight(runners, this.log);
    return gatherHostFacts({ engine, runners, bitbucketRunners });
  }

  /** Runners on Kubernetes clusters (`k8s apply|delete|status|export`); the kubeconfig is read per call. */
  kubernetes(): RunnerPlacements {
    return new RunnerPlacements({
      env: this.env,
      store: this.settings().runners(),
      vault: () => this.vault(),
      runners: () => this.runners(),
      engine: () => this.engine(),
    });
  }

  /**
   * The runners placed on clusters, watched through the Kubernetes API (pod + runner log) like the
   * monitor watches local ones; the caller starts it. Needs no Docker; the kubeconfig is read per context.
   */
  clusterWatch(): ClusterWatch {
    return (this.#clusterWatch ??= new ClusterWatch({
      store: this.settings().runners(),
      cluster: (context) => new KubeCluster(loadKubeconfig(this.env, context)),
      log: this.log,
    }));
  }

  /**
   * The pool controllers (one per pool in settings); the long-running hosts start them. Their
   * poll interval follows Bitbucket's rate limit unless RUNNER_TRAY_POOL_POLL_MS fixes it (tests).
   */
  pools(): PoolControllers {
    return (this.#pools ??= new PoolControllerSet({
      pools: this.settings().pools(),
      records: () => this.settings().runners().list(),
      bitbucket: () => this.bitbucket().open(),
      runners: () => this.runners(),
      engine: () => this.engine(),
      backend: (pool) =>
        pool().on === 'kubernetes'
          ? new KubernetesBackend({ placements: () => this.kubernetes(), pool })
          : new DockerBackend({ runners: () => this.runners(), engine: () => this.engine(), monitor: () => this.#monitorBuilt }),
      log: this.log,
      ...poolTimings(this.env),
    }));
  }

  /** Stops the monitor's streams and waits for background work (image update checks) so a process can exit cleanly. */
  async close(): Promise<void> {
    await this.#pools?.stop();
    if (this.#monitor) await (await this.#monitor.catch(() => undefined))?.close();
    this.#clusterWatch?.close();
    if (this.#runners) await (await this.#runners.catch(() => undefined))?.settle();
  }
}

/** RUNNER_TRAY_POOL_POLL_MS: a fixed pool poll interval (tests, benchmarks), also the backoff's cap base. */
function poolTimings(env: NodeJS.ProcessEnv): { pollMs?: number; maxBackoffMs?: number } {
  const ms = Number(env.RUNNER_TRAY_POOL_POLL_MS);
  if (!Number.isFinite(ms) || ms < 100) return {};
  return { pollMs: Math.round(ms), maxBackoffMs: Math.round(ms) * 8 };
}
