/**
 * A secret value that refuses to be printed. Every accidental path to text
 * (template literals, JSON.stringify, util.inspect, console.log) yields the
 * redaction marker; only `reveal()` gives the value, so each real use is greppable.
 */
export const REDACTED = '<redacted>';

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  get length(): number {
    return this.#value.length;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspectSymbol](): string {
    return REDACTED;
  }
}

/**
 * The ways a secret's value shows up in text from outside our code: as it is, JSON-escaped (an
 * API reply), Go-quoted (the engine's `%q`, e.g. `\x00`), and, when it holds characters those
 * escape, each longer printable piece between them (whatever escaping was used around them).
 */
export function secretForms(value: string): string[] {
  const forms = new Set([value, JSON.stringify(value).slice(1, -1), goQuoted(value)]);
  if (/[^\x20-\x7e]/.test(value)) {
    for (const piece of value.split(/[^\x20-\x7e]+/)) if (piece.length >= 8) forms.add(piece);
  }
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length);
}

const GO_ESCAPES: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
  '"': '\\"',
};

/** Go's strconv.Quote without the quotes, for what Go programs (dockerd, runc) print with `%q`. */
function goQuoted(value: string): string {
  let out = '';
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (GO_ESCAPES[ch] !== undefined) out += GO_ESCAPES[ch];
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c <= 0x9f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

/** Replace every occurrence of the given secrets (in each of their forms) in `text`, for log and error text from outside our code. */
export function redactText(text: string, secrets: ReadonlyArray<string | Secret>): string {
  let out = text;
  for (const s of secrets) {
    const value = typeof s === 'string' ? s : s.reveal();
    if (value.length < 4) continue;
    for (const form of secretForms(value)) out = out.split(form).join(REDACTED);
  }
  return out;
}
