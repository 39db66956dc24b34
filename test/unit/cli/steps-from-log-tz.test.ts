/** `runner-tray steps --from-log FILE --tz ZONE` through the CLI entry, on a saved runner log. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { CliIo } from '../../../src/cli/io.js';
import { CliCapture } from '../../support/cli-capture.js';

let dir: string;
let cap: CliCapture;

function io(): CliIo {
  return cap.io({ ...process.env, RUNNER_TRAY_HOME: dir, RUNNER_TRAY_VAULT: 'file' });
}

const LOG = [
  '[2026-03-29 01:30:00,000] Updating runner state to "ONLINE".',
  '[2026-03-29 01:45:10,120] Getting step StepId{accountUuid={5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}, repositoryUuid={e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b}, pipelineUuid={11111111-2222-4333-8444-000000000001}, stepUuid={aaaaaaaa-bbbb-4ccc-8ddd-000000000001}}.',
  '[2026-03-29 03:05:00,000] Completing step with result Result{status=PASSED, error=None}.',
  '',
].join('\r\n');

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'rt-tz-'));
  writeFileSync(join(dir, 'runner.log'), LOG);
  cap = new CliCapture();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('steps --from-log --tz', () => {
  it("reads a saved log's times in the given zone, DST change included", async () => {
    expect(await main(['steps', '--from-log', join(dir, 'runner.log'), '--tz', 'Europe/Warsaw', '--json'], io())).toBe(0);
    const json = JSON.parse(cap.out) as { steps: Array<{ startedAt: string; finishedAt: string }> };
    expect(json.steps[0]).toMatchObject({ startedAt: '2026-03-29T01:45:10.120+01:00', finishedAt: '2026-03-29T03:05:00.000+02:00' });
  });

  it('reads them as UTC without --tz', async () => {
    expect(await main(['steps', '--from-log', join(dir, 'runner.log'), '--json'], io())).toBe(0);
    expect((JSON.parse(cap.out) as { steps: Array<{ startedAt: string }> }).steps[0]!.startedAt).toBe('2026-03-29T01:45:10.120Z');
  });

  it('refuses a zone it does not know, saying what to give instead', async () => {
    expect(await main(['steps', '--from-log', join(dir, 'runner.log'), '--tz', 'Poland/Warsaw'], io())).toBe(2);
    expect(cap.err).toMatch(/--tz "Poland\/Warsaw" is not a time zone: give the runner container's TZ as an IANA name \(e\.g\. Europe\/Warsaw/);
    expect(cap.out).toBe('');
  });
});
