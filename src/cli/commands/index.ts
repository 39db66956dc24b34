import type { Command } from '../command.js';
import { addCommand } from './add.js';
import { startCommand, stopCommand, removeCommand } from './lifecycle.js';
import { logsCommand } from './logs.js';
import { parseCommand } from './parse-command.js';
import { listCommand, statusCommand } from './status.js';

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
};
