/**
 * The paths by which a runner's secret still got out (issue 8), each tried on the real part:
 * the built CLI, `serve` over HTTP, the private dockerd (its refusal text and its own log) and
 * the stand-in runner that prints its secret. No piece of a secret may appear in stdout, stderr,
 * --json, an HTTP reply, serve's log or dockerd's log.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { EngineAccess } from '../../src/main/runners/engine-access.js';
import { RunnerError } from '../../src/main/runners/errors.js';
import { toContractError } from '../../src/main/api/contract-errors.js';
import { runnerSecretKey } from '../../src/main/vault/keys.js';
import { FileVault } from '../../src/main/vault/file-vault.js';
import { httpStatusFor, fail } from '../../src/shared/contract/result.js';
import { Secret } from '../../src/shared/secret.js';
import { connectEngine } from '../../src/main/docker/engine.js';
import { CLI, cliEnv, runCli, type CliRun } from '../support/cli.js';
import { startServe, type ServeChild } from '../support/serve-child.js';

// Made-up identifiers and secrets.
const ACCOUNT = '{3c2b1a09-8f7e-4d6c-9b5a-493827160504}';
const SECRET = 'leakMadeUpSecret_7Hq2Zx9Lm4Pw8Rt3Vn6Ky1Jb5Dg0Fs-_QwErTyUiOpAsDf';
const NPM_TOKEN = 'npm_LeakMadeUpToken9Xq4Zr7Wm2Pk8Tn5Vb3';
/** The secret as a damaged copy gives it: a NUL in the middle. */
const NUL_SECRET = SECRET.slice(0, 30) + '\0' + SECRET.slice(30);
/** Sent to the engine on purpose (it then is in dockerd's log), so kept apart from the secrets no path may show. */
const ENGINE_SECRET = 'qqEngineOnly_4Kd8Wq1Zt6Rn3Yp9Lx2Vc7Hb5Jm0Fg-_AaSsDdFfGgHhJjKkLlZz';
const NUL_ENGINE_SECRET = ENGINE_SECRET.slice(0, 30) + '\0' + ENGINE_SECRET.slice(30);

const uuid = (n: number) => `{5ec2e7a1-0000-4000-8000-${String(n).padStart(12, '0')}}`;

function paste(runner: string, secret: string, extra = ''): string {
  return (
    'docker container run -d -v /tmp:/tmp -v /var/run/docker.sock:/var/run/docker.sock ' +
    `-e ACCOUNT_UUID=${ACCOUNT} -e RUNNER_UUID=${runner} -e RUNTIME_PREREQUISITES_ENABLED=true ${extra} ` +
    `-e OAUTH_CLIENT_ID=Cl1entIdMadeUp000000000000000000 -e OAUTH_CLIENT_SECRET=${secret} -e WORKING_DIRECTORY=/tmp ` +
    'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1\n'
  );
}

/** Every 8-character piece of each secret: a leak of any of them is a leak. */
const PIECES = [SECRET, NPM_TOKEN].flatMap((s) => Array.from({ length: s.length - 7 }, (_, i) => s.slice(i, i + 8)));

function expectNoSecret(text: string, where: string, pieces = PIECES): void {
  const leaked = pieces.find((p) => text.includes(p));
  expect(leaked, `${where} shows a piece of a secret`).toBeUndefined();
}

const ENGINE_PIECES = Array.from({ length: ENGINE_SECRET.length - 7 }, (_, i) => ENGINE_SECRET.slice(i, i + 8));

let home: string;
let env: NodeJS.ProcessEnv;
let docker: Docker;
const runs: CliRun[] = [];

async function cli(args: string[], stdin?: string | Buffer): Promise<CliRun> {
  const run = await runCli(args, { env, ...(stdin === undefined ? {} : { stdin }) });
  runs.push(run);
  return run;
}

const dockerdLog = () => readFileSync(join(inject('dockerDir'), 'dockerd.log'), 'utf8');

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'runner-tray-leaks-'));
  env = cliEnv(home, inject('dockerSocket'));
  docker = new Docker({ socketPath: inject('dockerSocket') });
});

afterAll(async () => {
  for (const c of await docker.listContainers({ all: true, filters: { label: ['runner-tray.runner'] } })) {
    if (c.Labels['runner-tray.runner']?.startsWith('5ec2e7a1')) await docker.getContainer(c.Id).remove({ force: true });
  }
  for (const run of runs) {
    expectNoSecret(run.stdout, `stdout of ${run.argv.slice(1).join(' ')}`);
    expectNoSecret(run.stderr, `stderr of ${run.argv.slice(1).join(' ')}`);
  }
  expectNoSecret(dockerdLog(), "dockerd's log");
});

