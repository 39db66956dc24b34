import { AppContext } from '../main/app-context.js';
import type { CliIo } from './io.js';

/** One AppContext per invocation; closed so background work (image checks) ends before exit. */
export async function withContext<T>(io: CliIo, fn: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = new AppContext({ env: io.env });
  try {
    return await fn(ctx);
  } finally {
    await ctx.close();
  }
}
