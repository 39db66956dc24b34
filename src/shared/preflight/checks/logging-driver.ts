import type { PreflightCheck } from '../check.js';
import { atLeast, formatEngineVersion, majorMinor } from '../thresholds.js';

/** Drivers the engine can always read back, so runner logs can be followed on any engine version. */
const READABLE = new Set(['json-file', 'local', 'journald']);

/** The app follows runner logs through the engine, which needs a driver it can read back. */
export const loggingDriver: PreflightCheck = {
  id: 'logging-driver',
  applicable: (facts) => facts.loggingDriver !== undefined,
  check(facts, limits) {
    const id = 'logging-driver';
    const driver = facts.loggingDriver!;
    const v = majorMinor(facts.serverVersion);
    const dual = formatEngineVersion(limits.dualLoggingEngine);
    if (driver === 'none') {
      return [
        {
          id,
          status: 'fail',
          message: 'The engine\'s logging driver is "none": runner logs cannot be read, so steps and failures cannot be shown.',
          fix: 'Set "log-driver": "json-file" (or "local") in /etc/docker/daemon.json and restart Docker, or give the runner containers their own log driver.',
        },
      ];
    }
    if (READABLE.has(driver) || (v !== null && atLeast(v, limits.dualLoggingEngine))) {
      return [{ id, status: 'ok', message: `Logging driver "${driver}": runner logs can be followed.` }];
    }
    return [
      {
        id,
        status: 'fail',
        message: `Logging driver "${driver}" cannot be read back before Docker ${dual}, so steps and failures cannot be shown.`,
        fix: `Use the json-file or local driver for runner containers, or upgrade Docker to ${dual} or newer (dual logging).`,
      },
    ];
  },
};
