import { connectEngine, type Engine } from '../../main/docker/engine.js';
import { openBitbucketClient } from '../../main/bitbucket/connection.js';
import { fetchOurRunners } from '../../main/bitbucket/our-runners.js';
import type { AppContext } from '../../main/app-context.js';
import { gatherHostFacts } from '../../main/host-facts.js';
import type { RunnerRecord } from '../../main/settings/types.js';
import type { CliIo } from '../io.js';
import { hasFailure, preflight } from '../../shared/preflight/index.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

/** Runner labels as Bitbucket lists them; null (labels unknown) when not connected or Bitbucket cannot be asked. */
async function bitbucketRunners(ctx: AppContext, io: CliIo, records: RunnerRecord[]) {
  if (records.length === 0) return null;
  try {
    const opened = await openBitbucketClient({ vault: await ctx.vault(), store: ctx.settings().bitbucket(), baseUrl: ctx.env.RUNNER_TRAY_BITBUCKET_API, timeoutMs: 10_000 });
    if (!opened) return null;
    return (await fetchOurRunners(opened.client, opened.connection, records)).runners;
  } catch (e) {
    io.err(`runner-tray: runner labels not checked: ${(e as Error).message}\n`);
    return null;
  }
}

export const doctorCommand: Command = {
  usage: 'doctor [--json]',
  summary: 'Check this host for running Bitbucket runners: engine, kernel, memory, swap, disk, binds. Exit 1 when a check fails.',
  options: { json: { type: 'boolean' } },
  maxPositionals: 0,
  async run(args, io) {
    return withContext(io, async (ctx) => {
      let engine: Engine | { error: unknown };
      try {
        engine = await connectEngine({ discovery: { env: io.env } });
      } catch (error) {
        engine = { error };
      }
      const runners = ctx.settings().runners().list();
      const report = preflight(await gatherHostFacts({ engine, runners, bitbucketRunners: await bitbucketRunners(ctx, io, runners) }));
      if (args.values.json) io.out(JSON.stringify(report) + '\n');
      else {
        for (const f of report.findings) io.out(`${MARK[f.status]}  ${f.message}${f.fix ? `\n      fix: ${f.fix}` : ''}\n`);
      }
      return hasFailure(report) ? 1 : 0;
    });
  },
};
