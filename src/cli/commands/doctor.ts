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
      // The facts the dashboard's host.preflight judges too, gathered by the same code.
      const report = preflight(await ctx.hostFacts());
      if (args.values.json) io.out(JSON.stringify(report) + '\n');
      else {
        for (const f of report.findings) io.out(`${MARK[f.status]}  ${f.message}${f.fix ? `\n      fix: ${f.fix}` : ''}\n`);
      }
      return hasFailure(report) ? 1 : 0;
    });
  },
};
