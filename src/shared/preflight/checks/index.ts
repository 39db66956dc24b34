import type { PreflightCheck } from '../check.js';
import { arch } from './arch.js';
import { binds } from './binds.js';
import { disk } from './disk.js';
import { engine } from './engine.js';
import { loggingDriver } from './logging-driver.js';
import { memorySteps } from './memory-steps.js';
import { memory } from './memory.js';
import { os } from './os.js';
import { runnerMemory } from './runner-memory.js';
import { sharedWorkingDir } from './shared-working-dir.js';
import { swap } from './swap.js';

/** Every check, in the order `doctor` reports them. Adding a check: a module here and one line. */
export const CHECKS: readonly PreflightCheck[] = [engine, os, arch, memory, memorySteps, runnerMemory, swap, disk, loggingDriver, binds, sharedWorkingDir];
