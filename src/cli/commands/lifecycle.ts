import { removeRunnerEverywhere } from '../../main/runners/create-runner.js';
import type { Removal } from '../../main/runners/lifecycle.js';
import type { RunnerService } from '../../main/runners/runner-service.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError, errorCode } from '../errors.js';
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
  summary: "Start the runner's container (created if needed; a no-op when it already runs, even with changed settings: stop it first to apply them).",
  options: { adopt: { type: 'boolean' }, replace: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'start');
    if (args.values.adopt && args.values.replace) {
      throw new CliError('USAGE', "use either --adopt (keep the hand-made container's runner) or --replace (remove it), not both.", 2);
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

/** "removed 2 step containers": the runner's leftovers, cleaned up after it stopped. */
function cleanupLine(removed: number): string {
  return removed === 0 ? '' : `removed ${removed} step container${removed === 1 ? '' : 's'}\n`;
}

/** A stop the lifecycle refused because a step runs: the CLI's way to confirm is `--force`. */
function withForceHint(e: unknown): unknown {
  if (errorCode(e) !== 'STEP_RUNNING') return e;
  return new CliError('STEP_RUNNING', `${(e as Error).message.replace(/\.$/, '')}; use --force`, 1);
}

export const stopCommand: Command = {
  usage: 'stop <runner> [--force]',
  summary: "Stop the runner's container (it stays stopped until you start it) and remove its step containers; --force stops it mid-step.",
  options: { force: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'stop');
    const force = Boolean(args.values.force);
    const status = await withContext(io, async (ctx) => (await ctx.lifecycle()).stop(runner, { force })).catch((e: unknown) => {
      throw withForceHint(e);
    });
    io.out(`${status.name} ${status.containerState}\n${cleanupLine(status.removedStepContainers)}`);
    return 0;
  },
};

export const removeCommand: Command = {
  usage: 'remove <runner> [--force] [--in-bitbucket]',
  summary:
    'Remove the runner: its container, its step containers, its secret in the vault and its settings (for a runner moved to a cluster: its workload and Secret there, first); --force removes it mid-step; --in-bitbucket also deletes it in Bitbucket (first, so a failure here can be retried).',
  options: { force: { type: 'boolean' }, 'in-bitbucket': { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'remove');
    const force = Boolean(args.values.force);
    if (args.values['in-bitbucket']) {
      let removal: Removal | undefined;
      const r = await withContext(io, async (ctx) => {
        const { client } = await connectedBitbucket(ctx, 'remove --in-bitbucket');
        const lifecycle = await ctx.lifecycle();
        // Asked before Bitbucket forgets it; the removal here is then forced.
        if (!force) await lifecycle.refuseDuringStep(runner);
        const runners = {
          resolve: (name: string) => lifecycle.runners.resolve(name),
          remove: async (name: string) => (removal = await lifecycle.remove(name, { force: true })),
        };
        return removeRunnerEverywhere({ client, runners }, runner);
      }).catch((e: unknown) => {
        throw withForceHint(e);
      });
      io.out(`removed ${r.runnerUuid} (${r.bitbucket === 'deleted' ? 'deleted in Bitbucket' : 'Bitbucket no longer had it'})\n`);
      if (removal) io.out(cleanupLine(removal.removedStepContainers) + unplacedLine(removal));
      return 0;
    }
    const removed = await withContext(io, async (ctx) => (await ctx.lifecycle()).remove(runner, { force })).catch((e: unknown) => {
      throw withForceHint(e);
    });
    io.out(`removed ${removed.runnerUuid}\n${cleanupLine(removed.removedStepContainers)}${unplacedLine(removed)}`);
    return 0;
  },
};

/** "deleted Deployment runner-… and Secret runner-…-oauth in namespace ci on context "prod" (…)". */
function unplacedLine(removal: Removal): string {
  const u = removal.unplaced;
  if (!u) return '';
  if (u.deleted.length === 0) return `its objects in namespace ${u.namespace} on ${u.cluster} were already gone\n`;
  return `deleted ${u.deleted.join(' and ')} in namespace ${u.namespace} on ${u.cluster}\n`;
}
