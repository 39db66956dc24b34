/**
 * Characters that must not reach a container's environment or a terminal: control characters
 * (C0, DEL, C1: a NUL makes the engine refuse the container and print the whole variable; an
 * ESC drives the terminal that prints it), bidi overrides (text shown in another order than it
 * is), lone UTF-16 surrogates (not text: they cannot be encoded to UTF-8 and reach Docker
 * mangled) and U+FFFD (what decoding put in place of bytes that were not UTF-8).
 */

export type UnsafeCharKind = 'nul' | 'control' | 'bidi' | 'surrogate' | 'replacement';

export interface UnsafeChar {
  kind: UnsafeCharKind;
  /** UTF-16 index in the text. */
  index: number;
  codePoint: number;
}

const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

export function unsafeKindOf(codePoint: number): UnsafeCharKind | null {
  if (codePoint === 0) return 'nul';
  if (codePoint < 0x20 || (codePoint >= 0x7f && codePoint <= 0x9f)) return 'control';
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 'surrogate';
  if (codePoint === 0xfffd) return 'replacement';
  if (BIDI.test(String.fromCharCode(codePoint))) return 'bidi';
  return null;
}

/** The first character of `text` that is not safe text, or null. Paired surrogates are fine. */
export function findUnsafeChar(text: string): UnsafeChar | null {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // A high surrogate followed by a low one is one ordinary character (an emoji, say).
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    const kind = unsafeKindOf(c);
    if (kind) return { kind, index: i, codePoint: c };
  }
  return null;
}

const hex = (n: number) => `U+${n.toString(16).toUpperCase().padStart(4, '0')}`;

/** The character in words: `a NUL character (U+0000)`, `an escape character (U+001B)`. */
export function describeUnsafeChar(u: Pick<UnsafeChar, 'kind' | 'codePoint'>): string {
  switch (u.kind) {
    case 'nul':
      return 'a NUL character (U+0000)';
    case 'control':
      if (u.codePoint === 0x1b) return 'an escape character (U+001B, which starts terminal escape sequences)';
      if (u.codePoint === 0x0a || u.codePoint === 0x0d) return `a line break (${hex(u.codePoint)})`;
      if (u.codePoint === 0x09) return 'a tab (U+0009)';
      return `a control character (${hex(u.codePoint)})`;
    case 'bidi':
      return `a text-direction control character (${hex(u.codePoint)}), which makes text show in another order than it is`;
    case 'surrogate':
      return `a broken character (a lone UTF-16 surrogate, ${hex(u.codePoint)})`;
    case 'replacement':
      return 'bytes that are not valid UTF-8 (decoded as U+FFFD, �)';
  }
}

/**
 * `text` fit to print on a terminal: every unsafe character written as a visible escape
 * (`\u{1b}`, `\u{0}`: braced, so the letters after it stay apart from the code), so stored text from anywhere can never drive the terminal it is shown on.
 */
export function printableText(text: string): string {
  if (findUnsafeChar(text) === null) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += text[i]! + text[i + 1]!;
        i++;
        continue;
      }
    }
    out += unsafeKindOf(c) === null || c === 0xfffd ? text[i]! : `\\u{${c.toString(16)}}`;
  }
  return out;
}
