import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LogReader, parseLogLine, parseSiblingName, isSiblingOf, parseUtcOffset, readLogText } from '../../src/shared/step-log/index.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/runner-logs/${name}`, import.meta.url), 'utf8');

describe('parseLogLine', () => {
  it('reads the logback date as UTC by default and keeps milliseconds', () => {
    expect(parseLogLine('[2022-06-05 17:23:41,945] Runner starting.')).toEqual({
      kind: 'runner-starting',
      timestamp: '2022-06-05T17:23:41.945Z',
      text: 'Runner starting.',
    });
  });

  it('writes the container offset into the timestamp when told', () => {
    const ev = parseLogLine('[2022-06-05 17:23:41,945] Runner starting.', { utcOffset: '+0200' });
    expect(ev?.timestamp).toBe('2022-06-05T17:23:41.945+02:00');
    expect(new Date(ev!.timestamp!).toISOString()).toBe('2022-06-05T15:23:41.945Z');
  });

  it('rejects a malformed offset with a message that shows the accepted form', () => {
    expect(() => parseUtcOffset('Europe/Berlin')).toThrow(/"Europe\/Berlin" is not valid.*\+HH:MM/);
    expect(() => parseUtcOffset('+25:00')).toThrow(/hours up to 14/);
    expect(parseUtcOffset('-05:30')).toBe('-05:30');
    expect(parseUtcOffset('+00:00')).toBe('Z');
  });

  it('recognises both ONLINE wordings', () => {
    const older =
      '[2022-06-05 17:23:41,945] Updating runner status to "ONLINE" and checking for new steps assigned to the runner after 0 seconds and then every 30 seconds.';
    const newer = '[2022-06-05 17:23:41,945] Updating runner state to "ONLINE".';
    expect(parseLogLine(older)?.kind).toBe('online');
    expect(parseLogLine(newer)?.kind).toBe('online');
    expect(parseLogLine('[2022-06-05 17:23:41,945] Updating runner state to "UNHEALTHY".')).toMatchObject({
      kind: 'runner-status',
      status: 'UNHEALTHY',
    });
  });

  it('takes the four UUIDs from StepId in any order, keeping or adding braces', () => {
    const ev = parseLogLine(
      '[2022-06-05 17:23:41,945] Getting step StepId{accountUuid={aaaaaaaa-0000-4000-8000-000000000001}, repositoryUuid={aaaaaaaa-0000-4000-8000-000000000002}, pipelineUuid={aaaaaaaa-0000-4000-8000-000000000003}, stepUuid={aaaaaaaa-0000-4000-8000-000000000004}}.',
    );
    expect(ev).toMatchObject({
      kind: 'step-started',
      step: {
        accountUuid: '{aaaaaaaa-0000-4000-8000-000000000001}',
        repositoryUuid: '{aaaaaaaa-0000-4000-8000-000000000002}',
        pipelineUuid: '{aaaaaaaa-0000-4000-8000-000000000003}',
        stepUuid: '{aaaaaaaa-0000-4000-8000-000000000004}',
      },
    });
    const loose = parseLogLine('[2022-06-05 17:23:41,945]  Getting  step  StepId{ stepUuid = aaaaaaaa-0000-4000-8000-000000000004 ,pipelineUuid={p}}');
    expect(loose).toMatchObject({ kind: 'step-started', step: { stepUuid: '{aaaaaaaa-0000-4000-8000-000000000004}', pipelineUuid: '{p}' } });
    expect(loose && 'step' in loose && loose.step.repositoryUuid).toBeUndefined();
  });

  it('reads the result word and the error, None or Some(…)', () => {
    expect(parseLogLine('[2022-06-05 17:23:41,945] Completing step with result Result{status=PASSED, error=None}.')).toMatchObject({
      kind: 'step-completed',
      status: 'PASSED',
      error: null,
    });
    expect(
      parseLogLine("[2022-06-05 17:23:41,945] Completing step with result Result{status=ERROR, error=Some(Error{key='runner.oom', message='x, y'})}."),
    ).toMatchObject({ kind: 'step-completed', status: 'ERROR', error: "Error{key='runner.oom', message='x, y'}" });
    expect(parseLogLine('[2022-06-05 17:23:41,945] Completing step with result Result{status=failed}')).toMatchObject({
      status: 'FAILED',
      error: null,
    });
  });

  it('reads the step phase when the runner prints it', () => {
    expect(parseLogLine('[2022-06-05 17:23:41,945] Updating step progress to PULLING_IMAGES.')).toMatchObject({
      kind: 'step-phase',
      phase: 'PULLING_IMAGES',
    });
  });

  it('tolerates CRLF, Docker timestamps and blank lines', () => {
    expect(parseLogLine('[2022-06-05 17:23:41,945] Runner starting.\r')?.text).toBe('Runner starting.');
    const ev = parseLogLine('2022-06-05T17:23:41.945123456Z [2022-06-05 17:23:41,945] Runner starting.');
    expect(ev).toMatchObject({ kind: 'runner-starting', dockerTimestamp: '2022-06-05T17:23:41.945Z', timestamp: '2022-06-05T17:23:41.945Z' });
    expect(parseLogLine('\r\n')).toBeNull();
    expect(parseLogLine('   ')).toBeNull();
  });

  it('makes undated lines continuations and unknown dated lines messages', () => {
    expect(parseLogLine('\tat java.base/java.lang.Thread.run(Thread.java:833)')).toMatchObject({ kind: 'continuation', timestamp: null });
    expect(parseLogLine('[2022-06-05 17:23:41,945] Getting oauth token for step.')?.kind).toBe('message');
    expect(parseLogLine('[2022-06-05 17:23:41] Runner starting.')?.timestamp).toBe('2022-06-05T17:23:41.000Z');
  });
});

