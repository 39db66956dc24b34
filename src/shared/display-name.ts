/**
 * The one rule for a runner's display name, wherever it comes from (`add --name`, the API, the
 * settings file): trimmed, 1–80 characters, and no character that could drive a terminal or
 * reorder what is shown (control characters C0/C1/DEL, bidi controls; see text-safety.ts).
 */
import { describeUnsafeChar, findUnsafeChar, unsafeKindOf } from './text-safety.js';

export const DISPLAY_NAME_MAX = 80;

export type DisplayNameCheck = { ok: true; name: string } | { ok: false; message: string };

/** The name as stored (trimmed), or what is wrong with it and how to fix it. The message never repeats the name. */
export function checkDisplayName(raw: string): DisplayNameCheck {
  const name = raw.trim();
  if (name === '')
    return {
      ok: false,
      message: 'The display name is empty: give a name with at least one letter or digit, or leave the option out to use the container name.',
    };
  const length = [...name].length;
  if (length > DISPLAY_NAME_MAX) {
    return { ok: false, message: `The display name is ${length} characters long; it may have at most ${DISPLAY_NAME_MAX}. Choose a shorter name.` };
  }
  const u = findUnsafeChar(name);
  if (u) {
    return {
      ok: false,
      message: `The display name contains ${describeUnsafeChar(u)} at character ${[...name.slice(0, u.index)].length + 1}. Use plain text: letters, digits, spaces and punctuation.`,
    };
  }
  return { ok: true, name };
}

/**
 * A name stored by an older version, which did not check: control characters dropped, trimmed
 * and cut to the limit, so the file still loads and every later write stores a valid name.
 */
export function cleanStoredDisplayName(raw: string): string {
  const kept = [...raw]
    .filter((ch) => {
      const kind = unsafeKindOf(ch.codePointAt(0)!);
      return kind === null || kind === 'replacement';
    })
    .join('')
    .trim();
  return [...kept].slice(0, DISPLAY_NAME_MAX).join('').trim();
}
