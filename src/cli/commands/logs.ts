import { followContainerLog, readContainerLog } from '../../main/docker/container-logs.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import { runnerArg } from './runner-arg.js';
import { maskLogText } from '../../shared/mask-text.js';
import { secretsInContainerEnv } from '../../shared/runner-command/runner-env.js';

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
      // Chunks are not lines: a secret split across two chunks must still be masked whole.
      let partial = '';
      const follower = await followContainerLog(
        docker,
        status.containerId,
        (text) => {
          const lines = (partial + text).split('\n');
          partial = lines.pop()!;
          if (lines.length > 0) io.out(mask(lines.join('\n')) + '\n');
        },
        options,
      );
      await Promise.race([follower.ended, io.untilSignal()]);
      follower.stop();
      if (partial !== '') io.out(mask(partial));
      return 0;
    });
  },
};
