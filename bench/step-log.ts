import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { LogReader, parseLogLine, RunnerLogReplay } from '../src/shared/step-log/index.js';

/*
 * Parser throughput on a generated 1M-line runner log (target ≥ 1M lines/s) and peak
 * memory. The log is ten distinct 100k-line chunks fed ten times each, so the input
 * itself stays small and the memory numbers show the parser and fold, not the input.
 * Run alone with `npx tsx bench/step-log.ts`; bench/run.ts imports benchStepLog.
 */

const LINES = 1_000_000;
const CHUNKS = 10;
const CHUNK_LINES = LINES / (CHUNKS * 10);

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const uuid = (n: number) => `{${hex(n, 8)}-0000-4000-8000-${hex(n * 7919, 12)}}`;

function time(i: number): string {
  const s = i % 86_400;
  return `2026-03-02 ${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
}

/** A realistic mix: idle heartbeats, step cycles with phases and chatter, a few stack traces. */
function generateChunk(seed: number): string {
  const out: string[] = [];
  let i = seed * CHUNK_LINES;
  let step = seed * 100_000;
  while (out.length < CHUNK_LINES) {
    const t = time(i++);
    const r = i % 40;
    if (r < 20) {
      out.push(`[${t}] Updating runner state to "ONLINE".`);
    } else if (r === 20) {
      step++;
      out.push(
        `[${t}] Getting step StepId{accountUuid=${uuid(1)}, repositoryUuid=${uuid(2)}, pipelineUuid=${uuid(step * 3)}, stepUuid=${uuid(step)}}.`,
        `[${t}] Getting oauth token for step.`,
        `[${t}] Updating step progress to PULLING_IMAGES.`,
        `[${t}] Pulling image docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-auth-proxy:prod-stable.`,
        `[${t}] Updating step progress to CLONING.`,
        `[${t}] Updating step progress to RUNNING.`,
      );
    } else if (r === 30) {
      out.push(
        `[${t}] Error while uploading log chunk, will retry.`,
        'java.io.IOException: Connection reset by peer',
        '\tat java.base/sun.nio.ch.SocketDispatcher.read0(Native Method)',
        '\tat java.base/sun.nio.ch.SocketDispatcher.read(SocketDispatcher.java:47)',
      );
    } else if (r === 39) {
      out.push(`[${t}] Completing step with result Result{status=${i % 3 ? 'PASSED' : 'FAILED'}, error=None}.`, `[${t}] Updating runner state to "ONLINE".`);
    } else {
      out.push(`[${t}] Waiting on container to exit.`);
    }
  }
  out.length = CHUNK_LINES;
  return out.join('\n') + '\n';
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export async function benchStepLog(): Promise<void> {
  const chunks = Array.from({ length: CHUNKS }, (_, k) => generateChunk(k));
  const lines = chunks.map((c) => c.slice(0, -1).split('\n'));
  const inputBytes = chunks.reduce((n, c) => n + c.length, 0) * 10;

  // Warm up the JIT so the numbers describe steady state.
  for (const l of lines[0]!.slice(0, 50_000)) parseLogLine(l);

  globalThis.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;

  const cpu0 = process.cpuUsage();
  let t0 = performance.now();
  let events = 0;
  for (let rep = 0; rep < 10; rep++) {
    for (const ls of lines) for (const l of ls) if (parseLogLine(l) !== null) events++;
  }
  const parseMs = performance.now() - t0;
  // CPU time too: wall time on a shared, loaded machine understates the parser.
  const parseCpu = process.cpuUsage(cpu0);
  const parseCpuMs = (parseCpu.user + parseCpu.system) / 1000;

  t0 = performance.now();
  const reader = new LogReader();
  let readerEvents = 0;
  for (let rep = 0; rep < 10; rep++) {
    // 64 KiB pieces, as a Docker log stream delivers them, split mid-line.
    for (const c of chunks) for (let at = 0; at < c.length; at += 65_536) readerEvents += reader.push(c.slice(at, at + 65_536)).length;
  }
  readerEvents += reader.end().length;
  const readerMs = performance.now() - t0;

  t0 = performance.now();
  const replay = new RunnerLogReplay();
  for (let rep = 0; rep < 10; rep++) for (const c of chunks) for (let at = 0; at < c.length; at += 65_536) replay.push(c.slice(at, at + 65_536));
  replay.end();
  const replayMs = performance.now() - t0;

  globalThis.gc?.();
  const heapAfter = process.memoryUsage().heapUsed;
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const rate = (ms: number) => Math.round(LINES / (ms / 1000));

  console.log(`step-log: ${LINES.toLocaleString('en')} lines, ${mb(inputBytes)} of log text`);
  console.log(
    `  parseLogLine (pre-split lines)      ${rate(parseMs).toLocaleString('en')} lines/s  (${parseMs.toFixed(0)} ms, ${events} events)  target ≥ 1,000,000; ${rate(parseCpuMs).toLocaleString('en')} lines per CPU-second`,
  );
  console.log(`  LogReader (64 KiB chunks, numbered) ${rate(readerMs).toLocaleString('en')} lines/s  (${readerMs.toFixed(0)} ms, ${readerEvents} events)`);
  console.log(
    `  parse + diagnose + fold (replay)    ${rate(replayMs).toLocaleString('en')} lines/s  (${replayMs.toFixed(0)} ms, runner ${replay.state.runnerState}, ${replay.state.steps.length} steps kept, ${replay.state.lineCount} lines counted)`,
  );
  console.log(
    `  heap growth over the runs ${mb(heapAfter - heapBefore)}${globalThis.gc ? '' : ' (no --expose-gc: includes garbage)'}; peak RSS ${mb(maxRss)} (includes the ${mb(inputBytes / 10)} input and its split lines)`,
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchStepLog();
