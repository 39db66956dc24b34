import { createBitbucketRunner } from '../../main/runners/create-runner.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import { connectedBitbucket } from './bitbucket-client.js';

export const createCommand: Command = {
  usage: 'create --name N [--workspace W] [--repository SLUG] [--label L]… [--work-dir DIR|auto] [--start] [--json]',
  summary:
    'Create a runner in Bitbucket through its API (no pasting): its one-time secret goes straight into the vault, the rest into settings, as a paste would; --start runs it. If a step after the create fails, the runner is deleted in Bitbucket again.',
  options: {
    name: { type: 'string' },
    workspace: { type: 'string' },
    repository: { type: 'string' },
    label: { type: 'string', multiple: true },
    'work-dir': { type: 'string' },
    start: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  maxPositionals: 0,
  async run(args, io) {
    const name = args.values.name;
    if (typeof name !== 'string' || name.trim() === '') {
      throw new CliError('USAGE', 'create needs --name <name>: the name Bitbucket shows for the runner, e.g. --name build-1.', 2);
    }
    const str = (k: string) => (typeof args.values[k] === 'string' ? (args.values[k] as string) : undefined);
    const labels = ((args.values.label as string[] | undefined) ?? []).flatMap((l) => l.split(','));
    const [workspace, repository, workDir] = [str('workspace'), str('repository'), str('work-dir')];
    const result = await withContext(io, async (ctx) => {
      const { client, connection } = await connectedBitbucket(ctx, 'create');
      const runners = await ctx.runners();
      runners.events.on('pull-progress', (e) => {
        if (e.status && !e.layer) io.err(`${e.image}: ${e.status}\n`);
      });
      return createBitbucketRunner(
        { client, connection, runners, engine: () => ctx.engine() },
        {
          name,
          labels,
          start: Boolean(args.values.start),
          ...(workspace !== undefined ? { workspace } : {}),
          ...(repository !== undefined ? { repository } : {}),
          ...(workDir !== undefined ? { workDir } : {}),
        },
      );
    });
    const { record, bitbucket, warnings, started } = result;
    if (args.values.json) {
      io.out(
        JSON.stringify({
          created: true,
          runner: record.spec,
          displayName: record.displayName,
          bitbucket,
          started: started ? started.containerState : null,
          warnings: warnings.map(({ code, message }) => ({ code, message })),
        }) + '\n',
      );
      return 0;
    }
    for (const w of warnings) io.err(`warning [${w.code}]: ${w.message}\n`);
    io.err(
      `Created ${record.spec.kind} runner "${record.displayName}" in Bitbucket (labels ${bitbucket.labels.join(', ')}); its secret is in the vault.` +
        (started ? ` Container ${record.spec.name} ${started.containerState}.\n` : ` Start it with: runner-tray start ${record.spec.runnerUuid}\n`),
    );
    io.out(`${record.spec.runnerUuid}\n`);
    return 0;
  },
};
