/** The shared masking functions: one per kind of outside text, used by every path that shows it. */
import { describe, expect, it } from 'vitest';
import { checkDisplayName, cleanStoredDisplayName } from '../../src/shared/display-name.js';
import { maskEngineText, maskLogText } from '../../src/shared/mask-text.js';
import { REDACTED, redactText, Secret } from '../../src/shared/secret.js';
import { printableText } from '../../src/shared/text-safety.js';

// Made-up secrets.
const SECRET = 'maskMadeUp_Qw8Er4Ty7Ui1Op3As6Df9Gh2Jk5Lz0Xc-_VbNm';
const HALF = 25;
const NUL = SECRET.slice(0, HALF) + '\0' + SECRET.slice(HALF);

describe('redactText', () => {
  it('masks a secret as written, JSON-escaped and Go-quoted (\\x00), and its pieces around a control character', () => {
    const goQuoted = `"OAUTH_CLIENT_SECRET=${SECRET.slice(0, HALF)}\\x00${SECRET.slice(HALF)}"`;
    const json = JSON.stringify({ env: `OAUTH_CLIENT_SECRET=${NUL}` });
    for (const text of [NUL, goQuoted, json, `${SECRET.slice(0, HALF)}<NUL>${SECRET.slice(HALF)}`]) {
      const out = redactText(text, [new Secret(NUL)]);
      expect(out).not.toContain(SECRET.slice(0, 12));
      expect(out).not.toContain(SECRET.slice(HALF, HALF + 12));
      expect(out).toContain(REDACTED);
    }
  });

  it('leaves text without the secret as it is', () => {
    expect(redactText('no such container: abc', [new Secret(SECRET)])).toBe('no such container: abc');
  });
});

describe('maskEngineText and maskLogText', () => {
  it('an engine error quoting a secret-looking variable this process never knew is masked', () => {
    const text = `environment variable value can't contain null(\\x00): "NPM_TOKEN=plainish\\x00value with spaces"`;
    const out = maskEngineText(text, []);
    expect(out).toContain('NPM_TOKEN=');
    expect(out).not.toContain('plainish');
    expect(out).not.toContain('value with spaces');
  });

  it('a log line: known secrets and credential-like runs masked, ordinary words kept', () => {
    const out = maskLogText(`token client_secret=${SECRET} StargateConflictException`, [SECRET]);
    expect(out).toBe(`token client_secret=${REDACTED} StargateConflictException`);
  });
});

describe('display names', () => {
  it('trimmed, 1 to 80 characters (an emoji counts once), no control, escape or bidi characters', () => {
    expect(checkDisplayName('  build box  ')).toEqual({ ok: true, name: 'build box' });
    expect(checkDisplayName('👋'.repeat(80))).toMatchObject({ ok: true });
    expect(checkDisplayName('a'.repeat(81))).toMatchObject({ ok: false, message: expect.stringMatching(/81 characters long; it may have at most 80/) });
    expect(checkDisplayName(' \t ')).toMatchObject({ ok: false, message: expect.stringMatching(/empty/) });
    expect(checkDisplayName('box\x1b[2J')).toMatchObject({ ok: false, message: expect.stringMatching(/escape character .* at character 4/) });
    expect(checkDisplayName('box\u009b')).toMatchObject({ ok: false, message: expect.stringMatching(/control character \(U\+009B\)/) });
    expect(checkDisplayName('abc\u202Egnp.exe')).toMatchObject({ ok: false, message: expect.stringMatching(/text-direction/) });
  });

  it('a name an older version stored is cleaned to one that passes the rule', () => {
    const cleaned = cleanStoredDisplayName(`  leg\x1b[2Jacy\u0007${'z'.repeat(100)}`);
    expect(checkDisplayName(cleaned)).toEqual({ ok: true, name: cleaned });
    expect(cleaned.startsWith('leg[2Jacy')).toBe(true);
  });

  it('printableText writes out control characters, keeps ordinary text and emoji', () => {
    expect(printableText('a\x1b[31mb\0c')).toBe('a\\u{1b}[31mb\\u{0}c');
    expect(printableText('zażółć 👋')).toBe('zażółć 👋');
  });
});
