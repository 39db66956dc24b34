/**
 * Runners for the steps/watch tests: made-up UUIDs and secrets, the stand-in image driven by
 * STANDIN_SCRIPT, added and started through the real RunnerService, file vault and settings
 * in a temp data dir (which the built CLI then reads through RUNNER_TRAY_HOME).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import type { Engine } from '../../src/main/docker/engine.js';
import { RunnerService } from '../../src/main/runners/runner-service.js';
import { SettingsStore } from '../../src/main/settings/settings-store.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { parseRunnerCommand } from '../../src/shared/runner-command/index.js';
import { STANDIN_IMAGE } from './standin-image.js';

export const ACCOUNT = '{5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}';
export const REPOSITORY = '{e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b}';
export const CLIENT_ID = 'Pm3Kq7Ws9Xe2Rd5Tf8Yg1Uh4Ij6Ok0Lp';
export const SECRET = 'ATOAstepsMadeUpSecret_Zx9Cv8Bn7Mq6Wl5Ek4Rj3Th2Yg1Uf0Id-Os9Pa8Sd7';

/** A fresh made-up runner UUID (v4 shape) per call, so tests never share containers. */
export function runnerUuid(n: number): string {
  const hex = (n + 0x100).toString(16).padStart(12, '0');
  return `{0badf00d-5eed-4c0d-9e1a-${hex}}`;
}

export function paste(runner: string, env: Record<string, string> = {}): string {
  const extra = Object.entries(env)
    .map(([k, v]) => `-e ${k}=${v}`)
    .join(' ');
  return [
    'docker container run -it -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock',
    '-v /var/lib/docker/containers:/var/lib/docker/containers:ro',
    `-e ACCOUNT_UUID=${ACCOUNT} -e REPOSITORY_UUID=${REPOSITORY} -e RUNNER_UUID=${runner}`,
    `-e RUNTIME_PREREQUISITES_ENABLED=true -e OAUTH_CLIENT_ID=${CLIENT_ID}`,
    `-e OAUTH_CLIENT_SECRET=${SECRET} -e WORKING_DIRECTORY=/tmp ${extra}`,
    `--name runner-${runner.replace(/[{}]/g, '')} ${STANDIN_IMAGE}`,
  ].join(' ');
}

export interface RunnerHome {
  dataDir: string;
  service: RunnerService;
  settings: SettingsStore;
  /** Add (settings + vault) and start a runner playing `script`. */
  startRunner(runner: string, script: string, env?: Record<string, string>): Promise<void>;
  /** Remove every container of ours and the temp dir. */
  cleanup(docker: Docker): Promise<void>;
}

export async function runnerHome(engine: Engine): Promise<RunnerHome> {
  const dataDir = mkdtempSync(join(tmpdir(), 'rt-steps-'));
  const vault = await FileVault.open(dataDir);
  const settings = SettingsStore.open(dataDir);
  const service = new RunnerService({ engine, store: settings.runners(), vault, stopTimeoutSeconds: 3, checkForImageUpdates: false });
  return {
    dataDir,
    service,
    settings,
    async startRunner(runner, script, env = {}) {
      const parsed = parseRunnerCommand(paste(runner, { STANDIN_SCRIPT: script, ...env }));
      if (!parsed.ok) throw new Error(`test paste did not parse: ${parsed.error.message}`);
      await service.add(parsed);
      await service.start(runner);
    },
    async cleanup(docker) {
      await service.settle();
      const ours = await docker.listContainers({ all: true, filters: { label: ['runner-tray.managed=true'] } });
      const siblings = await docker.listContainers({ all: true, filters: { label: ['runner-tray.standin-sibling'] } });
      for (const c of [...ours, ...siblings])
        await docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the first item `pick` accepts, from events pushed into `subscribe`. */
export function waitFor<E, R>(
  subscribe: (fn: (e: E) => void) => () => void,
  pick: (e: E) => R | undefined | false,
  what: string,
  timeoutMs = 60_000,
): Promise<R> {
  return new Promise((resolve, reject) => {
    let off = () => {};
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    off = subscribe((e) => {
      const r = pick(e);
      if (r !== undefined && r !== false) {
        clearTimeout(timer);
        off();
        resolve(r);
      }
    });
  });
}

/** Every event a source pushed, and a wait that also looks at what already arrived. */
export class EventLog<E> {
  readonly all: E[] = [];
  readonly #waiters = new Set<() => void>();

  push = (e: E): void => {
    this.all.push(e);
    for (const w of [...this.#waiters]) w();
  };

  until<R>(pick: (e: E) => R | undefined | false, what: string, timeoutMs = 60_000, from = 0): Promise<R> {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = (): boolean => {
        for (; i < this.all.length; i++) {
          const r = pick(this.all[i]!);
          if (r !== undefined && r !== false) {
            resolve(r);
            return true;
          }
        }
        return false;
      };
      if (check()) return;
      const waiter = () => {
        if (check()) {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; last events:\n${this.all
              .slice(-8)
              .map((e) => JSON.stringify(e))
              .join('\n')}`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }
}
