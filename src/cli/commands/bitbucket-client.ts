import type { AppContext } from '../../main/app-context.js';
import type { BitbucketClient } from '../../main/bitbucket/client.js';
import type { BitbucketConnection } from '../../main/bitbucket/connection.js';
import { CliError } from '../errors.js';

/** The connected Bitbucket client, or a usage error saying how to connect (for commands that write to Bitbucket). */
export async function connectedBitbucket(ctx: AppContext, needs: string): Promise<{ client: BitbucketClient; connection: BitbucketConnection }> {
  const opened = await ctx.bitbucket().open();
  if (!opened) {
    throw new CliError(
      'BITBUCKET_NOT_CONNECTED',
      `${needs} needs a Bitbucket connection: run "runner-tray bitbucket connect --workspace <workspace> --email <email>" and paste an API token with the scopes read:runner:bitbucket and write:runner:bitbucket.`,
      1,
    );
  }
  return opened;
}
