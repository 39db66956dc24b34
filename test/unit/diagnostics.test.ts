import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSIS_TEXT, diagnose, dindTagVersion, SIGNATURES } from '../../src/shared/diagnostics/index.js';
import { Secret } from '../../src/shared/secret.js';

// Each fixture line is `<expected code>\t<log line>`.
const cases = readFileSync(new URL('../fixtures/runner-logs/unit-diagnoses.log', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => l.split('\t') as [string, string]);

describe('diagnose', () => {
  it.each(cases)('%s is recognised in its log line', (code, line) => {
    const d = diagnose(line, { lineNumber: 12 });
    expect(d).toMatchObject({ code, line: line.trim(), lineNumber: 12 });
    expect(d!.message.length).toBeGreaterThan(20);
    expect(d!.fix.length).toBeGreaterThan(20);
    expect(`${d!.message} ${d!.fix}`).not.toMatch(/\{\{\w+\}\}/);
  });

  it('has a fixture line for every signature in the table', () => {
    expect(new Set(cases.map(([c]) => c))).toEqual(new Set(SIGNATURES.map((s) => s.code)));
  });

  it('stays quiet on ordinary runner lines', () => {
    for (const line of [
      '[2026-03-02 08:00:00,101] Runner starting.',
      '[2026-03-02 08:01:02,350] Getting oauth token for step.',
      '[2026-03-02 08:01:02,350] Updating runner state to "ONLINE".',
      '[2026-03-02 08:01:02,350] Completing step with result Result{status=FAILED, error=None}.',
      '[2026-03-02 08:01:02,350] Pulling image docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-auth-proxy:prod-stable.',
      '[2026-03-02 08:01:02,350] Successfully obtained oauth token from https://auth.atlassian.com/oauth/token',
    ]) {
      expect(diagnose(line), line).toBeNull();
    }
  });

  it('DIND_VERSION_MISMATCH names the host engine version in the fix when known', () => {
    const line = cases.find(([c]) => c === 'DIND_VERSION_MISMATCH')![1];
    const d = diagnose(line, { hostDockerVersion: '20.10.24+dfsg1' });
    expect(d?.fix).toContain('docker:20.10.24-dind');
    expect(d?.params).toEqual({ hostDockerVersion: '20.10.24' });
    const unknown = diagnose(line);
    expect(unknown?.fix).toContain('docker:<host version>-dind');
    expect(unknown?.textKey).toBe('DIND_VERSION_MISMATCH.noVersion');
    expect(dindTagVersion('v26.1.3')).toBe('26.1.3');
  });

  it('MEMORY_LIMIT tells a service apart from the build container', () => {
    expect(diagnose("Container 'Build' exceeded memory limit.")?.fix).toMatch(/size: 2x, 4x or 8x/);
    const svc = diagnose("Service 'docker' exceeded memory limit.");
    expect(svc).toMatchObject({ code: 'MEMORY_LIMIT', textKey: 'MEMORY_LIMIT.service', params: { container: 'docker' } });
    expect(svc?.message).toContain('"docker" service');
    expect(svc?.fix).toContain('definitions: services: docker: memory:');
  });

  it('IMAGE_UNAVAILABLE names the image that failed', () => {
    expect(diagnose('Error response from daemon: pull access denied for example-org/private-build, repository does not exist')?.message).toContain(
      'example-org/private-build',
    );
  });

  it('a Docker socket problem is DOCKER_UNREACHABLE, not a network problem', () => {
    expect(diagnose('java.io.IOException: connect(/var/run/docker.sock) failed: Connection refused')?.code).toBe('DOCKER_UNREACHABLE');
    expect(diagnose('dial unix /var/run/docker.sock: connect: permission denied')?.code).toBe('DOCKER_UNREACHABLE');
  });

  it('redacts known secrets from the quoted line', () => {
    const secret = new Secret('ATOAUTH-made-up-secret-0123456789');
    const d = diagnose(`401 from POST https://auth.atlassian.com/oauth/token client_secret=${secret.reveal()}`, { secrets: [secret] });
    expect(d?.code).toBe('OAUTH_REJECTED');
    expect(JSON.stringify(d)).not.toContain(secret.reveal());
    expect(d?.line).toContain('<redacted>');
  });

  it('keeps every message and fix in the one text table', () => {
    for (const sig of SIGNATURES) expect(DIAGNOSIS_TEXT).toHaveProperty([sig.code]);
  });
});
