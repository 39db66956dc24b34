/**
 * `runner-tray pool add|list|show|edit|remove`: runner pools. The rules live in
 * main/pools (pool-settings.ts, remove-pool.ts) and the controllers (`ctx.pools()`); this reads
 * flags, names them in errors and prints.
 */
import type { AppContext } from '../../main/app-context.js';
import { addPool, editPool, PoolError, type PoolField, type PoolInput, type PoolSettingsDeps } from '../../main/pools/pool-settings.js';
import { removePool } from '../../main/pools/remove-pool.js';
import { poolViewFromConfig } from '../../main/pools/pool-view.js';
import { parseDuration } from '../../shared/pools/duration.js';
import type { Command, ParsedArgs } from '../command.js';
import { withContext } from '../context.js';
import { CliError, errorCode } from '../errors.js';
import type { CliIo } from '../io.js';
import { describePool, poolTable, showPool } from './pool-format.js';

const FLAGS =
  '[--workspace W] [--repository SLUG] [--label L]… [--min N] [--max N] [--idle K] [--cool-down 5m] [--start-timeout 3m] ' +
  '[--on docker|kubernetes] [--namespace NS] [--context C] [--image-pull-policy Always|IfNotPresent|Never] [--size 1x|2x|4x|8x] [--work-dir DIR]';
const USAGE = `pool add NAME --max N ${FLAGS} | pool list | pool show NAME | pool edit NAME ${FLAGS} | pool remove NAME [--force] (each with --json)`;

const FLAG_OF: Record<PoolField, string> = {
  name: 'the pool name',
  workspace: '--workspace',
  repository: '--repository',
  labels: '--label',
  min: '--min',
  max: '--max',
  idle: '--idle',
  coolDown: '--cool-down',
  startTimeout: '--start-timeout',
  on: '--on',
  size: '--size',
  workDir: '--work-dir',
  namespace: '--namespace',
  context: '--context',
  imagePullPolicy: '--image-pull-policy',
};

function str(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === 'string' ? v : undefined;
}

function usage(message: string): CliError {
  return new CliError('USAGE', `${message} Usage: runner-tray ${USAGE}`, 2);
}

function wholeNumber(args: ParsedArgs, flag: string): number | undefined {
  const v = str(args, flag);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v.trim())) throw new CliError('POOL_INVALID', `--${flag} takes a whole number of runners, like --${flag} 2; got "${v.slice(0, 40)}".`, 2);
  return Number(v);
}

function duration(args: ParsedArgs, flag: string): number | undefined {
  const v = str(args, flag);
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === null) throw new CliError('POOL_INVALID', `--${flag} takes a duration like 30s, 5m, 1h or 1h30m; got "${v.slice(0, 40)}".`, 2);
  return ms;
}

function oneOf<T extends string>(args: ParsedArgs, flag: string, allowed: readonly T[]): T | undefined {
  const v = str(args, flag);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new CliError('POOL_INVALID', `--${flag} is one of ${allowed.join(', ')}; got "${v.slice(0, 40)}".`, 2);
  return v as T;
}

/** The flags given, as the pool rules take them ("" clears --repository, --work-dir, --context and, once, --label). */
export function poolInputFromFlags(args: ParsedArgs): PoolInput {
  const input: PoolInput = {};
  const set = <K extends keyof PoolInput>(k: K, v: PoolInput[K] | undefined) => {
    if (v !== undefined) input[k] = v;
  };
  set('workspace', str(args, 'workspace'));
  const clearable = (flag: string) => {
    const v = str(args, flag);
    return v === undefined ? undefined : v.trim() === '' ? null : v.trim();
  };
  set('repository', clearable('repository'));
  const labels = args.values.label as string[] | undefined;
  if (labels !== undefined) input.labels = labels.flatMap((l) => l.split(',')).map((l) => l.trim());
  set('min', wholeNumber(args, 'min'));
  set('max', wholeNumber(args, 'max'));
  set('idle', wholeNumber(args, 'idle'));
  set('coolDownMs', duration(args, 'cool-down'));
  set('startTimeoutMs', duration(args, 'start-timeout'));
  set('on', oneOf(args, 'on', ['docker', 'kubernetes'] as const));
  set('size', oneOf(args, 'size', ['1x', '2x', '4x', '8x'] as const));
  set('workDir', clearable('work-dir'));
  set('namespace', str(args, 'namespace')?.trim());
  set('context', clearable('context'));
  // "" goes back to the default (Always), as "" clears --context.
  const pull = clearable('image-pull-policy');
  set(
    'imagePullPolicy',
    pull === null ? null : pull === undefined ? undefined : oneOf(args, 'image-pull-policy', ['Always', 'IfNotPresent', 'Never'] as const),
  );
  return input;
}

function settingsDeps(ctx: AppContext): PoolSettingsDeps {
  const settings = ctx.settings();
  return { pools: settings.pools(), runners: settings.runners(), connectedWorkspace: () => settings.get().bitbucket?.workspace };
}

/** A pool rule's refusal, with each field under its flag. */
function withFlags(e: unknown): unknown {
  if (e instanceof PoolError && e.code === 'POOL_INVALID')
    return new CliError(
      'POOL_INVALID',
      e.describe((f) => FLAG_OF[f]),
      2,
    );
  if (errorCode(e) === 'STEP_RUNNING')
    return new CliError('STEP_RUNNING', `${(e as Error).message.replace(/ confirm to go ahead\.$/, '')} Use --force to go ahead.`, 1);
  return e;
}

function nameArg(args: ParsedArgs, sub: string): string {
  const name = args.positionals[0];
  if (!name) throw usage(`pool ${sub} needs the pool's name, like: runner-tray pool ${sub} ci.`);
  return name;
}

