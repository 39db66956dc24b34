/**
 * Composition root shared by the CLI, the headless service and (later) the desktop app:
 * each dependency is created on first use, so `parse-command` touches nothing and `list`
 * never asks the keyring.
 */
import { dataDir as resolveDataDir } from './data-dir.js';
import { connectEngine, type Engine } from './docker/engine.js';
import { RunnerPlacements } from './kubernetes/runner-placement.js';
import { RunnerService } from './runners/runner-service.js';
import { SettingsStore } from './settings/settings-store.js';
import { openVault } from './vault/select-vault.js';
import type { SecretVault } from './vault/types.js';

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
}

export class AppContext {
  readonly env: NodeJS.ProcessEnv;
  readonly dataDir: string;
  readonly #options: AppContextOptions;
  #settings: SettingsStore | undefined;
  #vault: Promise<SecretVault> | undefined;
  #engine: Promise<Engine> | undefined;
  #runners: Promise<RunnerService> | undefined;

  constructor(options: AppContextOptions = {}) {
    this.#options = options;
    this.env = options.env ?? process.env;
    this.dataDir = resolveDataDir(this.env);
  }

  settings(): SettingsStore {
    return (this.#settings ??= SettingsStore.open(this.dataDir));
  }

  vault(): Promise<SecretVault> {
    return (this.#vault ??= this.#options.openVault ? this.#options.openVault() : openVault({ env: this.env, dataDir: this.dataDir }));
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
        vault: await this.vault(),
        store: this.settings().runners(),
        ...(this.#options.checkForImageUpdates === undefined ? {} : { checkForImageUpdates: this.#options.checkForImageUpdates }),
      });
    })());
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

  /** Waits for background work (image update checks) so a CLI process can exit cleanly. */
  async close(): Promise<void> {
    if (this.#runners) await (await this.#runners.catch(() => undefined))?.settle();
  }
}
