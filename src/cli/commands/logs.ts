import { followContainerLog, readContainerLog } from '../../main/docker/container-logs.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import { runnerArg } from './runner-arg.js';
import { maskLogText } from '../../shared/mask-text.js';
import { secretsInContainerEnv } from '../../shared/runner-command/runner-env.js';
import type { AppContext } from '../../main/app-context.js';
import { resolveRunner } from '../../main/runners/resolve.js';
import type { RunnerRecord } from '../../main/settings/types.js';
import type { CliIo } from '../io.js';

/** Chunks are not lines: a secret split across two chunks must still be masked whole. */
function lineWriter(io: CliIo, mask: (text: string) => string): { write(text: string): void; end(): void } {
  let partial = '';
  return {
    write(text) {
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      if (lines.length > 0) io.out(mask(lines.join('\n')) + '\n');
    },
    end() {
      if (partial !== '') io.out(mask(partial));
      partial = '';
    },
  };
}

/** A runner on a cluster: its pod's runner container log through the API server, masked as the dashboard masks it. */
async function placedLogs(ctx: AppContext, io: CliIo, record: RunnerRecord, follow: boolean, tail: number | undefined): Promise<number> {
  const uuid = record.spec.runnerUuid;
  const watch = ctx.clusterWatch();
  await watch.sync();
  const problem = watch.problem(uuid);
  if (problem) throw new CliError('K8S_UNREADABLE', problem);
  if (!watch.podName(uuid)) {
    const p = record.placement!;
    throw new CliError(
      'NO_CONTAINER',
      `Runner ${uuid} has no pod in namespace ${p.namespace} (context "${p.context}") yet, so no log. See runner-tray k8s status ${uuid}.`,
    );
  }
  const mask = (text: string) =>
    text
      .split('\n')
      .map((line) => watch.maskLogLine(uuid, line))
      .join('\n');
  if (!follow) {
    io.out(mask(await watch.readLog(uuid, tail, false)));
    return 0;
  }
  const out = lineWriter(io, mask);
  const follower = await watch.followLog(uuid, (text) => out.write(text), tail);
  await Promise.race([follower.ended, io.untilSignal()]);
  follower.stop();
  out.end();
  return 0;
}

export const logsCommand: Command = {
  usage: 'logs <runner> [--follow] [--tail N]',
  summary: "Print the runner container's log; --follow keeps printing until Ctrl-C.",
  options: { follow: { type: 'boolean', short: 'f' }, tail: { type: 'string' } },
  maxPositionals: 1,
  async run(args, io) {
    const runner = runnerArg(args, 'logs');
    const tailArg = args.values.tail as string | undefined;
    const tail = tailArg === undefined ? undefined : Number(tailArg);
    if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) {
      throw new CliError('USAGE', `--tail takes a whole number of lines, got "${tailArg}".`, 2);
    }
    return withContext(io, async (ctx) => {
      const record = resolveRunner(runner, ctx.settings().runners().list());
      if (record.placement) return placedLogs(ctx, io, record, Boolean(args.values.follow), tail);
      const status = await (await ctx.runners()).status(runner);
      if (!status.containerId) {
        throw new CliError(
          'NO_CONTAINER',
          `Runner ${status.runnerUuid} has no container yet, so no log. Start it with \`runner-tray start ${status.runnerUuid}\`.`,
        );
      }
      const docker = (await ctx.engine()).docker;
      const options = tail === undefined ? {} : { tail };
      // The secrets the container got, masked as the monitor masks them (the runner may print them).
      const secrets = secretsInContainerEnv((await docker.getContainer(status.containerId).inspect()).Config.Env);
      const mask = (text: string) =>
        text
          .split('\n')
          .map((line) => maskLogText(line, secrets))
          .join('\n');
      if (!args.values.follow) {
        io.out(mask(await readContainerLog(docker, status.containerId, options)));
        return 0;
      }
      const out = lineWriter(io, mask);
      const follower = await followContainerLog(docker, status.containerId, (text) => out.write(text), options);
      await Promise.race([follower.ended, io.untilSignal()]);
      follower.stop();
      out.end();
      return 0;
    });
  },
};
