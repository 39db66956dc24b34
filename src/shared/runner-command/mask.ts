/**
 * Keeping the OAuth client secret out of every message the parser writes. Messages quote
 * pasted words only through `quoteWord`, which masks the known secret and anything that looks
 * like a credential; a mangled paste can put a piece of the secret where an image or option
 * name was expected, so knowing the secret's exact value is not enough.
 */
import { printableText } from '../text-safety.js';

export const MASK = '••••••••';

/** How a secret is shown to people: never its characters, only its length. */
export function maskSecret(length: number): string {
  return `${MASK}(${length})`;
}

const WORD_RUN = /[A-Za-z0-9_-]{16,}/g;
const PLAIN_PIECE = [/^[a-z0-9]*$/, /^[A-Z0-9]*$/, /^[0-9a-fA-F]*$/];

/** A long run of mixed-case letters and digits: a credential, or a piece of one. */
export function looksLikeCredential(run: string): boolean {
  if (run.length < 16) return false;
  return !run.split(/[-_]/).every((piece) => PLAIN_PIECE.some((re) => re.test(piece)));
}

/** Replace each known secret value in `text`, then any run that looks like a credential. */
export function maskCredentials(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join(MASK);
  return out.replace(WORD_RUN, (run) => (looksLikeCredential(run) ? MASK : run));
}

/** A pasted word made fit for a message: masked, and shortened when long. */
export function plainWord(word: string, secrets: readonly string[]): string {
  const masked = printableText(maskCredentials(word, secrets).replace(/[\r\n\t]+/g, ' '));
  return masked.length > 90 ? `${masked.slice(0, 87)}…` : masked;
}

/** `plainWord` as inline code. */
export function quoteWord(word: string, secrets: readonly string[]): string {
  return `\`${plainWord(word, secrets)}\``;
}

/**
 * Names that say a variable holds a credential. The same rule as the settings validator's,
 * which refuses such names: variables named so go to the vault instead (`extraSecrets`).
 */
export const SECRET_ENV_NAME = /SECRET|TOKEN|PASSW(OR)?D|CREDENTIAL|API_?KEY|PRIVATE_?KEY/i;

/**
 * `NAME=` for a secret-looking NAME. The name is taken whole, as one word, through a lookahead
 * and a back-reference (JavaScript has no atomic groups): a plain `\w*?TOKEN\w*=` backtracks over
 * every split of a long word, quadratic in a pasted blob. Each use needs its own group name.
 */
const secretNameEq = (group: string) =>
  String.raw`(?<![A-Za-z0-9_])(?=[A-Za-z0-9_]*?(?:SECRET|TOKEN|PASSW(?:OR)?D|CREDENTIAL|API_?KEY|PRIVATE_?KEY))(?=(?<${group}>[A-Za-z_][A-Za-z0-9_]*))\k<${group}>[ \t]*=[ \t]*`;
const OPTION = String.raw`-{1,2}OAuthClientSecret(?:[ \t]*=[ \t]*|[ \t]+)`;

/**
 * Where a paste writes a secret value: `NAME=value` for a secret-looking NAME (OAUTH_CLIENT_SECRET
 * among them), also as one quoted word (`-e "NAME=a b"`), and the option form of the Linux Shell,
 * macOS and Windows runner commands. One pattern, so each value is masked once: the forms that
 * start further left (the quote, the dash) win over the bare name inside them.
 */
const SECRET_IN_TEXT = new RegExp(
  [
    String.raw`"(?<dqPrefix>${secretNameEq('n1')})(?<dqWhole>[^"\n]*)"`,
    String.raw`'(?<sqPrefix>${secretNameEq('n2')})(?<sqWhole>[^'\n]*)'`,
    String.raw`(?<prefix>${secretNameEq('n3')}|${OPTION})(?:"(?<dq>[^"\n]*)"|'(?<sq>[^'\n]*)'|(?<bare>[^\s"'\\${'`'}^;&|<>]+))`,
  ].join('|'),
  'gi',
);

type SecretMatch = Partial<Record<'dqPrefix' | 'dqWhole' | 'sqPrefix' | 'sqWhole' | 'prefix' | 'dq' | 'sq' | 'bare', string>>;

function secretValueOf(g: SecretMatch): string {
  return g.dqWhole ?? g.sqWhole ?? g.dq ?? g.sq ?? g.bare ?? '';
}

/** The secret values written in a paste, found without parsing it (so also in a paste that does not parse). */
export function findSecretsInText(text: string): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(SECRET_IN_TEXT)) {
    const value = secretValueOf(m.groups as SecretMatch);
    // `$VAR` or a backtick is an expansion the parser refuses anyway, not a secret value.
    if (value.length > 0 && !/^[$`]/.test(value)) found.add(value);
  }
  return [...found];
}

const CLIENT_ID_IN_TEXT = /(?:OAUTH_CLIENT_ID[ \t]*=[ \t]*|-{1,2}OAuthClientId(?:[ \t]*=[ \t]*|[ \t]+))["']?([A-Za-z0-9_-]+)/gi;

/**
 * The pasted text as it may be shown back to the user (a preview), with every secret value
 * (the OAuth secret and any secret-looking variable) replaced by its mask. A damaged paste can separate the secret from its name, so anything else
 * that looks like a credential is masked too; the OAuth client id, which is not secret, stays.
 */
export function redactPaste(text: string, extraSecrets: readonly string[] = []): string {
  let out = text.replace(SECRET_IN_TEXT, (...args: unknown[]) => {
    const g = args[args.length - 1] as SecretMatch;
    const mask = maskSecret(secretValueOf(g).length);
    if (g.dqWhole !== undefined) return `"${g.dqPrefix}${mask}"`;
    if (g.sqWhole !== undefined) return `'${g.sqPrefix}${mask}'`;
    if (g.dq !== undefined) return `${g.prefix}"${mask}"`;
    if (g.sq !== undefined) return `${g.prefix}'${mask}'`;
    return `${g.prefix}${mask}`;
  });
  // The same value written anywhere else; short values would mask ordinary text, and are cut anyway.
  const elsewhere = [...findSecretsInText(text), ...extraSecrets].filter((s) => s.length >= 8);
  elsewhere.sort((a, b) => b.length - a.length);
  for (const s of elsewhere) out = out.split(s).join(maskSecret(s.length));
  const clientIds = new Set([...text.matchAll(CLIENT_ID_IN_TEXT)].map((m) => m[1]!));
  return out.replace(WORD_RUN, (run) => (looksLikeCredential(run) && !clientIds.has(run) ? maskSecret(run.length) : run));
}
