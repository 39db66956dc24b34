/**
 * A SecretVault that opens the real one on each use, until one opens. A host comes up without a
 * usable keyring and stays up: the runners service holds this, every read or write meets the
 * keyring's own error (with its fix) until the user chooses a vault, and the next one uses it.
 */
import type { Secret } from '../../shared/secret.js';
import type { SecretVault, VaultBackendName } from './types.js';

export class DeferredVault implements SecretVault {
  readonly #open: () => Promise<SecretVault>;
  readonly #backend: () => VaultBackendName;
  #last: SecretVault | undefined;

  /** `open` must not remember a failure (AppContext.vault does not); `backend` is the one that would be opened. */
  constructor(open: () => Promise<SecretVault>, backend: () => VaultBackendName) {
    this.#open = open;
    this.#backend = backend;
  }

  get backend(): VaultBackendName {
    return this.#backend();
  }

  get location(): string {
    return this.#last?.location ?? `the ${this.#backend()} vault`;
  }

  async #vault(): Promise<SecretVault> {
    return (this.#last = await this.#open());
  }

  async get(key: string): Promise<Secret | null> {
    return (await this.#vault()).get(key);
  }

  async set(key: string, secret: Secret): Promise<void> {
    return (await this.#vault()).set(key, secret);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#vault()).delete(key);
  }
}
