/**
 * The one registration function: every transport (Electron IPC, the loopback HTTP bridge)
 * calls `dispatch(channel, payload)` and sends back what it returns. It validates the payload
 * with the channel's zod schema, runs the handler, wraps the outcome in the result envelope,
 * and logs one line per call: channel, outcome, time. Never the payload: it may hold a pasted
 * secret or an API token.
 */
import type { ContractHandlers } from '../../shared/contract/channels.js';
import { fail, ok, type Result } from '../../shared/contract/result.js';
import { validateRequest } from '../../shared/contract/validate.js';
import { findSecretsInText, maskCredentials } from '../../shared/runner-command/mask.js';
import { toContractError } from './contract-errors.js';

export type Dispatch = (channel: string, payload: unknown) => Promise<Result<unknown>>;

export interface DispatchOptions {
  /** One line per call; unexpected errors add their (redacted) details. */
  log?: (line: string) => void;
}

export function createDispatch(handlers: ContractHandlers, options: DispatchOptions = {}): Dispatch {
  const log = options.log ?? (() => undefined);
  return async (channel, payload) => {
    const started = performance.now();
    const valid = validateRequest(channel, payload);
    let result: Result<unknown>;
    let detail = '';
    if (!valid.ok) {
      result = valid;
    } else {
      try {
        const handler = handlers[channel as keyof ContractHandlers] as (request: unknown) => Promise<unknown>;
        result = ok(await handler(valid.value));
      } catch (e) {
        const error = toContractError(e);
        result = fail(error.code, error.message);
        if (error.code === 'INTERNAL') detail = `: ${redactFor(payload, e instanceof Error ? (e.stack ?? e.message) : String(e))}`;
      }
    }
    const ms = Math.round(performance.now() - started);
    const printable = /^[a-zA-Z.]{1,60}$/.test(channel) ? channel : '(bad channel name)';
    log(`${printable} ${result.ok ? 'ok' : result.error.code} ${ms}ms${detail}`);
    return result;
  };
}

/** Secrets the request carried, masked out of an unexpected error's text before it is logged. */
function redactFor(payload: unknown, text: string): string {
  const p = (payload ?? {}) as { command?: unknown; apiToken?: unknown };
  const secrets: string[] = [];
  if (typeof p.command === 'string') secrets.push(...findSecretsInText(p.command));
  if (typeof p.apiToken === 'string') secrets.push(p.apiToken);
  // And whatever secret-looking `NAME=value` the text quotes (an engine error naming a container's variables).
  secrets.push(...findSecretsInText(text));
  return maskCredentials(text, secrets);
}
