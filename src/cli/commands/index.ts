import type { Command } from '../command.js';
import { addCommand } from './add.js';
import { bitbucketCommand } from './bitbucket.js';
import { doctorCommand } from './doctor.js';
import { startCommand, stopCommand, removeCommand } from './lifecycle.js';
import { logsCommand } from './logs.js';
import { parseCommand } from './parse-command.js';
import { serveCommand } from './serve.js';
import { listCommand, statusCommand } from './status.js';
import { stepsCommand } from './steps.js';
import { vaultCommand } from './vault.js';
import { watchCommand } from './watch.js';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Record<string, Command> = {
  'parse-command': parseCommand,
  add: addCommand,
  list: listCommand,
  start: startCommand,
  stop: stopCommand,
  remove: removeCommand,
  logs: logsCommand,
  status: statusCommand,
  steps: stepsCommand,
  watch: watchCommand,
  doctor: doctorCommand,
  bitbucket: bitbucketCommand,
  serve: serveCommand,
  vault: vaultCommand,
};
