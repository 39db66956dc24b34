import { describe, expect, it } from 'vitest';
import { parseRunnerCommand, type ParseResult, type ParseWarning } from '../../src/shared/runner-command/index.js';
import { BASE_ENV, IDS, IMAGE, command, paste } from '../support/pastes.js';

function ok(result: ParseResult) {
  if (!result.ok) throw new Error(`expected a runner, got ${result.error.code}: ${result.error.message}`);
  return result;
}

function codes(warnings: ParseWarning[]): string[] {
  return warnings.map((w) => w.code);
}

const WORKSPACE_ENV = {
  ACCOUNT_UUID: IDS.account,
  RUNNER_UUID: IDS.runner,
  RUNTIME_PREREQUISITES_ENABLED: 'true',
  OAUTH_CLIENT_ID: IDS.clientId,
  WORKING_DIRECTORY: '/tmp',
};
const STANDARD_BINDS = ['/tmp:/tmp', '/var/run/docker.sock:/var/run/docker.sock', '/var/lib/docker/containers:/var/lib/docker/containers:ro'];

describe('pasted runner command: the shapes Bitbucket users paste', () => {
  it.each([
    ['wizard-oneline-workspace.txt', 'workspace'],
    ['wizard-oneline-double-space.txt', 'workspace'],
    ['wizard-oneline-repository.txt', 'repository'],
    ['multiline-repository-crlf.txt', 'repository'],
    ['windows-cmd-caret.txt', 'workspace'],
    ['windows-powershell-backtick.txt', 'repository'],
  ])('%s gives the %s runner exactly as Bitbucket describes it, without warnings', (file, kind) => {
    const r = ok(parseRunnerCommand(paste(file)));
    expect(r.warnings).toEqual([]);
    expect(r.secret.reveal()).toBe(IDS.secret);
    const repositoryUuid = kind === 'repository' ? IDS.repository : null;
    expect(r.spec).toEqual({
      kind,
      accountUuid: IDS.account,
      repositoryUuid,
      runnerUuid: IDS.runner,
      name: IDS.name,
      image: IMAGE,
      oauthClientId: IDS.clientId,
      workingDirectory: '/tmp',
      env: kind === 'repository' ? { ...WORKSPACE_ENV, REPOSITORY_UUID: IDS.repository } : WORKSPACE_ENV,
      binds: STANDARD_BINDS,
      args: [],
    });
    // The variables keep the order of the command, secret left out.
    expect(Object.keys(r.spec.env)).toEqual(
      kind === 'repository'
        ? ['ACCOUNT_UUID', 'REPOSITORY_UUID', 'RUNNER_UUID', 'RUNTIME_PREREQUISITES_ENABLED', 'OAUTH_CLIENT_ID', 'WORKING_DIRECTORY']
        : ['ACCOUNT_UUID', 'RUNNER_UUID', 'RUNTIME_PREREQUISITES_ENABLED', 'OAUTH_CLIENT_ID', 'WORKING_DIRECTORY'],
    );
  });

  it('multi-line form: stray blanks after `\\`, quoted "{uuid}" and \'{uuid}\', a value with spaces', () => {
    const r = ok(parseRunnerCommand(paste('multiline-quoted.txt')));
    expect(r.warnings).toEqual([]);
    expect(r.spec.accountUuid).toBe(IDS.account);
    expect(r.spec.runnerUuid).toBe(IDS.runner);
    expect(r.secret.reveal()).toBe(IDS.secret);
    expect(r.spec.env.JAVA_OPTS).toBe('-Xmx256m -Xms128m');
    expect(r.spec.binds).toEqual(STANDARD_BINDS);
    expect(r.spec.image).toBe(IMAGE);
  });

  it('sudo docker run with every spelling of -e, -v, --name, and docker options that are reported, not applied', () => {
    const r = ok(parseRunnerCommand(paste('sudo-docker-run-options.txt')));
    expect(r.spec.binds).toEqual(STANDARD_BINDS);
    expect(r.spec.name).toBe(IDS.name);
    expect(r.spec.image).toBe(IMAGE);
    expect(r.spec.oauthClientId).toBe(IDS.clientId);
    expect(r.spec.env.HTTPS_PROXY).toBe('http://proxy.example.test:3128');
    expect(r.spec.args).toEqual(['--restart=always']);
    const ignored = r.warnings.filter((w) => w.code === 'IGNORED_FLAG').map((w) => w.message);
    // Each value-taking option is named with its value, so no value was read as the image.
    for (const shown of ['-a stderr', '--memory 512m', '--runtime nvidia', '-p 8080:80', '-w /work', '-u 1000', '--network host', '--log-opt max-size=10m']) {
      expect(
        ignored.some((m) => m.includes(`\`${shown}\``)),
        shown,
      ).toBe(true);
    }
    expect(ignored.find((m) => m.includes('--restart always'))).toMatch(/unless-stopped/);
    expect(ignored.find((m) => m.includes('`--rm`'))).toMatch(/restart/);
    // -d, -i, -t need no warning: the app runs the runner detached anyway.
    expect(ignored.some((m) => /`-[dit]`/.test(m))).toBe(false);
    expect(codes(r.warnings)).toEqual(expect.arrayContaining(['EXTRA_ENV', 'ARGS_AFTER_IMAGE']));
    expect(r.warnings.find((w) => w.code === 'EXTRA_ENV')!.message).toContain('HTTPS_PROXY');
  });

  it('docker run and docker container run, docker.exe and a full path to docker', () => {
    for (const docker of ['docker run', 'docker container run', 'docker.exe run', '/usr/bin/docker container run', 'sudo -E docker run']) {
      const r = ok(parseRunnerCommand(command({ docker })));
      expect(r.spec.runnerUuid, docker).toBe(IDS.runner);
    }
  });

  it('combined short options and option values written every way pflag accepts', () => {
    const r = ok(
      parseRunnerCommand(
        command({
          before: '-dit -v/tmp:/tmp -dv /a:/b --volume=/c:/d:ro -ePAUSE_IMAGE=registry.example.test/pause:3 -e=CLONE_IMAGE=registry.example.test/clone:1',
        }),
      ),
    );
    expect(r.spec.binds).toEqual(['/tmp:/tmp', '/a:/b', '/c:/d:ro']);
    expect(r.spec.env.PAUSE_IMAGE).toBe('registry.example.test/pause:3');
    expect(r.spec.env.CLONE_IMAGE).toBe('registry.example.test/clone:1');
    expect(r.warnings).toEqual([]);
  });

  it('value-taking options whose value looks like an image are never taken for the image', () => {
    const r = ok(
      parseRunnerCommand(
        command({ before: '-it --platform linux/amd64 --pull always --entrypoint /bin/sh --ulimit nofile=1024 -c 512 -h myhost -l a=b --cpus 2 --gpus all' }),
      ),
    );
    expect(r.spec.image).toBe(IMAGE);
    expect(r.spec.args).toEqual([]);
    expect(r.warnings.filter((w) => w.code === 'IGNORED_FLAG')).toHaveLength(9);
  });

  it('`--` ends the options, as in Docker', () => {
    const r = ok(parseRunnerCommand(command({ image: `-- ${IMAGE}` })));
    expect(r.spec.image).toBe(IMAGE);
  });

  it('tokens after the image become the container arguments, as Docker passes them, with a warning', () => {
    const r = ok(parseRunnerCommand(command({ after: '--restart=always -e FOO=bar' })));
    expect(r.spec.args).toEqual(['--restart=always', '-e', 'FOO=bar']);
    expect(r.spec.env.FOO).toBeUndefined();
    const w = r.warnings.find((x) => x.code === 'ARGS_AFTER_IMAGE')!;
    expect(w.message).toContain('`--restart=always`');
    expect(w.message).toMatch(/passes them to the runner/);
    expect(w.message).toMatch(/move them before the image/);
  });

  it('the one-line paste whose "# Copy this command" hint got glued to the command', () => {
    const r = ok(parseRunnerCommand(`# Copy this command with the token to run on the command line ${command()}`));
    expect(r.spec.runnerUuid).toBe(IDS.runner);
  });

  it('a command copied with its prompt, inside a Markdown code fence, with non-breaking spaces', () => {
    const text = ['```bash', `$ ${command()}`.replace(/ -e /g, '\u00a0-e '), '```'].join('\n');
    const r = ok(parseRunnerCommand(text));
    expect(r.spec.runnerUuid).toBe(IDS.runner);
  });

  it('lines that lost their `\\` are read as one command when they start with an option, with a warning', () => {
    const text = [
      'docker container run -it -v /tmp:/tmp',
      `  -e ACCOUNT_UUID=${IDS.account}`,
      `  -e RUNNER_UUID=${IDS.runner} -e RUNTIME_PREREQUISITES_ENABLED=true`,
      `  -e OAUTH_CLIENT_ID=${IDS.clientId} -e OAUTH_CLIENT_SECRET=${IDS.secret} -e WORKING_DIRECTORY=/tmp`,
      `  --name ${IDS.name} ${IMAGE}`,
    ].join('\n');
    const r = ok(parseRunnerCommand(text));
    expect(r.spec.accountUuid).toBe(IDS.account);
    expect(r.warnings.map((w) => w.code)).toEqual(['JOINED_LINES']);
    expect(r.warnings[0]!.message).toContain('2, 3, 4, 5');
  });
});

