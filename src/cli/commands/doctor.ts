import type { Engine } from '../../main/docker/engine.js';
import { bitbucketRunnersForPreflight } from '../../main/bitbucket/runner-labels.js';
import { gatherHostFacts } from '../../main/host-facts.js';
import { hasFailure, preflight } from '../../shared/preflight/index.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';

const MARK = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;

export const doctorCommand: Command = {
  usage: 'doctor [--json]',
  summary: 'Check this host for running Bitbucket runners: engine, kernel, memory, swap, disk, binds. Exit 1 when a check fails.',
  options: { json: { type: 'boolean' } },
  maxPositionals: 0,
  async run(args, io) {
    return withContext(io, async (ctx) => {
      let engine: Engine | { error: unknown };
      try {
        engine = await ctx.engine();
      } catch (error) {
        engine = { error };
      }
      const runners = ctx.settings().runners().list();
      const bitbucketRunners = await bitbucketRunnersForPreflight(
        { vault: await ctx.vault(), store: ctx.settings().bitbucket(), ...(ctx.env.RUNNER_TRAY_BITBUCKET_API ? { baseUrl: ctx.env.RUNNER_TRAY_BITBUCKET_API } : {}) },
        runners,
        (message) => io.err(`runner-tray: ${message}\n`),
      );
      const report = preflight(await gatherHostFacts({ engine, runners, bitbucketRunners }));
      if (args.values.json) io.out(JSON.stringify(report) + '\n');
      else {
        for (const f of report.findings) io.out(`${MARK[f.status]}  ${f.message}${f.fix ? `\n      fix: ${f.fix}` : ''}\n`);
      }
      return hasFailure(report) ? 1 : 0;
    });
  },
};
