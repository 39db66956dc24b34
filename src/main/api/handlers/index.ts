/**
 * The handler table: every contract channel implemented over the services, one file per area.
 * Requests arrive already validated (see `dispatch.ts`); errors are thrown as the services throw
 * them and mapped to contract errors in one place. Nothing returned here can hold a secret: the
 * views have no such field, and a pasted command goes to the parser and the runner service only.
 */
import type { Channel, ContractHandlers } from '../../../shared/contract/channels.js';
import { bitbucketHandlers } from './bitbucket.js';
import { clipboardHandlers } from './clipboard.js';
import { hostHandlers } from './host.js';
import { importHandlers } from './imports.js';
import { poolHandlers } from './pools.js';
import { kubernetesHandlers } from './kubernetes.js';
import { runnerHandlers } from './runners.js';
import { settingsHandlers } from './settings.js';
import { stepHandlers } from './steps.js';
import type { HandlerDeps } from './types.js';

export { ClipboardDrafts } from './drafts.js';
export type { AreaChannel, HandlerDeps, HandlersOf } from './types.js';

export function createHandlers(deps: HandlerDeps): ContractHandlers {
  const handlers = {
    ...runnerHandlers(deps),
    ...stepHandlers(deps),
    ...hostHandlers(deps),
    ...settingsHandlers(deps),
    ...bitbucketHandlers(deps),
    ...clipboardHandlers(deps),
    ...importHandlers(deps),
    ...poolHandlers(deps),
    ...kubernetesHandlers(deps),
  };
  // A channel with no area (a new prefix) is missing here, and fails to compile until one serves it.
  const complete: Exact<keyof typeof handlers, Channel> = true;
  void complete;
  return handlers;
}

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