describe('pasted runner command: a continuation mark glued to the word before it', () => {
  const lines = (mark: string, first: string) => [
    `docker container run -it -v /tmp:/tmp -v /var/lib/docker/containers:/var/lib/docker/containers:ro${first}`,
    `-e ACCOUNT_UUID=${IDS.account} ${mark}`,
    `-e RUNNER_UUID=${IDS.runner} ${mark}`,
    `-e RUNTIME_PREREQUISITES_ENABLED=true ${mark}`,
    `-e OAUTH_CLIENT_ID=${IDS.clientId} ${mark}`,
    `-e OAUTH_CLIENT_SECRET=${IDS.secret} ${mark}`,
    `-e WORKING_DIRECTORY=/tmp ${mark}`,
    IMAGE,
  ];

  it.each([
    ['^', '\r\n'],
    ['\\', '\n'],
  ])('`%s` glued to `:ro`, next line starting with an option: the missing space is named, not the image', (mark, eol) => {
    const r = parseRunnerCommand(lines(mark, mark).join(eol));
    expect(!r.ok && r.error.code).toBe('NOT_A_RUNNER_COMMAND');
    if (r.ok) return;
    expect(r.error.message).toContain(`A space is missing before the line continuation \`${mark}\` at line 1: put a space before it`);
    expect(r.error.message).not.toMatch(/image/);
    // With the space, the same paste is a runner.
    expect(ok(parseRunnerCommand(lines(mark, ` ${mark}`).join(eol))).spec.runnerUuid).toBe(IDS.runner);
  });

  it('every glued line is named', () => {
    const text = lines('\\', '\\').join('\n').replace(`${IDS.runner} \\`, `${IDS.runner}\\`);
    const r = parseRunnerCommand(text);
    expect(!r.ok && r.error.message).toMatch(/at line 1: .*The same goes for line 3\./);
  });

  it('a glued `\\` that joins a value wrapped across lines is what sh does, and is accepted', () => {
    const text = lines('\\', ' \\').join('\n').replace('RUNNER_UUID={0b3c2f1e-3333-', 'RUNNER_UUID={0b3c2f1e\\\n-3333-');
    expect(text).toContain('{0b3c2f1e\\\n-3333');
    const r = ok(parseRunnerCommand(text));
    expect(r.spec.runnerUuid).toBe(IDS.runner);
    expect(r.warnings).toEqual([]);
  });

  it('a glued PowerShell backtick is read as PowerShell does (whitespace) when no backtick could open a command substitution', () => {
    const r = ok(parseRunnerCommand(lines('`', '`').join('\r\n')));
    expect(r.spec.binds).toEqual(['/tmp:/tmp', '/var/lib/docker/containers:/var/lib/docker/containers:ro']);
    expect(r.spec.runnerUuid).toBe(IDS.runner);
    expect(r.warnings).toEqual([]);
  });
});

