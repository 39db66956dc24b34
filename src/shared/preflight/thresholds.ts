import type { StepSize } from './types.js';

/*
 * Thresholds, from Atlassian's Linux Docker runner requirements (Docker engine, Linux kernel,
 * a 64-bit host's memory, the runner container's memory, the memory of each step size). Disk
 * limits are ours: images, caches and clones of a few steps need several GiB. Every message
 * that names a limit formats it from here, so a limit is written once.
 */
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** `[major, minor]`. */
export type Version = readonly [number, number];

export const MIN_ENGINE: Version = [19, 3];
export const MIN_KERNEL: Version = [4, 0];
/** From this engine version on, any logging driver can be read back (dual logging). */
export const DUAL_LOGGING_ENGINE: Version = [20, 10];
export const MIN_HOST_MEMORY = 8 * GiB;
export const MIN_RUNNER_MEMORY = 512 * MiB;
export const STEP_MEMORY: Readonly<Record<StepSize, number>> = { '1x': 4 * GiB, '2x': 8 * GiB, '4x': 16 * GiB, '8x': 32 * GiB };
export const DISK_FAIL_BELOW = 2 * GiB;
export const DISK_WARN_BELOW = 10 * GiB;
/** At or below this, swap barely changes how a step's memory limit behaves. */
export const MAX_SWAPPINESS = 1;

export interface Thresholds {
  minEngine: Version;
  minKernel: Version;
  dualLoggingEngine: Version;
  minHostMemory: number;
  minRunnerMemory: number;
  stepMemory: Readonly<Record<StepSize, number>>;
  diskFailBelow: number;
  diskWarnBelow: number;
  maxSwappiness: number;
}

export const THRESHOLDS: Thresholds = {
  minEngine: MIN_ENGINE,
  minKernel: MIN_KERNEL,
  dualLoggingEngine: DUAL_LOGGING_ENGINE,
  minHostMemory: MIN_HOST_MEMORY,
  minRunnerMemory: MIN_RUNNER_MEMORY,
  stepMemory: STEP_MEMORY,
  diskFailBelow: DISK_FAIL_BELOW,
  diskWarnBelow: DISK_WARN_BELOW,
  maxSwappiness: MAX_SWAPPINESS,
};

/** A measured amount: `1.0 GiB`, `300 MiB`. */
export function formatBytes(n: number): string {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`;
  return `${Math.round(n / MiB)} MiB`;
}

/** A limit, as people write it: `8 GiB`, `512 MiB`, `1.5 GiB`. */
export function formatLimit(n: number): string {
  if (n >= GiB) return `${Number((n / GiB).toFixed(2))} GiB`;
  return `${Number((n / MiB).toFixed(2))} MiB`;
}

/** Docker's year.month versions (up to 20.10) keep two digits for the month: `19.03`; from 23.0 on they are semver. */
export function formatEngineVersion(v: Version): string {
  return v[0] >= 23 ? `${v[0]}.${v[1]}` : `${v[0]}.${String(v[1]).padStart(2, '0')}`;
}

/** Kernel versions as written: `4.0`, `5.15`. */
export function formatKernelVersion(v: Version): string {
  return `${v[0]}.${v[1]}`;
}

/** `20.10.24+dfsg1` → [20, 10]; `6.1.0-18-amd64` → [6, 1]; null when there is no number. */
export function majorMinor(version: string | undefined): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(version ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export const atLeast = (v: Version, min: Version): boolean => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);
