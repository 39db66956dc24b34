import { AppContext } from '../main/app-context.js';
import type { CliIo } from './io.js';

export interface ContextOptions {
  /**
   * Look for a newer runner image in the background after a start. Only for commands that keep
   * running (`serve`, `watch`): a one-shot command would have to wait for it, or leave it behind.
   */
  checkForImageUpdates?: boolean;
  /** `serve`: come up without Docker and follow the engine once it answers. */
  waitForEngine?: boolean;
}

/** One AppContext per invocation; closed so background work (monitor streams, image checks) ends before exit. */
export async function withContext<T>(io: CliIo, fn: (ctx: AppContext) => Promise<T>, options: ContextOptions = {}): Promise<T> {
  const ctx = new AppContext({
    env: io.env,
    checkForImageUpdates: options.checkForImageUpdates ?? false,
    ...(options.waitForEngine ? { waitForEngine: true } : {}),
    log: (line) => io.err(`runner-tray: ${line}\n`),
  });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
