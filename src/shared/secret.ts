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

/** Replace every occurrence of the given secrets in `text`, for log and error text from outside our code. */
export function redactText(text: string, secrets: ReadonlyArray<string | Secret>): string {
  let out = text;
  for (const s of secrets) {
    const value = typeof s === 'string' ? s : s.reveal();
    if (value.length >= 4) out = out.split(value).join(REDACTED);
  }
  return out;
}