describe('LogReader', () => {
  it('attaches stack-trace lines to the dated line before them', () => {
    const events = readLogText(fixture('unit-lifecycle-crlf.log'));
    const trace = events.filter((e) => e.kind === 'continuation');
    expect(trace).toHaveLength(4);
    for (const t of trace) {
      expect(t).toMatchObject({ kind: 'continuation', attachedTo: 17, timestamp: '2026-03-02T08:02:40.874Z' });
      expect(t.text.endsWith('\r')).toBe(false);
    }
  });

  it('gives the same events however the stream is chunked', () => {
    const text = fixture('unit-lifecycle-crlf.log');
    const whole = readLogText(text);
    const reader = new LogReader();
    const pieces = [];
    for (let i = 0; i < text.length; i += 7) pieces.push(...reader.push(text.slice(i, i + 7)));
    pieces.push(...reader.end());
    expect(pieces).toEqual(whole);
    expect(reader.lineCount).toBe(27);
  });

  it('emits a final line that has no newline only at end()', () => {
    const reader = new LogReader();
    expect(reader.push('[2022-06-05 17:23:41,945] Runner starting.')).toEqual([]);
    expect(reader.end()).toMatchObject([{ kind: 'runner-starting', lineNumber: 1 }]);
  });

  it('cuts a runaway line instead of buffering it forever', () => {
    const reader = new LogReader({ maxLineLength: 100 });
    const out = reader.push('x'.repeat(250));
    expect(out.map((e) => e.text.length)).toEqual([100, 100]);
    expect(reader.end()[0]?.text.length).toBe(50);
  });

  it('refuses a bad offset when created, not on the first line', () => {
    expect(() => new LogReader({ utcOffset: 'CEST' })).toThrow(/"CEST" is not valid/);
  });
});

describe('parseSiblingName', () => {
  const runner = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
  const step = '3f405162-7d8e-4f90-b1a2-d3e4f5061728';

  it('splits runner UUID, step UUID and role, adding braces', () => {
    expect(parseSiblingName(`/${runner}_${step}_build`)).toEqual({ runnerUuid: `{${runner}}`, stepUuid: `{${step}}`, role: 'build' });
    expect(parseSiblingName(`${runner}_${step}_auth-proxy`)?.role).toBe('auth-proxy');
    expect(parseSiblingName(`${runner}_${step}_my_service`)?.role).toBe('my_service');
  });

  it('accepts a name without a step UUID and rejects non-siblings', () => {
    expect(parseSiblingName(`${runner}_pause`)).toEqual({ runnerUuid: `{${runner}}`, role: 'pause' });
    expect(parseSiblingName(`runner-${runner}`)).toBeNull();
    expect(parseSiblingName('postgres')).toBeNull();
  });

  it('matches its runner with or without braces, in any case', () => {
    expect(isSiblingOf(`${runner}_${step}_build`, `{${runner.toUpperCase()}}`)).toBe(true);
    expect(isSiblingOf(`${runner}_${step}_build`, step)).toBe(false);
  });
});
