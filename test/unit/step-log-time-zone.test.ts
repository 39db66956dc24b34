import { describe, expect, it } from 'vitest';
import { timeZoneOption } from '../../src/cli/commands/time-zone-option.js';
import { diagnose } from '../../src/shared/diagnostics/diagnose.js';
import { confirmedSiblingStep } from '../../src/shared/step-log/sibling-name.js';
import { readLogText } from '../../src/shared/step-log/log-reader.js';
import { RunnerLogReplay, toStepsJson } from '../../src/shared/step-log/replay.js';
import { resolveTimeZone, timeZoneFromEnv, utcOffsetAt, utcOffsetForLocalTime } from '../../src/shared/step-log/time-zone.js';

const STEP = (n: string) =>
  `Getting step StepId{accountUuid={5d7e9f1a-2b3c-4d5e-8f6a-7b8c9d0e1f2a}, repositoryUuid={e1d2c3b4-a596-4877-8a9b-0c1d2e3f4a5b}, pipelineUuid={11111111-2222-4333-8444-00000000000${n}}, stepUuid={aaaaaaaa-bbbb-4ccc-8ddd-00000000000${n}}}.`;

describe('container time zone → log times', () => {
  it('reads a TZ value from a container env the way Docker does (last one wins)', () => {
    expect(timeZoneFromEnv(['PATH=/bin', 'TZ=UTC', 'TZ=Europe/Warsaw'])).toBe('Europe/Warsaw');
    expect(timeZoneFromEnv(['PATH=/bin'])).toBeUndefined();
    expect(timeZoneFromEnv(null)).toBeUndefined();
  });

  it('resolves IANA names, UTC and POSIX fixed offsets; refuses what it cannot read', () => {
    expect(resolveTimeZone('Europe/Warsaw')).toEqual({ kind: 'zone', timeZone: 'Europe/Warsaw' });
    expect(resolveTimeZone(':Asia/Kolkata')).toEqual({ kind: 'zone', timeZone: 'Asia/Kolkata' });
    expect(resolveTimeZone(undefined)).toEqual({ kind: 'offset', utcOffset: 'Z' });
    expect(resolveTimeZone('UTC')).toEqual({ kind: 'offset', utcOffset: 'Z' });
    // POSIX counts hours west of UTC.
    expect(resolveTimeZone('EST5')).toEqual({ kind: 'offset', utcOffset: '-05:00' });
    expect(resolveTimeZone('<+0530>-5:30')).toEqual({ kind: 'offset', utcOffset: '+05:30' });
    expect(resolveTimeZone('CET-1CEST,M3.5.0,M10.5.0/3')).toBeNull();
    expect(resolveTimeZone('Mars/Olympus_Mons')).toBeNull();
  });

  it('gives the offset in force at each wall-clock time, across a DST change', () => {
    // Europe/Warsaw went to summer time at 2026-03-29 02:00 local (01:00Z).
    expect(utcOffsetForLocalTime('Europe/Warsaw', '2026-03-29T01:59:59')).toBe('+01:00');
    expect(utcOffsetForLocalTime('Europe/Warsaw', '2026-03-29T03:00:00')).toBe('+02:00');
    // The skipped hour reads with the offset from before; the repeated hour (back to +01:00 at 01:00Z) as standard time.
    expect(utcOffsetForLocalTime('Europe/Warsaw', '2026-03-29T02:30:00')).toBe('+01:00');
    expect(utcOffsetForLocalTime('Europe/Warsaw', '2026-10-25T01:30:00')).toBe('+02:00');
    expect(utcOffsetForLocalTime('Europe/Warsaw', '2026-10-25T02:30:00')).toBe('+01:00');
    expect(utcOffsetForLocalTime('Europe/Warsaw', '2026-10-25T03:30:00')).toBe('+01:00');
    expect(utcOffsetForLocalTime('Asia/Kolkata', '2026-07-01T12:00:00')).toBe('+05:30');
    expect(utcOffsetForLocalTime('America/New_York', '2026-01-15T08:00:00')).toBe('-05:00');
    expect(utcOffsetAt('Europe/Warsaw', Date.UTC(2026, 6, 1))).toBe('+02:00');
    expect(utcOffsetAt('UTC', Date.UTC(2026, 6, 1))).toBe('Z');
  });

  it('stamps each runner line with its own offset, so instants stay right across the change', () => {
    const log = [`[2026-03-29 01:30:00,000] ${STEP('1')}`, '[2026-03-29 03:30:00,000] Completing step with result Result{status=PASSED, error=None}.'].join(
      '\n',
    );
    const events = readLogText(log, { timeZone: 'Europe/Warsaw' });
    expect(events.map((e) => e.timestamp)).toEqual(['2026-03-29T01:30:00.000+01:00', '2026-03-29T03:30:00.000+02:00']);
    // Wall clock says 2 hours, but only 1 hour passed.
    expect(Date.parse(events[1]!.timestamp!) - Date.parse(events[0]!.timestamp!)).toBe(3600_000);
  });

  it('takes the zone once the replay knows it (the container is inspected after the replay exists)', () => {
    const replay = new RunnerLogReplay();
    replay.push(`[2026-07-01 10:00:00,000] ${STEP('1')}\n`);
    replay.setTimeZone({ timeZone: 'Asia/Kolkata' });
    replay.push(`[2026-07-01 10:00:00,000] ${STEP('2')}\n`);
    const started = replay.state.steps.map((s) => s.startedAt).sort();
    expect(started).toEqual(['2026-07-01T10:00:00.000+05:30', '2026-07-01T10:00:00.000Z']);
  });

  it('refuses an unknown zone with the accepted forms named', () => {
    const replay = new RunnerLogReplay();
    expect(() => replay.setTimeZone({ timeZone: 'Europe/Atlantis' })).toThrow(/"Europe\/Atlantis" is not known: use an IANA name such as Europe\/Warsaw/);
  });

  it('steps --from-log --tz: zone names, offsets, and a clear refusal', () => {
    expect(timeZoneOption('Europe/Warsaw')).toEqual({ timeZone: 'Europe/Warsaw' });
    expect(timeZoneOption('+02:00')).toEqual({ utcOffset: '+02:00' });
    expect(timeZoneOption('UTC')).toEqual({ utcOffset: 'Z' });
    expect(timeZoneOption(undefined)).toEqual({});
    expect(() => timeZoneOption('Warsaw')).toThrow(/--tz "Warsaw" is not a time zone: give the runner container's TZ as an IANA name/);
    expect(() => timeZoneOption('+99:00')).toThrow(/--tz "\+99:00" is not a time zone/);
  });
});

describe('sibling step UUID is believed, then confirmed', () => {
  const running = { stepUuid: '{aaaaaaaa-bbbb-4ccc-8ddd-000000000001}', state: 'RUNNING' };
  it('is the step only while a running step in the log has that UUID', () => {
    expect(confirmedSiblingStep('{aaaaaaaa-bbbb-4ccc-8ddd-000000000001}', [running])).toBe('{aaaaaaaa-bbbb-4ccc-8ddd-000000000001}');
    expect(confirmedSiblingStep('{AAAAAAAA-bbbb-4ccc-8ddd-000000000001}', [running])).toBeDefined();
    expect(confirmedSiblingStep('{aaaaaaaa-bbbb-4ccc-8ddd-000000000002}', [running])).toBeUndefined();
    expect(confirmedSiblingStep('{aaaaaaaa-bbbb-4ccc-8ddd-000000000001}', [{ ...running, state: 'PASSED' }])).toBeUndefined();
    expect(confirmedSiblingStep(undefined, [running])).toBeUndefined();
  });
});

describe('secrets never reach a diagnosis line', () => {
  const SECRET = 'ATOAmadeUpDiagSecret_Qw9Er8Ty7Ui6Op5As4Df3Gh2Jk1Lz0Xc-Vb9Nm8Qa7Ws6';
  const line = `[2026-01-01 00:00:00,000] 404 from POST https://auth.atlassian.com/oauth/token with client_secret=${SECRET}`;

  it('redacts the runner secret the replay was given', () => {
    const replay = new RunnerLogReplay();
    replay.setSecrets([SECRET]);
    const [d] = replay.push(line + '\n');
    expect(d?.code).toBe('OAUTH_REJECTED');
    expect(d?.line).not.toContain(SECRET);
    expect(d?.line).toContain('client_secret=<redacted>');
  });

  it('masks credential-like runs when no secret is known (a saved log), keeping class names readable', () => {
    const replay = new RunnerLogReplay();
    const [d] = replay.push(line + '\n');
    expect(d?.line).not.toContain(SECRET);
    expect(d?.line).not.toContain(SECRET.slice(0, 20));
    const conflict = diagnose('com.atlassian.pipelines.StargateConflictException: Simultaneous state updates', { maskCredentialLike: true });
    expect(conflict?.line).toContain('StargateConflictException');
  });

  it('lists a step container diagnosis with its container role, without folding it into the runner', () => {
    const replay = new RunnerLogReplay();
    replay.push(`[2026-01-01 00:00:00,000] Updating runner state to "ONLINE".\n`);
    const d = diagnose('time="2026-01-01T00:00:01Z" level=warning msg="failed to adjust OOM score for shim"', { hostDockerVersion: '20.10.24+dfsg1' })!;
    d.container = 'docker';
    replay.note(d);
    expect(replay.state.runnerState).toBe('ONLINE');
    expect(toStepsJson(replay.state, replay.diagnostics).diagnostics).toEqual([
      expect.objectContaining({ code: 'DIND_VERSION_MISMATCH', container: 'docker', fix: expect.stringContaining('docker:20.10.24-dind') }),
    ]);
  });
});