describe('pasted runner command: variables', () => {
  const base = BASE_ENV;
  const without = (name: string) => base.filter((e) => !e.startsWith(`-e ${name}=`));

  it.each(['ACCOUNT_UUID', 'RUNNER_UUID', 'OAUTH_CLIENT_ID', 'OAUTH_CLIENT_SECRET'])('missing %s is MISSING_ENV naming it', (name) => {
    const r = parseRunnerCommand(command({ env: without(name) }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'MISSING_ENV', variable: name });
    expect(r.error.message).toContain(name);
    expect(r.error.message).toMatch(/copy the whole command again/i);
  });

  it('a lower-case name is pointed out', () => {
    const r = parseRunnerCommand(command({ env: [...without('RUNNER_UUID'), `-e runner_uuid=${IDS.runner}`] }));
    expect(r.ok || r.error.message).toMatch(/`runner_uuid`; names are case-sensitive/);
  });

  it('an empty required value is MISSING_ENV', () => {
    const r = parseRunnerCommand(command({ env: [...without('OAUTH_CLIENT_ID'), '-e OAUTH_CLIENT_ID='] }));
    expect(!r.ok && r.error).toMatchObject({ code: 'MISSING_ENV', variable: 'OAUTH_CLIENT_ID' });
  });

  it('placeholders from documentation are refused with a pointer to the real dialog', () => {
    const r1 = parseRunnerCommand(command({ env: [...without('ACCOUNT_UUID'), '-e ACCOUNT_UUID={__ACCOUNT_UUID__}'] }));
    expect(!r1.ok && r1.error).toMatchObject({ code: 'INVALID_UUID', variable: 'ACCOUNT_UUID' });
    expect(!r1.ok && r1.error.message).toMatch(/placeholder/);
    const r2 = parseRunnerCommand(command({ env: [...without('OAUTH_CLIENT_SECRET'), '-e OAUTH_CLIENT_SECRET=__OAUTH_CLIENT_SECRET__'] }));
    expect(!r2.ok && r2.error).toMatchObject({ code: 'MISSING_ENV', variable: 'OAUTH_CLIENT_SECRET' });
    expect(!r2.ok && r2.error.message).toMatch(/placeholder/);
  });

  it.each([
    ['RUNNER_UUID', '{0b3c2f1e-3333-4a2b-9c3d-00000000000}', /not a UUID/],
    ['RUNNER_UUID', '{0b3c2f1e-3333-4a2b-9c3d-000000000003', /missing a brace/],
    ['ACCOUNT_UUID', '{0b3c2f1e-1111-4a2b-9c3d-00000000000g}', /not a UUID/],
    ['REPOSITORY_UUID', 'my-repo', /not a UUID/],
    ['REPOSITORY_UUID', '', /workspace runner leave out/],
  ])('malformed %s %s is INVALID_UUID', (name, value, why) => {
    const env = name === 'REPOSITORY_UUID' ? [...base, `-e REPOSITORY_UUID=${value}`] : [...without(name), `-e ${name}=${value}`];
    const r = parseRunnerCommand(command({ env }));
    expect(!r.ok && r.error).toMatchObject({ code: 'INVALID_UUID', variable: name });
    expect(!r.ok && r.error.message).toMatch(why);
    if (value !== '') expect(!r.ok && r.error.message).toContain('{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}');
  });

  it('a UUID pasted without braces gets them back, in the spec and in the env, with a warning', () => {
    const r = ok(parseRunnerCommand(command({ env: [...without('RUNNER_UUID'), `-e RUNNER_UUID=${IDS.runner.slice(1, -1)}`] })));
    expect(r.spec.runnerUuid).toBe(IDS.runner);
    expect(r.spec.env.RUNNER_UUID).toBe(IDS.runner);
    expect(r.spec.name).toBe(IDS.name);
    expect(codes(r.warnings)).toEqual(['UUID_BRACES_ADDED']);
  });

  it('upper-case UUIDs are lower-cased, braces kept, and the matching upper-case --name is no NAME_MISMATCH', () => {
    const upper = (env: string) => env.toUpperCase().replace('-E ', '-e ');
    const env = [...without('ACCOUNT_UUID'), ...[`-e ACCOUNT_UUID=${IDS.account}`, `-e REPOSITORY_UUID=${IDS.repository}`].map(upper)]
      .filter((e) => !e.startsWith('-e RUNNER_UUID='))
      .concat(`-e RUNNER_UUID=${IDS.runner.slice(1, -1).toUpperCase()}`);
    const text = command({ env }).replace(`--name ${IDS.name}`, `--name ${IDS.name.toUpperCase()}`);
    expect(text).toContain('0B3C2F1E');
    const r = ok(parseRunnerCommand(text));
    expect(r.spec.accountUuid).toBe(IDS.account);
    expect(r.spec.repositoryUuid).toBe(IDS.repository);
    expect(r.spec.runnerUuid).toBe(IDS.runner);
    expect(r.spec.env.ACCOUNT_UUID).toBe(IDS.account);
    expect(r.spec.env.RUNNER_UUID).toBe(IDS.runner);
    expect(r.spec.name).toBe(IDS.name);
    // Only the braces missing from RUNNER_UUID are worth a word; the case is not.
    expect(codes(r.warnings)).toEqual(['UUID_BRACES_ADDED']);
    // The name Bitbucket prints, with an upper-case UUID pasted: no mismatch either.
    const r2 = ok(parseRunnerCommand(command({ env: [...without('RUNNER_UUID'), `-e RUNNER_UUID=${IDS.runner.toUpperCase()}`] })));
    expect(r2.spec.name).toBe(IDS.name);
    expect(r2.warnings).toEqual([]);
  });

  it('UUIDs of any version are accepted (Bitbucket runner UUIDs are version 5)', () => {
    const v5 = '{4a7d1ed4-1e4a-5b6c-8d9e-0f1a2b3c4d5e}';
    const r = ok(parseRunnerCommand(command({ env: [...without('RUNNER_UUID'), `-e RUNNER_UUID=${v5}`] })));
    expect(r.spec.runnerUuid).toBe(v5);
  });

  it('missing RUNTIME_PREREQUISITES_ENABLED and WORKING_DIRECTORY are warnings; the working directory defaults to /tmp', () => {
    const env = base.filter((e) => !e.includes('RUNTIME_PREREQUISITES_ENABLED') && !e.includes('WORKING_DIRECTORY'));
    const r = ok(parseRunnerCommand(command({ env })));
    expect(r.spec.workingDirectory).toBe('/tmp');
    expect(r.spec.env.WORKING_DIRECTORY).toBeUndefined();
    expect(codes(r.warnings)).toEqual(['MISSING_EXPECTED_ENV', 'MISSING_EXPECTED_ENV']);
    expect(r.warnings.map((w) => w.message).join(' ')).toMatch(
      /RUNTIME_PREREQUISITES_ENABLED[\s\S]*WORKING_DIRECTORY|WORKING_DIRECTORY[\s\S]*RUNTIME_PREREQUISITES_ENABLED/,
    );
  });

  it('a custom WORKING_DIRECTORY is kept', () => {
    const r = ok(parseRunnerCommand(command({ env: [...without('WORKING_DIRECTORY'), '-e WORKING_DIRECTORY=/srv/runner-work'] })));
    expect(r.spec.workingDirectory).toBe('/srv/runner-work');
  });

  it('the optional runner variables pass without warnings; any other variable passes with EXTRA_ENV', () => {
    const optional = [
      '-e PAUSE_IMAGE=registry.example.test/pause:1',
      '-e AUTH_PROXY_IMAGE=registry.example.test/auth-proxy:1',
      '-e CLONE_IMAGE=registry.example.test/clone:1',
      '-e BITBUCKET_PIPELINES_RUNNER_BUILD_LOG_ENABLED=true',
      '-e "JAVA_OPTS=-Xmx256m -Xms128m"',
    ];
    const r = ok(parseRunnerCommand(command({ env: [...base, ...optional, '-e NO_PROXY=localhost'] })));
    expect(r.spec.env.JAVA_OPTS).toBe('-Xmx256m -Xms128m');
    expect(r.spec.env.NO_PROXY).toBe('localhost');
    expect(codes(r.warnings)).toEqual(['EXTRA_ENV']);
    expect(r.warnings[0]!.message).toContain('NO_PROXY');
  });

  it('-e NAME without a value (taken from the shell) cannot work for a paste: clear error', () => {
    const r = parseRunnerCommand(command({ env: [...without('OAUTH_CLIENT_SECRET'), '-e OAUTH_CLIENT_SECRET'] }));
    expect(!r.ok && r.error).toMatchObject({ code: 'MISSING_ENV', variable: 'OAUTH_CLIENT_SECRET' });
    expect(!r.ok && r.error.message).toMatch(/environment, which Runner Tray cannot see/);
  });

  it('the same variable twice: the last wins, as in Docker, with a warning', () => {
    const r = ok(parseRunnerCommand(command({ env: [...base, '-e WORKING_DIRECTORY=/srv/w'] })));
    expect(r.spec.workingDirectory).toBe('/srv/w');
    expect(codes(r.warnings)).toEqual(['DUPLICATE_ENV']);
  });

  it.each([
    [IDS.secret.slice(0, 40), /40 characters long.*64.*cut off/],
    [IDS.secret + 'abc', /67 characters long.*64/],
  ])('a secret of the wrong length is SECRET_LENGTH, worded helpfully', (secret, message) => {
    const r = ok(parseRunnerCommand(command({ env: [...without('OAUTH_CLIENT_SECRET'), `-e OAUTH_CLIENT_SECRET=${secret}`] })));
    expect(codes(r.warnings)).toEqual(['SECRET_LENGTH']);
    expect(r.warnings[0]!.message).toMatch(message);
    expect(r.secret.reveal()).toBe(secret);
  });

  it('a secret with characters Bitbucket never uses is SECRET_FORMAT; a short client id is CLIENT_ID_FORMAT', () => {
    const odd = `'${IDS.secret.slice(0, 63)}.'`;
    const r = ok(parseRunnerCommand(command({ env: [...without('OAUTH_CLIENT_SECRET'), `-e OAUTH_CLIENT_SECRET=${odd}`] })));
    expect(codes(r.warnings)).toEqual(['SECRET_FORMAT']);
    const r2 = ok(parseRunnerCommand(command({ env: [...without('OAUTH_CLIENT_ID'), `-e OAUTH_CLIENT_ID=${IDS.clientId.slice(0, 20)}`] })));
    expect(codes(r2.warnings)).toEqual(['CLIENT_ID_FORMAT']);
    expect(r2.warnings[0]!.message).toMatch(/20 characters.*32/);
  });
});

