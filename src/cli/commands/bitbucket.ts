import { splitRepositoryList } from '../../main/bitbucket/connection.js';
import { runnerScopeWarning } from '../../main/bitbucket/runner-scope-text.js';
import { Secret } from '../../shared/secret.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';

export const bitbucketCommand: Command = {
  usage:
    'bitbucket connect --workspace W [--email E] [--repos ws/a,ws/b] [--json] | bitbucket watch --repos ws/a,ws/b [--json] | bitbucket disconnect [--json]',
  summary:
    "Connect Bitbucket Cloud (token on stdin; kept in the vault) to show queued steps, pick the repositories watched for workspace runners (default: the most recently updated few; a repository runner's own is always watched), or disconnect it.",
  options: { workspace: { type: 'string' }, email: { type: 'string' }, repos: { type: 'string' }, json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const sub = args.positionals[0];
    const json = Boolean(args.values.json);
    if (sub === 'disconnect') {
      return withContext(io, async (ctx) => {
        const r = await ctx.bitbucket().disconnect();
        if (json) io.out(JSON.stringify(r) + '\n');
        else
          io.out(r.workspace ? `Disconnected Bitbucket workspace ${r.workspace}; its token was removed from the vault.\n` : 'Bitbucket was not connected.\n');
        return 0;
      });
    }
    const repos = typeof args.values.repos === 'string' ? splitRepositoryList(args.values.repos) : undefined;
    if (sub === 'watch') {
      if (repos === undefined || repos.length === 0) {
        throw new CliError('USAGE', 'bitbucket watch needs --repos ws/a,ws/b: the repositories whose queued steps workspace runners show.', 2);
      }
      return withContext(io, async (ctx) => {
        const connection = await ctx.bitbucket().watch(repos);
        if (json) io.out(JSON.stringify({ connection }) + '\n');
        else io.out(`Watching: ${connection.watchedRepositories.join(', ')} (and each repository runner's own repository).\n`);
        return 0;
      });
    }
    if (sub !== 'connect') {
      throw new CliError(
        'USAGE',
        `bitbucket needs "connect", "watch" or "disconnect"${sub ? `, not "${sub}"` : ''}. Usage: runner-tray ${bitbucketCommand.usage}`,
        2,
      );
    }
    if (repos !== undefined && repos.length === 0) {
      throw new CliError('USAGE', '--repos is empty: give repositories as ws/a,ws/b, or leave --repos out to watch the most recently updated few.', 2);
    }
    const workspace = args.values.workspace;
    if (typeof workspace !== 'string' || workspace.trim() === '') {
      throw new CliError('USAGE', 'bitbucket connect needs --workspace <id> (the part after https://bitbucket.org/).', 2);
    }
    if (io.stdinIsTTY) io.err('Paste the Bitbucket API token (or access token), then press Ctrl-D:\n');
    const token = new Secret((await io.readStdin()).trim());
    return withContext(io, async (ctx) => {
      const email = typeof args.values.email === 'string' ? args.values.email : undefined;
      const { connection, repositories, runnerScopes } = await ctx
        .bitbucket()
        .connect({ workspace, ...(email ? { email } : {}), token, ...(repos ? { watchedRepositories: repos } : {}), checkRunnerScopes: true });
      if (json) io.out(JSON.stringify({ connection, repositories, runnerScopes }) + '\n');
      else
        io.out(
          `Connected Bitbucket workspace ${connection.workspace} (${connection.authKind} auth). Watching: ${connection.watchedRepositories.join(', ') || 'no repositories'}.\n`,
        );
      const warning = runnerScopes ? runnerScopeWarning(runnerScopes) : null;
      if (warning) io.err(`warning [RUNNER_SCOPES]: ${warning}\n`);
      return 0;
    });
  },
};