async function runAdd(args: ParsedArgs, io: CliIo): Promise<number> {
  const name = nameArg(args, 'add');
  const input = poolInputFromFlags(args);
  if (input.max === undefined) throw usage('pool add needs --max N: the most runners the pool may run at once (1 to 100).');
  const pool = await withContext(io, async (ctx) => addPool(settingsDeps(ctx), name, input));
  if (args.values.json) io.out(JSON.stringify(poolViewFromConfig(pool)) + '\n');
  else io.out(`Added pool ${describePool(pool)}\nserve, watch or the desktop app runs it; see it with: runner-tray pool show ${pool.name}\n`);
  return 0;
}

async function runEdit(args: ParsedArgs, io: CliIo): Promise<number> {
  const name = nameArg(args, 'edit');
  const input = poolInputFromFlags(args);
  if (Object.keys(input).length === 0) throw usage(`pool edit ${name} needs at least one flag to change, like --max 4.`);
  const pool = await withContext(io, async (ctx) => editPool(settingsDeps(ctx), name, input));
  if (args.values.json) io.out(JSON.stringify(poolViewFromConfig(pool)) + '\n');
  else io.out(`Changed pool ${describePool(pool)}\n`);
  return 0;
}

async function runList(args: ParsedArgs, io: CliIo): Promise<number> {
  const { views, runnerCounts } = await withContext(io, async (ctx) => {
    const counts = new Map<string, number>();
    for (const r of ctx.settings().runners().list()) if (r.pool) counts.set(r.pool, (counts.get(r.pool) ?? 0) + 1);
    return { views: (await ctx.pools()).views(), runnerCounts: counts };
  });
  if (args.values.json) {
    io.out(JSON.stringify(views) + '\n');
    return 0;
  }
  if (views.length === 0) {
    io.out('No pools yet. Add one with: runner-tray pool add ci --max 4 [--label L]… (the workspace defaults to the connected one)\n');
    return 0;
  }
  io.out(poolTable(views, runnerCounts));
  return 0;
}

async function runShow(args: ParsedArgs, io: CliIo): Promise<number> {
  const name = nameArg(args, 'show');
  const view = await withContext(io, async (ctx) => {
    if (!ctx.settings().pools().get(name)) throw new CliError('POOL_NOT_FOUND', notFoundMessage(ctx, name));
    return (await ctx.pools()).inspect(name);
  });
  io.out(args.values.json ? JSON.stringify(view) + '\n' : showPool(view));
  return 0;
}

function notFoundMessage(ctx: AppContext, name: string): string {
  const known = ctx
    .settings()
    .pools()
    .list()
    .map((p) => p.name);
  return `No pool named ${name}. ${known.length > 0 ? `Pools: ${known.join(', ')}.` : 'There is none yet: add one with "runner-tray pool add NAME --max N".'}`;
}

async function runRemove(args: ParsedArgs, io: CliIo): Promise<number> {
  const name = nameArg(args, 'remove');
  const force = Boolean(args.values.force);
  const removed = await withContext(io, async (ctx) => {
    const controllers = await ctx.pools();
    const pools = ctx.settings().pools();
    const hasRunners = (n: string) =>
      ctx
        .settings()
        .runners()
        .list()
        .some((r) => r.pool === n);
    return removePool({ pools, controllers, observe: (n) => controllers.inspect(n), hasRunners }, name, { force });
  });
  if (args.values.json) {
    io.out(JSON.stringify({ ...removed, removed: true }) + '\n');
    return 0;
  }
  const plural = (n: number) => `${n} runner${n === 1 ? '' : 's'}`;
  io.out(
    `Removed pool ${name}: retired ${plural(removed.retired)}` +
      (removed.waitingForSteps > 0
        ? `; ${plural(removed.waitingForSteps)} running a step ${removed.waitingForSteps === 1 ? 'goes' : 'go'} once the step ends.\n`
        : '.\n'),
  );
  return 0;
}

const SUBCOMMANDS: Record<string, (args: ParsedArgs, io: CliIo) => Promise<number>> = {
  add: runAdd,
  list: runList,
  show: runShow,
  edit: runEdit,
  remove: runRemove,
};

export const poolCommand: Command = {
  usage: USAGE,
  summary:
    'Runner pools: runners this app creates in Bitbucket and retires itself, sized to the steps waiting (min..max, plus --idle ready ones; idle ones go after the cool-down, never mid-step). serve, watch and the desktop app run them.',
  options: {
    workspace: { type: 'string' },
    repository: { type: 'string' },
    label: { type: 'string', multiple: true },
    min: { type: 'string' },
    max: { type: 'string' },
    idle: { type: 'string' },
    'cool-down': { type: 'string' },
    'start-timeout': { type: 'string' },
    on: { type: 'string' },
    namespace: { type: 'string' },
    context: { type: 'string' },
    'image-pull-policy': { type: 'string' },
    size: { type: 'string' },
    'work-dir': { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  maxPositionals: 2,
  async run(args, io) {
    const [sub, ...rest] = args.positionals;
    const run = sub === undefined ? undefined : SUBCOMMANDS[sub];
    if (!run) throw usage(`pool needs add, list, show, edit or remove${sub ? `, not "${sub.slice(0, 40)}"` : ''}.`);
    if (sub === 'list' && rest.length > 0)
      throw usage(`pool list takes no name (got "${rest[0]!.slice(0, 40)}"); see one pool with: runner-tray pool show NAME.`);
    return run({ values: args.values, positionals: rest }, io).catch((e: unknown) => {
      throw withFlags(e);
    });
  },
};
