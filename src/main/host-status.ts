/**
 * What keeps a long-running host from working fully, kept current: no Docker engine yet (the
 * monitor is waiting for it), or no usable vault (no keyring, and no choice made). `serve` prints
 * it first, the window shows it as a banner and on the Doctor screen, the tray as its error state.
 * Every problem comes with its fix; none is ever solved by silently picking something else.
 */
import type { HostStatusView } from '../shared/contract/views.js';
import type { AppContext } from './app-context.js';
import { EngineUnreachableError } from './docker/engine.js';

export const VAULT_FIX =
  'Choose where runner secrets are kept: in the window ("Keep secrets in a file"), or run `runner-tray vault use file` ' +
  '(a 0600 file in the data directory, not encrypted), or start and unlock a keyring and run `runner-tray vault use keyring`.';

const ENGINE_WAIT = 'Runner Tray keeps trying and carries on by itself when Docker answers; no restart needed.';

/** The engine's message split into what is wrong (where we looked) and its last line, the fix. */
export function engineProblem(e: unknown): { problem: string; fix: string } {
  const message = e instanceof Error ? e.message : String(e);
  if (!(e instanceof EngineUnreachableError)) return { problem: message, fix: ENGINE_WAIT };
  const lines = message.split('\n');
  const fix = lines.length > 1 ? lines.pop()! : '';
  return { problem: lines.join('\n'), fix: fix || ENGINE_WAIT };
}

export class HostStatus {
  readonly #ctx: AppContext;
  readonly #listeners = new Set<(status: HostStatusView) => void>();
  #status: HostStatusView;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#status = { engine: { connected: true }, vault: { backend: 'keyring', usable: true, fixedByEnvironment: false } };
  }

  get current(): HostStatusView {
    return this.#status;
  }

  /** Problems as lines for a log or a terminal; empty when there are none. */
  problemLines(): string[] {
    const { engine, vault } = this.#status;
    const lines: string[] = [];
    if (!engine.connected) lines.push(`Docker: ${engine.problem ?? 'not connected'}`, `  Fix: ${engine.fix ?? ENGINE_WAIT}`, `  ${ENGINE_WAIT}`);
    if (!vault.usable) lines.push(`Secrets vault (${vault.backend}): ${vault.problem ?? 'not usable'}`, `  Fix: ${vault.fix ?? VAULT_FIX}`);
    return lines;
  }

  on(listener: (status: HostStatusView) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Looks at both again (start-up, after a vault choice). */
  async refresh(): Promise<HostStatusView> {
    await Promise.all([this.#probeEngine(), this.#probeVault()]);
    return this.#status;
  }

  /** The monitor's connection events: down with its words, or up again. */
  engineConnected(connected: boolean): void {
    if (connected) this.#set({ ...this.#status, engine: { connected: true } });
    else void this.#probeEngine();
  }

  async refreshVault(): Promise<HostStatusView> {
    await this.#probeVault();
    return this.#status;
  }

  async #probeEngine(): Promise<void> {
    try {
      await this.#ctx.engine();
      this.#set({ ...this.#status, engine: { connected: true } });
    } catch (e) {
      this.#set({ ...this.#status, engine: { connected: false, ...engineProblem(e) } });
    }
  }

  async #probeVault(): Promise<void> {
    const fixedByEnvironment = Boolean(this.#ctx.env.RUNNER_TRAY_VAULT?.trim());
    let backend: HostStatusView['vault']['backend'] = 'keyring';
    try {
      backend = this.#ctx.vaultBackend();
      await this.#ctx.vault();
      this.#set({ ...this.#status, vault: { backend, usable: true, fixedByEnvironment } });
    } catch (e) {
      const problem = e instanceof Error ? e.message : String(e);
      const fix = fixedByEnvironment ? 'Fix what the message says, or change RUNNER_TRAY_VAULT (keyring or file) and start again.' : VAULT_FIX;
      this.#set({ ...this.#status, vault: { backend, usable: false, problem, fix, fixedByEnvironment } });
    }
  }

  #set(next: HostStatusView): void {
    const same = JSON.stringify(next) === JSON.stringify(this.#status);
    this.#status = next;
    if (same) return;
    for (const l of this.#listeners) {
      try {
        l(next);
      } catch {
        /* a listener's bug is not the host's failure */
      }
    }
  }
}
