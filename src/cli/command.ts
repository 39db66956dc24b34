import type { ParseArgsConfig } from 'node:util';
import type { CliIo } from './io.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

export interface Command {
  /** e.g. `start <runner> [--adopt|--replace]` */
  usage: string;
  summary: string;
  options: OptionSpec;
  /** Largest number of positionals accepted. */
  maxPositionals: number;
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}
