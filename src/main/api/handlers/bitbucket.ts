/** `bitbucket.*`: connect (the token goes to the vault only) and disconnect; queued steps follow the connection. */
import { Secret } from '../../../shared/secret.js';
import { announceSettings } from './settings.js';
import type { HandlerDeps, HandlersOf } from './types.js';

export function bitbucketHandlers(deps: HandlerDeps): HandlersOf<'bitbucket'> {
  return {
    async 'bitbucket.connect'({ workspace, email, apiToken }) {
      await deps.bitbucket.connect({ workspace, email, token: new Secret(apiToken) });
      await deps.queued.reload();
      return announceSettings(deps).bitbucket;
    },

    async 'bitbucket.disconnect'() {
      await deps.bitbucket.disconnect();
      await deps.queued.reload();
      return announceSettings(deps).bitbucket;
    },
  };
}
