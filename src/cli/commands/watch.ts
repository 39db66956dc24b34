import type { MonitorEvent } from '../../main/monitor/events.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';

/** One NDJSON line per event; the step's internal fields stay in, they carry no secrets. */
export function eventLine(e: MonitorEvent): string {
  return JSON.stringify(e) + '\n';
}

export const watchCommand: Command = {
  usage: 'watch [--logs]',
  summary: 'Run in the foreground: follow every runner, supervise crash loops, print state changes, steps and diagnoses as NDJSON until Ctrl-C.',
  options: { logs: { type: 'boolean' } },
  maxPositionals: 0,
  async run(args, io) {
    return withContext(io, async (ctx) => {
      const service = await ctx.monitor();
      const off = service.events.on('*', (e) => {
        if (e.type === 'log' && !args.values.logs) return;
        io.out(eventLine(e));
      });
      try {
        await service.start();
        // The pools' controllers run while the host does; their decisions are logged on stderr.
        await ctx.pools().start();
        // The starting point, so a reader needs no second call to know where things stand.
        for (const s of service.snapshot()) {
          io.out(
            eventLine({
              type: 'runner-state',
              runnerUuid: s.runnerUuid,
              runnerState: s.runnerState,
              previous: null,
              ...(s.reason ? { reason: s.reason } : {}),
              ...(s.crash ? { crash: s.crash } : {}),
              time: new Date().toISOString(),
            }),
          );
        }
        io.err(`runner-tray: watching ${service.snapshot().length} runner(s); press Ctrl-C to stop.\n`);
        await io.untilSignal();
        return 0;
      } finally {
        off();
        await service.close();
      }
    });
  },
};
