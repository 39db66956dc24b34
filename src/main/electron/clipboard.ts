/**
 * The system clipboard as the API's `clipboard` dependency. Only the services read it: the page
 * gets a redacted preview (`clipboard.peek`) and a draft id (`clipboard.read`), never the text,
 * so a secret in the clipboard does not reach the renderer.
 */
import type { Clipboard } from 'electron';
import { looksLikeRunnerCommand } from '../../shared/runner-command/index.js';

export function clipboardSource(clipboard: Pick<Clipboard, 'readText'>): { readText(): Promise<string> } {
  return { readText: async () => clipboard.readText() };
}

/** For the tray's "Add runner from clipboard" item: a yes/no, the text goes nowhere. */
export function clipboardHasRunnerCommand(clipboard: Pick<Clipboard, 'readText'>): boolean {
  return looksLikeRunnerCommand(clipboard.readText());
}
