/**
 * NUL, control characters, lone surrogates and undecodable bytes in a pasted command: refused
 * at parse time with the variable named, never accepted to fail (and print the value) later.
 */
import { describe, expect, it } from 'vitest';
import { parseRunnerCommand, type ParseResult } from '../../src/shared/runner-command/index.js';
import { BASE_ENV, IDS, command, secretPieces } from '../support/pastes.js';

function refused(result: ParseResult) {
  expect(result.ok, 'the paste must be refused').toBe(false);
  return (result as Extract<ParseResult, { ok: false }>).error;
}

const withEnv = (...extra: string[]) => command({ env: [...BASE_ENV, ...extra] });
const replacing = (name: string, line: string) => command({ env: BASE_ENV.map((e) => (e.startsWith(`-e ${name}=`) ? line : e)) });

describe('characters that cannot reach a container', () => {
  const damagedSecret = IDS.secret.slice(0, 30) + '\0' + IDS.secret.slice(30);

  it('a NUL in the OAuth secret is refused naming the variable, with the fix and without the value', () => {
    const error = refused(parseRunnerCommand(replacing('OAUTH_CLIENT_SECRET', `-e OAUTH_CLIENT_SECRET=${damagedSecret}`)));
    expect(error).toMatchObject({ code: 'INVALID_CHARACTERS', variable: 'OAUTH_CLIENT_SECRET' });
    expect(error.message).toMatch(/The value of OAUTH_CLIENT_SECRET .* contains a NUL character \(U\+0000\)/);
    expect(error.message).toMatch(/copy the command again from Bitbucket/);
    const shown = JSON.stringify(error);
    for (const piece of [...secretPieces(IDS.secret.slice(0, 30), 8), ...secretPieces(IDS.secret.slice(30), 8)]) {
      expect(shown).not.toContain(piece);
    }
  });

  it.each([
    ['a tab', '\t', /a tab \(U\+0009\)/],
    ['an escape', '\x1b[2J', /an escape character \(U\+001B/],
    ['DEL', '\x7f', /a control character \(U\+007F\)/],
    ['a C1 control', '\u009b', /a control character \(U\+009B\)/],
    ['a bidi override', '\u202e', /text-direction control character \(U\+202E\)/],
  ])('%s in a value is refused naming the variable', (_, ch, described) => {
    const error = refused(parseRunnerCommand(withEnv(`-e "JAVA_OPTS=-Xmx1g${ch}-Dx=1"`)));
    expect(error).toMatchObject({ code: 'INVALID_CHARACTERS', variable: 'JAVA_OPTS' });
    expect(error.message).toMatch(described);
    expect(error.message).not.toContain('-Xmx1g');
  });

  it('a NUL in a variable name is refused, the name shown with the NUL written out', () => {
    const error = refused(parseRunnerCommand(withEnv('-e \0WORKING_DIRECTORY=/tmp')));
    expect(error.code).toBe('INVALID_CHARACTERS');
    expect(error.variable).toBe('\\u{0}WORKING_DIRECTORY');
    expect(error.message).toContain('The variable name `\\u{0}WORKING_DIRECTORY`');
    expect(error.message).toMatch(/retype the name/);
    expect(error.message).not.toContain('\0');
  });

  it('a lone surrogate (from JSON "\\ud800") in a value is refused naming the variable', () => {
    const error = refused(parseRunnerCommand(withEnv('-e HTTPS_PROXY=http://proxy\ud800.example:3128')));
    expect(error).toMatchObject({ code: 'INVALID_CHARACTERS', variable: 'HTTPS_PROXY' });
    expect(error.message).toMatch(/lone UTF-16 surrogate, U\+D800/);
  });

  it('a paired surrogate (an emoji) is ordinary text', () => {
    expect(parseRunnerCommand(withEnv('-e "GREETING=hi 👋"')).ok).toBe(true);
  });

  it('bytes that were not UTF-8 (decoded as U+FFFD) in a secret are refused naming the variable', () => {
    const latin1 = Buffer.from(withEnv('-e NPM_TOKEN=npm_Mq7RtZ2xLp9W\xe9vK4sNb8YdC3fHj6Ug0Ae1Tz5'), 'latin1');
    const error = refused(parseRunnerCommand(latin1.toString('utf8')));
    expect(error).toMatchObject({ code: 'INVALID_CHARACTERS', variable: 'NPM_TOKEN' });
    expect(error.message).toMatch(/not valid UTF-8/);
    expect(error.message).toMatch(/Save the command as UTF-8/);
    expect(error.message).not.toContain('Mq7RtZ2x');
  });

  it('an escape sequence in --name, a bind or the image is refused, and never printed raw', () => {
    for (const text of [
      command({ before: '-v /tmp:/tmp -v "/var/run/docker.sock:/var/run/docker.sock\x1b]0;pwned\x07"' }),
      command().replace(`--name ${IDS.name}`, `--name "${IDS.name}\x1b[31m"`),
      command({ after: '"\x1b[2J"' }),
    ]) {
      const error = refused(parseRunnerCommand(text));
      expect(error.code).toBe('INVALID_CHARACTERS');
      expect(error.message).toMatch(/escape character \(U\+001B/);
      expect(error.message).not.toContain('\x1b');
    }
  });

  it('an unknown option with an escape in it is quoted with the escape written out', () => {
    const error = refused(parseRunnerCommand(command({ before: '--bogus\x1b[2J' })));
    expect(error.message).toContain('\\u{1b}[2J');
    expect(error.message).not.toContain('\x1b');
  });
});
