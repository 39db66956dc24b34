/**
 * Composition root shared by the CLI, the headless service and (later) the desktop app:
 * each dependency is created on first use, so `parse-command` touches nothing and `list`
 * never asks the keyring.
 */
import { dataDir as resolveDataDir } from './data-dir.js';
import { connectEngine, type Engine } from './docker/engine.js';
import { RunnerService } from './runners/runner-service.js';
import { SettingsStore } from './settings/settings-store.js';
import { openVault } from './vault/select-vault.js';
import type { SecretVault } from './vault/types.js';

export interface AppContextOptions {
  env?: NodeJS.ProcessEnv;
  /** Test hook: skip the background look for a newer runner image. */
  checkForImageUpdates?: boolean;
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
    return (this.#vault ??= openVault({ env: this.env, dataDir: this.dataDir }));
  }

  engine(): Promise<Engine> {
    return (this.#engine ??= connectEngine({ discovery: { env: this.env } }));
  }

  runners(): Promise<RunnerService> {
    return (this.#runners ??= (async () => {
      const [engine, vault] = await Promise.all([this.engine(), this.vault()]);
      return new RunnerService({
        engine,
        vault,
        store: this.settings().runners(),
        ...(this.#options.checkForImageUpdates === undefined ? {} : { checkForImageUpdates: this.#options.checkForImageUpdates }),
      });
    })());
  }

  /** Waits for background work (image update checks) so a CLI process can exit cleanly. */
  async close(): Promise<void> {
    if (this.#runners) await (await this.#runners.catch(() => undefined))?.settle();
  }
}