describe('pasted runner command: image and name', () => {
  it('any tag or digest of the runner image is fine; another image is UNEXPECTED_IMAGE', () => {
    const repo = IMAGE.replace(/:1$/, '');
    for (const image of [repo, `${repo}:latest`, `${repo}:1.510`, `${repo}@sha256:${'a'.repeat(64)}`]) {
      const r = ok(parseRunnerCommand(command({ image })));
      expect(r.warnings, image).toEqual([]);
      expect(r.spec.image).toBe(image);
    }
    const r = ok(parseRunnerCommand(command({ image: 'registry.example.test/mirror/bitbucket-pipelines-runner:1' })));
    expect(codes(r.warnings)).toEqual(['UNEXPECTED_IMAGE']);
    expect(r.warnings[0]!.message).toContain('registry.example.test/mirror/bitbucket-pipelines-runner:1');
  });

  it('a word that cannot be an image where the image belongs is an error, not a runner', () => {
    const r = parseRunnerCommand(command({ image: 'Not_An/Image!' }));
    expect(!r.ok && r.error.code).toBe('NOT_A_RUNNER_COMMAND');
    expect(!r.ok && r.error.message).toMatch(/not a valid image name/);
  });

  it('an unquoted value with a space pushes the runner image into the arguments: error, not a wrong runner', () => {
    const r = parseRunnerCommand(command({ before: '-it -e JAVA_OPTS=-Xmx256m -Xms128m' }));
    // `-Xms128m` is read as docker's -X option, which does not exist.
    expect(!r.ok && r.error.code).toBe('NOT_A_RUNNER_COMMAND');
    const r2 = parseRunnerCommand(command({ before: '-it -e CLONE_IMAGE=clone latest' }));
    expect(!r2.ok && r2.error.message).toMatch(/pass the runner image to it as an argument/);
  });

  it('the container name defaults to runner-<uuid>; another --name is kept with NAME_MISMATCH', () => {
    const noName = command().replace(`--name ${IDS.name} `, '');
    expect(ok(parseRunnerCommand(noName)).spec.name).toBe(IDS.name);
    const r = ok(parseRunnerCommand(noName.replace('docker container run', 'docker container run --name my-runner')));
    expect(r.spec.name).toBe('my-runner');
    expect(codes(r.warnings)).toEqual(['NAME_MISMATCH']);
    expect(r.warnings[0]!.message).toContain(IDS.name);
    const r2 = ok(parseRunnerCommand(noName.replace('docker container run', 'docker container run --name=bad/name')));
    expect(r2.spec.name).toBe(IDS.name);
    expect(codes(r2.warnings)).toEqual(['NAME_MISMATCH']);
  });
});

