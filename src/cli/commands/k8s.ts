/**
 * `runner-tray k8s export|apply|delete|status`: a runner on a Kubernetes cluster. The objects come
 * from src/shared/k8s, the API calls from src/main/kubernetes; this only reads flags and prints.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleFiles, bundleStream } from '../../main/kubernetes/bundle.js';
import type { ApplyOptions, ClusterRunnerStatus, ObjectOptions, PlannedRunner } from '../../main/kubernetes/runner-placement.js';
import { bare } from '../../shared/runner-spec.js';
import { checkPullPolicy, checkStepSize, WORKLOAD_KINDS, type WorkloadKind } from '../../shared/k8s/index.js';
import type { Command, ParsedArgs } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { runnerArg } from './runner-arg.js';

const USAGE =
  'k8s export <runner> [--out DIR|-] [--namespace N] [--kind deployment|job] [--dind-version V] [--size 1x|2x|4x|8x] [--secret-ref NAME] [--image I] [--dind-image I] [--image-pull-policy P] [--arch amd64|arm64] ' +
  '| k8s apply <runner> [--context C] [--namespace N] [--force] [same object flags] | k8s delete <runner> [--context C] [--start] | k8s status [<runner>] [--context C] [--json]';

function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

function objectOptions(args: ParsedArgs): ObjectOptions {
  const kind = str(args, 'kind');
  if (kind !== undefined && !(WORKLOAD_KINDS as readonly string[]).includes(kind)) {
    throw new CliError('USAGE', `--kind "${kind}" is not one of ${WORKLOAD_KINDS.join(', ')}.`, 2);
  }
  const o: ObjectOptions = {};
  const set = <K extends keyof ObjectOptions>(k: K, v: ObjectOptions[K] | undefined) => {
    if (v !== undefined) o[k] = v;
  };
  set('namespace', str(args, 'namespace'));
  set('kind', kind as WorkloadKind | undefined);
  const size = str(args, 'size');
  set('size', size === undefined ? undefined : checkStepSize(size));
  set('dindVersion', str(args, 'dind-version'));
  set('dindImage', str(args, 'dind-image'));
  set('image', str(args, 'image'));
  const policy = str(args, 'image-pull-policy');
  set('imagePullPolicy', policy === undefined ? undefined : checkPullPolicy(policy));
  set('secretRef', str(args, 'secret-ref'));
  const arch = str(args, 'arch');
  if (arch !== undefined && arch !== 'amd64' && arch !== 'arm64') {
    throw new CliError('USAGE', `--arch "${arch}" is not a node architecture: use amd64 or arm64 (arm64 for a runner labelled linux.arm64).`, 2);
  }
  set('arch', arch);
  return o;
}

function context(args: ParsedArgs): { context?: string } {
  const c = str(args, 'context');
  return c === undefined ? {} : { context: c };
}

function describePlan(p: PlannedRunner): string {
  const m = p.manifests;
  const lines = [
    `${m.workload.kind} ${m.workload.metadata.namespace}/${m.workload.metadata.name}`,
    `dind ${p.dind.image}: ${p.dind.reason}`,
    m.secret ? `Secret ${m.secret.metadata.name} (the runner's OAuth credentials)` : `no Secret: the runner reads ${m.secretKeys.join(', ')} from your Secret`,
    ...m.notes.map((n) => `note: ${n}`),
  ];
  return lines.join('\n') + '\n';
}

async function runExport(args: ParsedArgs, io: CliIo): Promise<number> {
  const runner = runnerArg(args, 'k8s export');
  const out = str(args, 'out');
  const planned = await withContext(io, (ctx) => ctx.kubernetes().export(runner, { ...objectOptions(args), ...context(args) }));
  const uuid = planned.record.spec.runnerUuid;
  if (out === '-') {
    io.out(bundleStream(planned.manifests, uuid));
    io.err(
      planned.manifests.secret ? "The YAML above holds the runner's OAuth secret: keep it out of version control.\n" : 'The YAML above holds no secret.\n',
    );
    return 0;
  }
  const dir = resolve(out ?? `runner-${bare(uuid)}-k8s`);
  mkdirSync(dir, { recursive: true });
  const files = bundleFiles(planned.manifests, uuid);
  for (const f of files) {
    const path = join(dir, f.name);
    writeFileSync(path, f.content, { mode: f.secret ? 0o600 : f.name.endsWith('.sh') ? 0o755 : 0o644 });
    chmodSync(path, f.secret ? 0o600 : f.name.endsWith('.sh') ? 0o755 : 0o644);
  }
  io.out(`Wrote ${files.map((f) => f.name).join(', ')} to ${dir}\n${describePlan(planned)}`);
  io.out(
    planned.manifests.secret
      ? `secret.yaml holds the runner's OAuth secret (mode 0600): keep it private, do not commit it.\n`
      : 'The bundle holds no secret.\n',
  );
  io.out(`Apply with: ${join(dir, 'apply.sh')}   (or without kubectl: runner-tray k8s apply ${uuid})\n`);
  return 0;
}

async function runApply(args: ParsedArgs, io: CliIo): Promise<number> {
  const runner = runnerArg(args, 'k8s apply');
  const options: ApplyOptions = { ...objectOptions(args), ...context(args), force: Boolean(args.values.force) };
  const r = await withContext(io, (ctx) => ctx.kubernetes().apply(runner, options));
  if (args.values.json) {
    io.out(
      JSON.stringify({
        runnerUuid: r.record.spec.runnerUuid,
        cluster: r.cluster,
        namespace: r.placement.namespace,
        namespaceCreated: r.namespace === 'created',
        local: r.local,
        dind: r.dind,
        applied: r.applied,
        notes: r.manifests.notes,
      }) + '\n',
    );
    return 0;
  }
  if (r.local === 'removed')
    io.out(`Stopped and removed this machine's container of runner ${r.record.spec.runnerUuid} (a runner runs in one place at a time).\n`);
  io.out(`Applied to ${r.cluster}${r.namespace === 'created' ? ` (namespace ${r.placement.namespace} created)` : ''}:\n${describePlan(r)}`);
  io.out(r.applied.map((a) => `  ${a.kind} ${a.name} resourceVersion ${a.resourceVersion}`).join('\n') + '\n');
  return 0;
}

async function runDelete(args: ParsedArgs, io: CliIo): Promise<number> {
  const runner = runnerArg(args, 'k8s delete');
  const namespace = str(args, 'namespace');
  return withContext(io, async (ctx) => {
    const r = await ctx.kubernetes().delete(runner, { ...context(args), ...(namespace ? { namespace } : {}) });
    const uuid = r.record.spec.runnerUuid;
    io.out(
      `Deleted from ${r.cluster}: ${r.deleted.length > 0 ? r.deleted.map((d) => `${d.kind} ${d.name}`).join(', ') : 'nothing was there'}. Runner ${uuid} now belongs to this machine.\n`,
    );
    if (args.values.start) {
      const s = await (await ctx.runners()).start(uuid);
      io.out(`${s.name} ${s.containerState}\n`);
    } else {
      io.out(`Start it here with: runner-tray start ${uuid}\n`);
    }
    return 0;
  });
}

function statusRows(rows: ClusterRunnerStatus[]): string {
  const table: string[][] = [['RUNNER', 'NAME', 'WHERE', 'POD', 'PHASE', 'RESTARTS', 'LAST EXIT', 'NODE']];
  for (const r of rows) {
    const where = r.placement ? `${r.placement.context}/${r.placement.namespace}` : 'this machine';
    const pods = r.pods.length > 0 ? r.pods : [null];
    for (const p of pods) {
      table.push([
        r.runnerUuid,
        r.displayName,
        where,
        p?.name ?? (r.workload?.exists ? '(no pod yet)' : '-'),
        p ? (p.waiting ?? p.phase) : r.workload?.exists ? 'Pending' : '-',
        p ? String(p.restarts) : '-',
        p?.lastTermination ? `${p.lastTermination.reason} (${p.lastTermination.exitCode})` : '-',
        p?.node ?? '-',
      ]);
    }
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => (r[i] ?? '').length)));
  return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

async function runStatus(args: ParsedArgs, io: CliIo): Promise<number> {
  const runner = args.positionals[1];
  const namespace = str(args, 'namespace');
  const rows = await withContext(io, (ctx) => ctx.kubernetes().status(runner, { ...context(args), ...(namespace ? { namespace } : {}) }));
  if (args.values.json) {
    io.out(JSON.stringify(runner === undefined ? rows : rows[0]) + '\n');
    return 0;
  }
  if (rows.length === 0) {
    io.out('No runner runs on a cluster. Move one with: runner-tray k8s apply <runner>\n');
    return 0;
  }
  io.out(statusRows(rows));
  return 0;
}

export const k8sCommand: Command = {
  usage: USAGE,
  summary:
    'Run a runner on Kubernetes: export its objects (YAML + apply.sh), apply them through the API (server-side apply; its local container is stopped and removed first), delete them (and bring it back here with --start), or show its pods.',
  options: {
    out: { type: 'string' },
    namespace: { type: 'string' },
    kind: { type: 'string' },
    'dind-version': { type: 'string' },
    'dind-image': { type: 'string' },
    size: { type: 'string' },
    'secret-ref': { type: 'string' },
    image: { type: 'string' },
    'image-pull-policy': { type: 'string' },
    arch: { type: 'string' },
    context: { type: 'string' },
    force: { type: 'boolean' },
    start: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  maxPositionals: 2,
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    const shifted: ParsedArgs = { values: args.values, positionals: rest };
    switch (sub) {
      case 'export':
        return runExport(shifted, io);
      case 'apply':
        return runApply(shifted, io);
      case 'delete':
        return runDelete(shifted, io);
      case 'status':
        return runStatus({ values: args.values, positionals: args.positionals }, io);
      default:
        throw new CliError('USAGE', `k8s needs "export", "apply", "delete" or "status"${sub ? `, not "${sub}"` : ''}. Usage: runner-tray ${USAGE}`, 2);
    }
  },
};
