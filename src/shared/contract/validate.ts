import type { z } from 'zod';
import { channels, isChannel, type Channel, type ValidRequestOf } from './channels.js';
import { fail, ok, type Result } from './result.js';

/**
 * Validate a payload for a channel, turning zod's issues into one sentence that
 * names each bad field. Zod echoes the received value in some messages; we build
 * our own text from paths and our own messages only, so a pasted secret in a bad
 * payload cannot leak into the error.
 */
export function validateRequest<C extends Channel>(channel: C, payload: unknown): Result<ValidRequestOf<C>>;
export function validateRequest(channel: string, payload: unknown): Result<unknown>;
export function validateRequest(channel: string, payload: unknown): Result<unknown> {
  if (!isChannel(channel)) {
    return fail('UNKNOWN_CHANNEL', `Unknown channel "${printable(channel)}". Known channels: ${Object.keys(channels).join(', ')}.`);
  }
  const schema = channels[channel] as z.ZodType;
  const parsed = schema.safeParse(payload ?? {});
  if (parsed.success) return ok(parsed.data);
  const parts = parsed.error.issues.map((issue) => describeIssue(issue));
  return fail('INVALID_INPUT', `Invalid request for ${channel}: ${parts.join('; ')}.`);
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'the request';
  switch (issue.code) {
    case 'invalid_type':
      return `${field} must be ${article(issue.expected)}`;
    case 'unrecognized_keys':
      return `${field} has unknown field(s) ${issue.keys.map((k) => `"${printable(k)}"`).join(', ')}; remove them`;
    case 'invalid_value':
      return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      // Our own schema messages never contain the received value.
      return `${field} ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function printable(s: string): string {
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}
