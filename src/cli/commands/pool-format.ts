/** How `runner-tray pool` prints pools: one line for add/edit, a table for list, a page for show. */
import type { PoolView } from '../../shared/contract/pool-views.js';
import { formatDuration } from '../../shared/pools/duration.js';
import type { PoolConfig } from '../../shared/pools/types.js';
import { printableText } from '../../shared/text-safety.js';

function where(p: { workspace: string; repository?: string | null }): string {
  return p.repository ? `${p.workspace}/${p.repository}` : `workspace ${p.workspace}`;
}

function placement(p: { on: 'docker' | 'kubernetes'; kubernetes?: { context?: string | null; namespace: string; imagePullPolicy?: string } | null }): string {
  if (p.on === 'docker' || !p.kubernetes) return 'this machine (docker)';
  const pull = p.kubernetes.imagePullPolicy && p.kubernetes.imagePullPolicy !== 'Always' ? ` (image pull policy ${p.kubernetes.imagePullPolicy})` : '';
  return `kubernetes ${p.kubernetes.context ?? '(current context)'}/${p.kubernetes.namespace}${pull}`;
}

function labelsOf(labels: readonly string[]): string {
  return ['self.hosted', 'linux', ...labels].join(', ');
}

/** "ci: acme/api, 0..4 runners (1 idle kept ready) on this machine (docker), size 2x, labels …, cool-down 5m, start timeout 3m." */
export function describePool(p: PoolConfig): string {
  return (
    `${p.name}: ${where(p)}, ${p.min}..${p.max} runners${p.idle > 0 ? ` (${p.idle} idle kept ready)` : ''} on ${placement(p)}, size ${p.size}, ` +
    `labels ${labelsOf(p.labels)}, cool-down ${formatDuration(p.coolDownMs)}, start timeout ${formatDuration(p.startTimeoutMs)}` +
    `${p.workDir ? `, work dir ${p.workDir}` : ''}.`
  );
}

function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map(printableText));
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** `pool list`: settings, and the runners each pool has in settings. */
export function poolTable(views: readonly PoolView[], runnerCounts: ReadonlyMap<string, number>): string {
  return table([
    ['POOL', 'WHERE', 'ON', 'MIN', 'MAX', 'IDLE', 'COOL-DOWN', 'SIZE', 'RUNNERS', 'LABELS'],
    ...views.map((v) => [
      v.name,
      where(v),
      v.on === 'docker' ? 'docker' : `k8s:${v.kubernetes?.namespace ?? '?'}`,
      String(v.min),
      String(v.max),
      String(v.idle),
      formatDuration(v.coolDownSeconds * 1000),
      v.size,
      String(runnerCounts.get(v.name) ?? 0),
      v.labels.length > 0 ? v.labels.join(',') : '-',
    ]),
  ]);
}

const STATUS_WORDS: Record<PoolView['status'], string> = {
  active: 'active (a controller runs it)',
  holding: 'holding (Bitbucket answered with an error; the pool is kept as it is until the next try)',
  inactive: 'one observation (no serve, watch or desktop app runs this pool here)',
};

/** `pool show`: its settings, then what one observation saw: runners and their states, desired, waiting, notes. */
export function showPool(v: PoolView): string {
  const c = v.counts;
  const lines = [
    `Pool ${v.name}`,
    `  where:          ${where(v)}`,
    `  runs on:        ${placement(v)}, size ${v.size}`,
    `  labels:         ${labelsOf(v.labels)}`,
    `  size limits:    min ${v.min}, max ${v.max}, idle ${v.idle}`,
    `  cool-down:      ${formatDuration(v.coolDownSeconds * 1000)} (start timeout ${formatDuration(v.startTimeoutSeconds * 1000)})`,
    `  status:         ${STATUS_WORDS[v.status]}${v.observedAt ? `, observed ${v.observedAt}` : ''}`,
    `  desired:        ${v.desired}${v.cappedBy ? ` (capped by ${v.cappedBy === 'max' ? "the pool's max" : 'what this host can run'})` : ''}`,
    `  runners:        ${c.busy} busy, ${c.idle} idle, ${c.starting} starting, ${c.offline} offline`,
    `  waiting steps:  ${c.waiting}${c.waitingUnknownLabels > 0 ? ` (${c.waitingUnknownLabels} without known runs-on labels)` : ''}`,
  ];
  if (v.problem) lines.push(`  problem:        ${v.problem}`);
  for (const n of v.notes) lines.push(`  note: ${n}`);
  let out = lines.map(printableText).join('\n') + '\n';
  if (v.runners.length > 0) {
    out +=
      '\n' +
      table([['RUNNER', 'NAME', 'STATE', 'SINCE', 'REASON'], ...v.runners.map((r) => [r.runnerUuid, r.displayName, r.state, r.since ?? '-', r.reason ?? ''])]);
  } else {
    out += '\nNo runners in this pool now.\n';
  }
  if (v.activity.length > 0)
    out +=
      '\nRecent activity:\n' +
      v.activity
        .slice(-10)
        .map((a) => printableText(`  ${a.at}  ${a.line}`))
        .join('\n') +
      '\n';
  return out;
}
