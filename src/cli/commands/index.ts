import type { Command } from '../command.js';
import { addCommand } from './add.js';
import { bitbucketCommand } from './bitbucket.js';
import { createCommand } from './create.js';
import { doctorCommand } from './doctor.js';
import { k8sCommand } from './k8s.js';
import { importCommand } from './import.js';
import { startCommand, stopCommand, removeCommand } from './lifecycle.js';
import { logsCommand } from './logs.js';
import { parseCommand } from './parse-command.js';
import { poolCommand } from './pool.js';
import { serveCommand } from './serve.js';
import { listCommand, statusCommand } from './status.js';
import { stepsCommand } from './steps.js';
import { vaultCommand } from './vault.js';
import { watchCommand } from './watch.js';

/** Every CLI command, in the order `--help` lists them. */
export const commands: Record<string, Command> = {
  'parse-command': parseCommand,
  add: addCommand,
  create: createCommand,
  list: listCommand,
  start: startCommand,
  stop: stopCommand,
  remove: removeCommand,
  import: importCommand,
  logs: logsCommand,
  status: statusCommand,
  steps: stepsCommand,
  watch: watchCommand,
  doctor: doctorCommand,
  bitbucket: bitbucketCommand,
  k8s: k8sCommand,
  pool: poolCommand,
  serve: serveCommand,
  vault: vaultCommand,
};