describe('a NUL or control character in a pasted value (CLI)', () => {
  it('add refuses a NUL in the secret, naming OAUTH_CLIENT_SECRET and the fix, and stores nothing', async () => {
    const add = await cli(['add'], paste(uuid(1), NUL_SECRET));
    expect(add.code).toBe(2);
    expect(add.stderr).toMatch(/The value of OAUTH_CLIENT_SECRET .*contains a NUL character \(U\+0000\)/);
    expect(add.stderr).toMatch(/copy the command again from Bitbucket/);
    const json = await cli(['add', '--json'], paste(uuid(1), NUL_SECRET));
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, error: { code: 'INVALID_CHARACTERS', variable: 'OAUTH_CLIENT_SECRET' } });
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toEqual([]);
  });

  it('add refuses a NUL in a variable name and bytes that are not UTF-8 on stdin, naming the variable', async () => {
    const name = await cli(['add', '--json'], paste(uuid(2), SECRET, '-e \0WORKING_DIRECTORY=/tmp'));
    expect(name.code).toBe(2);
    expect(JSON.parse(name.stdout).error).toMatchObject({ code: 'INVALID_CHARACTERS', variable: '\\u{0}WORKING_DIRECTORY' });

    // A file saved as Latin-1: é is one byte (0xE9), not UTF-8.
    const latin1 = Buffer.from(paste(uuid(2), SECRET, `-e NPM_TOKEN=${NPM_TOKEN.slice(0, 10)}\xe9${NPM_TOKEN.slice(10)}`), 'latin1');
    const bytes = await cli(['add'], latin1);
    expect(bytes.code).toBe(2);
    expect(bytes.stderr).toMatch(/The value of NPM_TOKEN .*not valid UTF-8.*Save the command as UTF-8/);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toEqual([]);
  });

  it('start refuses a damaged secret an older version stored, before the engine sees (and logs) it', async () => {
    const runner = uuid(3);
    expect((await cli(['add'], paste(runner, SECRET))).code).toBe(0);
    const vault = await FileVault.open(home);
    await vault.set(runnerSecretKey(runner), new Secret(NUL_SECRET));
    const start = await cli(['start', runner]);
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/stored value of OAUTH_CLIENT_SECRET .* contains a NUL character/);
    expect(start.stderr).toMatch(/runner-tray add --replace/);
    expect(await docker.listContainers({ all: true, filters: { label: [`runner-tray.runner=${runner}`] } })).toEqual([]);
    expect((await cli(['remove', runner])).code).toBe(0);
  });
});

describe("the engine's own refusal text", () => {
  it('is masked (the known secret and any NAME=value it quotes) and reported as ENGINE_REFUSED 502, not 503', async () => {
    const engine = await connectEngine({ discovery: { env: { DOCKER_HOST: `unix://${inject('dockerSocket')}` } } });
    const refused = await (async () => {
      const c = await docker.createContainer({
        Image: inject('standinImage'),
        Env: [`OAUTH_CLIENT_SECRET=${NUL_ENGINE_SECRET}`, 'STANDIN_SCRIPT=idle'],
        Labels: { 'runner-tray.runner': uuid(4) },
      });
      try {
        await c.start();
        return null;
      } catch (e) {
        return e;
      } finally {
        await c.remove({ force: true });
      }
    })();
    expect(refused, 'the engine must refuse a NUL in a variable').not.toBeNull();
    // What the engine says on its own (what used to reach the user): the whole value, escaped.
    expect(JSON.stringify((refused as { json?: unknown }).json ?? String(refused))).toContain(ENGINE_SECRET.slice(30, 45));

    const remembering = new EngineAccess(engine);
    remembering.remember([new Secret(NUL_ENGINE_SECRET)]);
    const forgetful = new EngineAccess(engine);
    for (const access of [remembering, forgetful]) {
      const wrapped = access.wrap(refused, uuid(4));
      expect(wrapped).toBeInstanceOf(RunnerError);
      expect(wrapped.message).toMatch(/Docker engine error for runner .*OAUTH_CLIENT_SECRET=/);
      expectNoSecret(wrapped.message, 'the wrapped engine error', ENGINE_PIECES);
      const contract = toContractError(wrapped);
      expect(contract.code).toBe('ENGINE_REFUSED');
      expect(httpStatusFor(fail(contract.code, contract.message))).toBe(502);
      expectNoSecret(JSON.stringify(contract), 'the API error', ENGINE_PIECES);
    }
  });
});

