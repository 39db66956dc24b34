/**
 * Follows the runner containers of the private dockerd for the pool world (pool-world.ts):
 * Docker's event stream (start, die, destroy) through the Docker API, plus a resync of the
 * running list every few seconds so a dropped stream or a daemon restart loses nothing. A
 * container counts when its environment carries RUNNER_UUID; its OAuth credentials are kept
 * only to compare them with Bitbucket's and never leave this module's callers' comparison.
 */
import type Docker from 'dockerode';

export interface RunnerContainer {
  id: string;
  /** Without the leading slash. */
  name: string;
  runnerUuid: string;
  clientId: string;
  /** The OAuth client secret from its environment: compare it, never print it. */
  secret: string;
  /** Docker's `State.StartedAt`: a restart of the same container is a new run. */
  startedAt: string;
  /** Made from the stand-in runner image (its `runner-tray.standin` label), so it can take steps. */
  standin: boolean;
}

export interface ContainerFollowerEvents {
  running(c: RunnerContainer): void;
  gone(id: string): void;
}

const RESYNC_MS = 2_000;

function envOf(env: readonly string[] | null | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of env ?? []) {
    const eq = e.indexOf('=');
    if (eq > 0) out.set(e.slice(0, eq), e.slice(eq + 1));
  }
  return out;
}

export class ContainerFollower {
  readonly #docker: Docker;
  readonly #on: ContainerFollowerEvents;
  /** Container id → the StartedAt of the run we reported. */
  readonly #running = new Map<string, string>();
  /** Containers without RUNNER_UUID (step siblings, helpers): not looked at again by the resync. */
  readonly #ignored = new Set<string>();
  #stream: NodeJS.ReadableStream | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  /** One look at a container at a time, in order: a start must not overtake its own die. */
  #queue: Promise<void> = Promise.resolve();

  constructor(docker: Docker, on: ContainerFollowerEvents) {
    this.#docker = docker;
    this.#on = on;
  }

  async start(): Promise<void> {
    await this.#listen();
    await this.#resync();
    this.#timer = setInterval(() => void this.#resync(), RESYNC_MS);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    (this.#stream as { destroy?: () => void } | undefined)?.destroy?.();
  }

  /** Waits until every event seen so far has been handled. */
  settled(): Promise<void> {
    return this.#queue;
  }

  async #listen(): Promise<void> {
    try {
      const stream = await this.#docker.getEvents({ filters: { type: ['container'], event: ['start', 'die', 'destroy'] } });
      this.#stream = stream;
      let buffered = '';
      stream.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) this.#event(JSON.parse(line) as { status?: string; Action?: string; id?: string });
        }
      });
      // The daemon restarted or the stream broke: listen again; the resync covers the gap.
      stream.on('end', () => this.#relisten());
      stream.on('error', () => this.#relisten());
    } catch {
      this.#relisten();
    }
  }

  #relisten(): void {
    if (this.#closed) return;
    setTimeout(() => void (this.#closed ? undefined : this.#listen()), 500);
  }

  #event(e: { status?: string; Action?: string; id?: string }): void {
    const id = e.id;
    if (!id) return;
    const action = e.Action ?? e.status;
    this.#enqueue(() => (action === 'start' ? this.#look(id) : this.#gone(id)));
  }

  #enqueue(fn: () => Promise<void> | void): void {
    this.#queue = this.#queue.then(fn).catch(() => undefined);
  }

  async #look(id: string): Promise<void> {
    if (this.#closed) return;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.#docker.getContainer(id).inspect();
    } catch {
      return this.#gone(id);
    }
    if (!info.State.Running) return this.#gone(id);
    if (this.#running.get(id) === info.State.StartedAt) return;
    const env = envOf(info.Config.Env);
    const runnerUuid = env.get('RUNNER_UUID');
    if (!runnerUuid) {
      this.#ignored.add(id);
      return;
    }
    if (this.#running.has(id)) this.#gone(id);
    this.#running.set(id, info.State.StartedAt);
    this.#on.running({
      id,
      name: info.Name.replace(/^\//, ''),
      runnerUuid,
      clientId: env.get('OAUTH_CLIENT_ID') ?? '',
      secret: env.get('OAUTH_CLIENT_SECRET') ?? '',
      startedAt: info.State.StartedAt,
      standin: info.Config.Labels?.['runner-tray.standin'] === 'true',
    });
  }

  #gone(id: string): void {
    this.#ignored.delete(id);
    if (!this.#running.delete(id)) return;
    this.#on.gone(id);
  }

  async #resync(): Promise<void> {
    if (this.#closed) return;
    let list: Docker.ContainerInfo[];
    try {
      list = await this.#docker.listContainers();
    } catch {
      return;
    }
    const now = new Set(list.map((c) => c.Id));
    for (const id of [...this.#running.keys()]) if (!now.has(id)) this.#enqueue(() => this.#gone(id));
    for (const c of list) if (!this.#running.has(c.Id) && !this.#ignored.has(c.Id)) this.#enqueue(() => this.#look(c.Id));
  }
}
