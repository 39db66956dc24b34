import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  describeParseResult,
  describeSpec,
  formatParseJson,
  parseRunnerCommand,
  redactPaste,
  type ParseResult,
} from '../../src/shared/runner-command/index.js';
import { ALL_SECRETS, IDS, allPastes, command, secretPieces } from '../support/pastes.js';

const PIECES = ALL_SECRETS.flatMap((s) => secretPieces(s));

/** Everything a user, a log or the UI could ever see of a parse result. */
function everythingShown(result: ParseResult): string {
  const parts = [
    JSON.stringify(result),
    JSON.stringify(formatParseJson(result)),
    describeParseResult(result),
    inspect(result, { depth: 10 }),
    String(result.ok ? result.secret : ''),
  ];
  if (result.ok) {
    parts.push(
      describeSpec(result.spec, result.secret, result.extraSecrets),
      describeSpec(result.spec),
      ...Object.values(result.extraSecrets).map(String),
      ...result.warnings.map((w) => w.message),
    );
  } else {
    parts.push(result.error.message, result.error.variable ?? '');
  }
  return parts.join('\n');
}

function expectNoSecret(shown: string, label: string) {
  for (const secret of ALL_SECRETS) expect(shown.includes(secret), `${label}: a whole secret`).toBe(false);
  const leaked = PIECES.find((p) => shown.includes(p));
  expect(leaked, `${label}: a 16-character piece of a secret`).toBeUndefined();
}

describe('the OAuth client secret and secret-looking extra variables never appear in anything the parser produces', () => {
  it.each(allPastes())('fixture %s', (name, text) => {
    expect(text).toContain(IDS.secret); // each fixture really holds the secret
    expectNoSecret(everythingShown(parseRunnerCommand(text)), name);
    expectNoSecret(redactPaste(text), `${name} redactPaste`);
  });

  it('not in errors about the secret itself, nor where it was misplaced', () => {
    const cases = [
      command({
        env: [`-e ACCOUNT_UUID=${IDS.account}`, `-e RUNNER_UUID=${IDS.runner}`, `-e OAUTH_CLIENT_ID=${IDS.clientId}`, `-e OAUTH_CLIENT_SECRET= ${IDS.secret}`],
      }),
      command({ env: [`-e ACCOUNT_UUID=${IDS.account}`, `-e RUNNER_UUID=${IDS.runner}`, `-e OAUTH_CLIENT_ID=${IDS.clientId}`, `-e ${IDS.secret}`] }),
      command({
        env: [`-e ACCOUNT_UUID=${IDS.account}`, `-e RUNNER_UUID=${IDS.secret}`, `-e OAUTH_CLIENT_ID=${IDS.clientId}`, `-e OAUTH_CLIENT_SECRET=${IDS.secret}`],
      }),
      command({
        env: [
          `-e ACCOUNT_UUID=${IDS.account}`,
          `-e RUNNER_UUID=${IDS.runner}`,
          `-e OAUTH_CLIENT_ID=${IDS.clientId}`,
          `-e OAUTH_CLIENT_SECRET=${IDS.secret}`,
          `-e ${IDS.secret}=x`,
        ],
      }),
      command({
        before: `-it --name ${IDS.secret}`,
        env: [`-e ACCOUNT_UUID=${IDS.account}`, `-e RUNNER_UUID=${IDS.runner}`, `-e OAUTH_CLIENT_ID=${IDS.clientId}`, `-e OAUTH_CLIENT_SECRET=${IDS.secret}`],
      }),
      command({ before: `-it --${IDS.secret}`, env: [`-e OAUTH_CLIENT_SECRET=${IDS.secret}`] }),
      command({ after: IDS.secret }),
      command({ after: `-e OTHER=${IDS.secret}` }),
      command({
        env: [
          `-e OAUTH_CLIENT_SECRET=${IDS.secret}`,
          `-e NOTE=${IDS.secret}`,
          `-e ACCOUNT_UUID=${IDS.account}`,
          `-e RUNNER_UUID=${IDS.runner}`,
          `-e OAUTH_CLIENT_ID=${IDS.clientId}`,
        ],
      }),
      command({ image: IDS.secret }),
      `${command()}; echo ${IDS.secret}`,
      `${command()} > ${IDS.secret}`,
      command().replace(IDS.secret, `"${IDS.secret}`),
      command().replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, `OAUTH_CLIENT_SECRET=${IDS.secret}$HOME`),
      // Extra secrets: misplaced, next to errors, in every quoting.
      command({ after: `-e NPM_TOKEN=${IDS.npmToken}` }),
      command({ before: `-it -e NPM_TOKEN=${IDS.npmToken} --name ${IDS.npmToken}` }),
      command({ before: `-it -e "ARTIFACTORY_PASSWORD=${IDS.artifactoryPassword}" -e NOTE=${IDS.artifactoryPassword}` }),
      command({ before: `-it -e NPM_TOKEN='${IDS.npmToken}' -e RUNNER_UUID=bad` }),
      command({ before: `-it -e NPM_TOKEN=${IDS.npmToken} -v /x/${IDS.npmToken}:/y` }),
      command({ before: `-it -e NPM_TOKEN=${IDS.npmToken}`, image: 'Not_An/Image!' }),
      command({ before: `-it -e NPM_TOKEN=${IDS.npmToken}; echo ${IDS.npmToken}` }),
      `docker container run -it -e NPM_TOKEN=${IDS.npmToken} --frobnicate ${IDS.npmToken}`,
      `docker container run -it -e ARTIFACTORY_PASSWORD="${IDS.artifactoryPassword}`,
    ];
    for (const text of cases) {
      const result = parseRunnerCommand(text);
      expectNoSecret(everythingShown(result), text.slice(0, 60));
      expectNoSecret(redactPaste(text), 'redactPaste');
    }
  });

  it('fuzz: truncated and mutated pastes never throw and never leak the secret', () => {
    // A small deterministic generator, so a failure can be replayed.
    let seed = 20240611;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const inserts = [' ', '"', "'", '\\', '\\\n', ';', '$', '$(', '`', '\n', '\r\n', '-', '=', '{', '}', '#', '^', '|', '>', '\t', '--', '-e '];
    const bases = allPastes().map(([, text]) => text);
    let okCount = 0;
    const codes = new Set<string>();
    for (let n = 0; n < 3000; n++) {
      let text = bases[n % bases.length]!;
      const edits = 1 + Math.floor(random() * 3);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (text.length + 1));
        const kind = Math.floor(random() * 4);
        if (kind === 0) text = text.slice(0, at);
        else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 5));
        else if (kind === 2) text = text.slice(0, at) + inserts[Math.floor(random() * inserts.length)]! + text.slice(at);
        else text = text.slice(0, at) + text.slice(at, at + 30) + text.slice(at);
      }
      let result: ParseResult;
      try {
        result = parseRunnerCommand(text);
      } catch (err) {
        throw new Error(`parser threw on mutation #${n}: ${String(err)}`, { cause: err });
      }
      if (result.ok) okCount++;
      else codes.add(result.error.code);
      expectNoSecret(everythingShown(result), `mutation #${n}`);
      expectNoSecret(redactPaste(text), `redactPaste of mutation #${n}`);
    }
    // The mutations exercised both sides, and most error paths.
    expect(okCount).toBeGreaterThan(100);
    expect([...codes].sort()).toEqual(expect.arrayContaining(['INVALID_UUID', 'MISSING_ENV', 'NOT_A_RUNNER_COMMAND', 'UNSAFE_COMMAND']));
  }, 60_000);
});
