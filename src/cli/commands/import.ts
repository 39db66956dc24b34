import type { ImportCandidate, ImportResult } from '../../main/runners/import.js';
import type { Command } from '../command.js';
import { withContext } from '../context.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../io.js';
import { reportPulls } from './lifecycle.js';

const short = (id: string | null) => (id ?? '-').slice(0, 12);

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

function printCandidates(candidates: ImportCandidate[], io: CliIo): void {
  if (candidates.length === 0) {
    io.out('No runner containers started by hand on this engine: every runner container here is managed by Runner Tray.\n');
    return;
  }
  io.out(
    table([
      ['CONTAINER', 'NAME', 'STATE', 'RUNNER', 'IMPORT'],
      ...candidates.map((c) => [short(c.containerId), c.name, c.state, c.runnerUuid ?? '-', c.problem === undefined ? 'yes' : 'no']),
    ]),
  );
  for (const c of candidates) if (c.problem !== undefined) io.out(`${c.name}: ${c.problem}\n`);
  const first = candidates.find((c) => c.problem === undefined);
  if (first) {
    io.out(
      `Import one with: runner-tray import ${first.name}   (all: runner-tray import --all)\n` +
        "Its secret goes into the vault, the container is recreated as Runner Tray's (restart policy, log limits); the old one is removed once the new one runs.\n",
    );
  }
}

function printImported(r: ImportResult, io: CliIo): void {
  for (const w of r.warnings) io.err(`warning [${w.code}]: ${w.message}\n`);
  io.out(`imported ${r.name} as runner ${r.runnerUuid} (container ${short(r.previousContainerId)} replaced by ${short(r.containerId)})\n`);
}

export const importCommand: Command = {
  usage: 'import [--all] [<container>] [--json]',
  summary:
    'Take over runners started by hand (docker container run …): without arguments, list them; with a container or --all, import it: secret into the vault, recreated as ours.',
  options: { all: { type: 'boolean' }, json: { type: 'boolean' } },
  maxPositionals: 1,
  async run(args, io) {
    const ref = args.positionals[0];
    const all = Boolean(args.values.all);
    const json = Boolean(args.values.json);
    if (all && ref !== undefined) throw new CliError('USAGE', 'give either a container (name or id) or --all, not both.', 2);
    return withContext(io, async (ctx) => {
      const imports = await ctx.imports();
      if (!all && ref === undefined) {
        const candidates = await imports.candidates();
        if (json) io.out(JSON.stringify(candidates) + '\n');
        else printCandidates(candidates, io);
        return 0;
      }
      reportPulls(await ctx.runners(), io);
      if (ref !== undefined) {
        const result = await imports.importOne(ref);
        if (json) io.out(JSON.stringify({ imported: [result], failed: [], skipped: [] }) + '\n');
        else printImported(result, io);
        return 0;
      }
      const { imported, failed, skipped } = await imports.importAll();
      if (json) {
        io.out(JSON.stringify({ imported, failed, skipped }) + '\n');
      } else {
        for (const r of imported) printImported(r, io);
        for (const f of failed) io.err(`runner-tray: ${f.name} not imported [${f.code}]: ${f.message}\n`);
        for (const f of skipped) io.err(`runner-tray: ${f.name} skipped: ${f.message}\n`);
        if (imported.length + failed.length + skipped.length === 0) io.out('Nothing to import: no runner containers started by hand on this engine.\n');
      }
      return failed.length > 0 ? 1 : 0;
    });
  },
};