describe('serve over HTTP', () => {
  let serve: ServeChild;
  const TOKEN = 'leaks-test-token-0123456789abcdef';
  beforeAll(async () => {
    serve = await startServe({ dockerSocket: inject('dockerSocket'), token: TOKEN });
  }, 90_000);
  afterAll(async () => {
    await serve?.stop();
    expectNoSecret(serve.stdout() + serve.stderr(), "serve's log");
  });
  const api = async (channel: string, body: unknown) => {
    const r = await fetch(`${serve.origin}/api/${channel}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    const text = await r.text();
    expectNoSecret(text, `the ${channel} reply`);
    return { status: r.status, body: JSON.parse(text) as { ok: boolean; error?: { code: string; message: string }; value?: unknown } };
  };

  it('runners.add refuses a NUL in the secret (and a lone surrogate) as bad input naming the variable, never 503', async () => {
    for (const command of [paste(uuid(5), NUL_SECRET), paste(uuid(5), SECRET, '-e HTTPS_PROXY=http://p\ud800x:3128')]) {
      const added = await api('runners.add', { command, startNow: true });
      expect(added.status).not.toBe(503);
      expect(added.body.ok).toBe(false);
      expect(added.body.error!.message).toMatch(/OAUTH_CLIENT_SECRET|HTTPS_PROXY/);
      expect(added.body.error!.message).toMatch(/copy the command again from Bitbucket/);
    }
    const list = await api('runners.list', {});
    expect(JSON.stringify(list.body)).not.toContain('5ec2e7a1-0000-4000-8000-000000000005');
  });

  it('runners.add refuses a display name with an escape sequence or over 80 characters, with the rule', async () => {
    const escape = await api('runners.add', { command: paste(uuid(6), SECRET), displayName: 'build\x1b[31m box', startNow: false });
    expect(escape.status).toBe(400);
    expect(escape.body.error!.message).toMatch(/escape character/);
    const long = await api('runners.add', { command: paste(uuid(6), SECRET), displayName: 'x'.repeat(81), startNow: false });
    expect(long.status).toBe(400);
    expect(long.body.error!.message).toMatch(/81 characters long; it may have at most 80/);
  });
});

describe('runner-tray logs', () => {
  it('masks the secrets a runner prints, in logs and logs --follow', async () => {
    const runner = uuid(7);
    const add = await cli(['add'], paste(runner, SECRET, `-e STANDIN_SCRIPT=leaky -e NPM_TOKEN=${NPM_TOKEN}`));
    expect(add.code, add.stderr).toBe(0);
    expect((await cli(['start', runner])).code).toBe(0);

    let once: CliRun | undefined;
    for (let i = 0; i < 60; i++) {
      once = await cli(['logs', runner]);
      if (once.stdout.includes('Leaky stand-in: secret printed.')) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(once!.stdout).toContain('client_secret=<redacted>');

    // --follow, as a user runs it, stopped with Ctrl-C (SIGINT) once the line is there.
    const child = spawn(process.execPath, [CLI, 'logs', '--follow', runner], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const deadline = Date.now() + 30_000;
    while (!out.includes('Leaky stand-in: secret printed.') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    expect(code).toBe(0);
    expect(out).toContain('client_secret=<redacted>');
    runs.push({ code, stdout: out, stderr: err, argv: [CLI, 'logs', '--follow', runner] });

    await cli(['stop', runner]);
    expect((await cli(['remove', runner])).code).toBe(0);
  });
});

describe('display names on the CLI', () => {
  it('add --name refuses escape sequences, control characters and more than 80 characters, and keeps 80', async () => {
    for (const [name, why] of [
      ['\x1b]0;pwned\x07box', /escape character/],
      ['box\u202eevil', /text-direction control/],
      ['y'.repeat(81), /81 characters long; it may have at most 80/],
      ['   ', /empty/],
    ] as const) {
      const add = await cli(['add', '--name', name], paste(uuid(8), SECRET));
      expect(add.code).toBe(2);
      expect(add.stderr).toMatch(why);
      expect(add.stderr).not.toContain('\x1b');
    }
    const ok = await cli(['add', '--name', `  ${'n'.repeat(80)}  `], paste(uuid(8), SECRET));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse((await cli(['list', '--json'])).stdout)).toContainEqual(expect.objectContaining({ runnerUuid: uuid(8), displayName: 'n'.repeat(80) }));
    expect((await cli(['remove', uuid(8)])).code).toBe(0);
  });

  it('list and status never print raw control characters stored by an older version', async () => {
    expect((await cli(['add', '--name', 'legacy'], paste(uuid(9), SECRET))).code).toBe(0);
    const file = join(home, 'settings.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"legacy"', '"leg\\u001b[2Jacy\\u0007"'));
    for (const args of [['list'], ['status'], ['status', uuid(9)]]) {
      const run = await cli(args);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      expect(run.stdout).toContain('leg[2Jacy');
    }
    expect((await cli(['remove', uuid(9)])).code).toBe(0);
  });
});
