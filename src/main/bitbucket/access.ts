/**
 * The app's way to Bitbucket: the stored connection (settings + vault) bound to ONE API base,
 * chosen once by the composition root from its environment. Every caller (CLI commands, the API's
 * handlers, queued steps, step names, preflight labels) asks through here, so none can reach a
 * different Bitbucket than the others.
 */
import type { RunnerRecord } from '../settings/types.js';
import type { SecretVault } from '../vault/types.js';
import type { BitbucketClient } from './client.js';
import {
  connectBitbucket,
  disconnectBitbucket,
  openBitbucketClient,
  setWatchedRepositories,
  type BitbucketConnection,
  type BitbucketConnectionStore,
  type ConnectInput,
  type ConnectionDeps,
} from './connection.js';
import type { BitbucketRunnerView } from './queued.js';
import { bitbucketRunnersForPreflight } from './runner-labels.js';

export interface BitbucketAccessDeps {
  /** Opened on first use: `bitbucket watch` and a disconnected preflight never ask the keyring. */
  vault: () => Promise<SecretVault>;
  store: BitbucketConnectionStore;
  /** The API base, already resolved (`bitbucketApiBase(env)`); tests point it at a stand-in. */
  baseUrl: string;
}

export class BitbucketAccess {
  readonly baseUrl: string;
  readonly store: BitbucketConnectionStore;
  readonly #vault: () => Promise<SecretVault>;

  constructor(deps: BitbucketAccessDeps) {
    this.baseUrl = deps.baseUrl;
    this.store = deps.store;
    this.#vault = deps.vault;
  }

  /** What the connection functions and `QueuedSource` take, with this base filled in. */
  async deps(): Promise<ConnectionDeps & { baseUrl: string }> {
    return { vault: await this.#vault(), store: this.store, baseUrl: this.baseUrl };
  }

  /** A client for the stored connection, or null when Bitbucket is not connected. */
  async open(): Promise<{ client: BitbucketClient; connection: BitbucketConnection } | null> {
    return openBitbucketClient(await this.deps());
  }

  async connect(input: ConnectInput): ReturnType<typeof connectBitbucket> {
    return connectBitbucket(await this.deps(), input);
  }

  async disconnect(): Promise<{ workspace: string | null; removedToken: boolean; removedSettings: boolean }> {
    return disconnectBitbucket(await this.deps());
  }

  /** Needs no token: the vault is not opened. */
  async watch(repositories: readonly string[]): Promise<BitbucketConnection> {
    return setWatchedRepositories({ store: this.store }, repositories);
  }

  /** Our runners' labels for the preflight; null when unknown, `onProblem` hears why. */
  async runnersForPreflight(records: readonly RunnerRecord[], onProblem: (message: string) => void): Promise<BitbucketRunnerView[] | null> {
    if (records.length === 0) return null;
    return bitbucketRunnersForPreflight(await this.deps(), records, onProblem);
  }
}
