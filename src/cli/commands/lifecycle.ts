import { removeRunnerEverywhere } from '../../main/runners/create-runner.js';
import type { RunnerService } from '../../main/runners/runner-service.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { connectedBitbucket } from './bitbucket-client.js';
import { runnerArg } from './runner-arg.js';

/** An image pull's overall status lines on stderr while a start waits for it (not each layer's). */
export function reportPulls(runners: RunnerService, io: CliIo): void {
  runners.events.on('pull-progress', (e) => {
    if (e.status && !e.layer) io.err(`${e.image}: ${e.status}\n`);
  });
}

export const startCommand: Command = {
  usage: 'start <runner> [--adopt|--replace]',
  summary: 'Start the runner\'s container (created if needed; a no-op when it already runs, even with changed settings: stop it first to apply them).',
  options: { adopt: { type: 'boolean' }, replace: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'start');
    if (args.values.adopt && args.values.replace) {
      throw new CliError('USAGE', 'use either --adopt (keep the hand-made container\'s runner) or --replace (remove it), not both.', 2);
    }
    const status = await withContext(io, async (ctx) => {
      reportPulls(await ctx.runners(), io);
      return (await ctx.lifecycle()).start(runner, { adopt: Boolean(args.values.adopt), replace: Boolean(args.values.replace) });
    });
    io.out(`${status.name} ${status.containerState}\n`);
    if (status.notice) io.err(`warning [PENDING_RESTART]: ${status.notice}\n`);
    return 0;
  },
};

export const stopCommand: Command = {
  usage: 'stop <runner>',
  summary: 'Stop the runner\'s container (it stays stopped until you start it).',
  options: {},
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'stop');
    const status = await withContext(io, async (ctx) => (await ctx.lifecycle()).stop(runner));
    io.out(`${status.name} ${status.containerState}\n`);
    return 0;
  },
};

export const removeCommand: Command = {
  usage: 'remove <runner> [--in-bitbucket]',
  summary: 'Remove the runner: its container, its secret in the vault and its settings; with --in-bitbucket also delete it in Bitbucket (first, so a failure here can be retried).',
  options: { 'in-bitbucket': { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'remove');
    if (args.values['in-bitbucket']) {
      const r = await withContext(io, async (ctx) => {
        const { client } = await connectedBitbucket(ctx, 'remove --in-bitbucket');
        return removeRunnerEverywhere({ client, runners: await ctx.runners() }, runner);
      });
      io.out(`removed ${r.runnerUuid} (${r.bitbucket === 'deleted' ? 'deleted in Bitbucket' : 'Bitbucket no longer had it'})\n`);
      return 0;
    }
    const { runnerUuid } = await withContext(io, async (ctx) => (await ctx.lifecycle()).remove(runner));
    io.out(`removed ${runnerUuid}\n`);
    return 0;
  },
};