describe('pasted runner command: errors', () => {
  it.each(['', '   \n\t ', 'hello world', 'Please give me the runner', 'kubectl apply -f job.yaml', "I don't know"])(
    'text that is no docker command (%j) is NOT_A_RUNNER_COMMAND and says where to get one',
    (text) => {
      const r = parseRunnerCommand(text);
      expect(!r.ok && r.error.code).toBe('NOT_A_RUNNER_COMMAND');
      expect(!r.ok && r.error.message).toMatch(/Runners → Add runner/);
    },
  );

  it.each(['docker ps -a', 'docker pull ' + IMAGE, 'docker --version', 'docker'])('%j is not a docker run', (text) => {
    const r = parseRunnerCommand(text);
    expect(!r.ok && r.error.code).toBe('NOT_A_RUNNER_COMMAND');
  });

  it.each([
    ['linux-shell-runner.txt', 'Linux Shell'],
    ['macos-runner.txt', 'macOS'],
    ['windows-runner.txt', 'Windows'],
  ])('%s is NOT_DOCKER_RUNNER, explaining how to create a Linux Docker runner', (file, platform) => {
    const r = parseRunnerCommand(paste(file));
    expect(!r.ok && r.error.code).toBe('NOT_DOCKER_RUNNER');
    if (r.ok) return;
    expect(r.error.message).toContain(`for a ${platform} runner`);
    expect(r.error.message).toMatch(/runs Linux Docker runners/);
    expect(r.error.message).toMatch(/Runners → Add runner, choose System "Linux" and the "Docker" runner type/);
  });

  it('a cut-off paste: unclosed quote, option without its value, no image', () => {
    const cut = command({ env: [`-e ACCOUNT_UUID="${IDS.account}`] });
    const r1 = parseRunnerCommand(cut);
    expect(!r1.ok && r1.error.message).toMatch(/quote opened on line 1 is never closed/);
    const r2 = parseRunnerCommand('docker container run -it -v /tmp:/tmp --name');
    expect(!r2.ok && r2.error.message).toMatch(/`--name` needs a value/);
    const r3 = parseRunnerCommand(`docker container run -it -e ACCOUNT_UUID=${IDS.account}`);
    expect(!r3.ok && r3.error.message).toMatch(/ends before the image/);
  });

  it('an option docker run does not have is an error, as in Docker', () => {
    const r = parseRunnerCommand(command({ before: '-it --frobnicate 3' }));
    expect(!r.ok && r.error.message).toMatch(/`--frobnicate` .* is not a `docker run` option/);
    const r2 = parseRunnerCommand(command({ before: '-itZ' }));
    expect(!r2.ok && r2.error.message).toMatch(/`-Z` \(in `-itZ`/);
  });
});

describe('pasted runner command: anything but a single docker run is UNSAFE_COMMAND', () => {
  const c = command();
  it.each([
    [`${c}; rm -rf /tmp/x`, '`;`', /second command/],
    [`${c} && echo done`, '`&&`', /second command/],
    [`${c} || true`, '`||`', /second command/],
    [`${c} | tee log`, '`|`', /pipes the output/],
    [`${c} &`, '`&`', /background/],
    [`${c} > runner.log 2>&1`, '`>`', /redirection/],
    [`${c} 2>&1`, '`2>&1`', /redirection/],
    [`${c} < /dev/null`, '`<`', /redirection/],
    [`docker container run -e OAUTH_CLIENT_SECRET=<secret> ${IMAGE}`, '`<`', /placeholder/],
    [`${c} <<EOF\nhello\nEOF`, '`<<`', /heredoc/],
    [`(${c})`, '`(`', /subshell/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET=$(cat secret.txt)'), '`$(`', /run a command/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET=${SECRET}'), '`${`', /shell variable/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET=$SECRET'), '`$SECRET`', /shell variable/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET="$SECRET"'), '`$SECRET`', /shell variable/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET=$env:SECRET'), '`$env:SECRET`', /shell variable/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET=`cat secret.txt`'), 'backtick', /run a command/],
    [c.replace(`OAUTH_CLIENT_SECRET=${IDS.secret}`, 'OAUTH_CLIENT_SECRET="`cat secret.txt`"'), 'backtick', /run a command/],
  ])('%j names %s', (text, shown, why) => {
    const r = parseRunnerCommand(text);
    expect(!r.ok && r.error.code).toBe('UNSAFE_COMMAND');
    if (r.ok) return;
    expect(r.error.message).toContain(shown);
    expect(r.error.message).toMatch(why);
  });

  it('a second command on its own line', () => {
    const r = parseRunnerCommand(`${c}\necho started`);
    expect(!r.ok && r.error.code).toBe('UNSAFE_COMMAND');
    expect(!r.ok && r.error.message).toMatch(/line 2 starts another one/);
    const r2 = parseRunnerCommand(`cd /tmp\n${c}`);
    expect(!r2.ok && r2.error.code).toBe('UNSAFE_COMMAND');
  });

  it('the same characters inside single quotes are plain text, and so are ; | & > < inside double quotes', () => {
    const r = ok(parseRunnerCommand(command({ env: [...command().match(/-e \S+/g)!, `-e "JAVA_OPTS=-Da=1;b|c&d>e<f"`, `-e 'NOTE=$(x) \`y\` \${z} a;b'`] })));
    expect(r.spec.env.JAVA_OPTS).toBe('-Da=1;b|c&d>e<f');
    expect(r.spec.env.NOTE).toBe('$(x) `y` ${z} a;b');
  });

  it('a lone $ or a price like 5$ is no expansion', () => {
    const r = ok(parseRunnerCommand(command({ env: [...command().match(/-e \S+/g)!, '-e NOTE="costs 5$ / $"'] })));
    expect(r.spec.env.NOTE).toBe('costs 5$ / $');
  });
});
