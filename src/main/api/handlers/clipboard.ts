/**
 * `clipboard.*`: desktop only. `peek` offers a runner command found on the clipboard (redacted);
 * `read` parses it and keeps it as a draft that `runners.add` takes by id.
 */
import { toParsedCommandView } from '../../../shared/contract/parsed-view.js';
import { looksLikeRunnerCommand, parseRunnerCommand, redactPaste } from '../../../shared/runner-command/index.js';
import { ApiError } from '../contract-errors.js';
import { savedAs } from './runners.js';
import type { HandlerDeps, HandlersOf } from './types.js';

export function clipboardHandlers(deps: HandlerDeps): HandlersOf<'clipboard'> {
  return {
    async 'clipboard.peek'() {
      if (!deps.clipboard) return { available: false, offer: null };
      const text = await deps.clipboard.readText();
      if (!looksLikeRunnerCommand(text)) return { available: true, offer: null };
      const parsed = parseRunnerCommand(text);
      if (!parsed.ok) return { available: true, offer: null };
      return { available: true, offer: { preview: redactPaste(text), runnerUuid: parsed.spec.runnerUuid, kind: parsed.spec.kind } };
    },

    async 'clipboard.read'() {
      if (!deps.clipboard) {
        throw new ApiError(
          'CLIPBOARD_UNAVAILABLE',
          'This dashboard cannot read your clipboard (it runs on the server); paste the command into the box instead.',
        );
      }
      const parsed = parseRunnerCommand(await deps.clipboard.readText());
      const draftId = deps.drafts.put(parsed);
      return { draftId, parsed: toParsedCommandView(parsed, savedAs(deps.runners, parsed)) };
    },
  };
}
