import { always, type PreflightCheck } from '../check.js';
import { atLeast, formatEngineVersion, majorMinor } from '../thresholds.js';

/** The engine answers, and is new enough for the runner. */
export const engine: PreflightCheck = {
  id: 'engine',
  applicable: always,
  check(facts, limits) {
    const id = 'engine';
    if (!facts.engineReachable) {
      return [
        {
          id,
          status: 'fail',
          message: `The Docker engine is not reachable: ${facts.engineError}`,
          fix: 'Start Docker (sudo systemctl start docker, or open Docker Desktop), or point DOCKER_HOST / the Docker context at a running engine.',
        },
      ];
    }
    const required = `${formatEngineVersion(limits.minEngine)} or newer`;
    const v = majorMinor(facts.serverVersion);
    if (v === null) {
      return [{ id, status: 'warn', message: `Docker engine version "${facts.serverVersion}" could not be read; ${required} is required.` }];
    }
    if (!atLeast(v, limits.minEngine)) {
      return [
        {
          id,
          status: 'fail',
          message: `Docker engine ${facts.serverVersion} is too old: runners need ${required}.`,
          fix: 'Upgrade Docker Engine (https://docs.docker.com/engine/install/).',
        },
      ];
    }
    return [{ id, status: 'ok', message: `Docker engine ${facts.serverVersion} is reachable (${required} is required).` }];
  },
};
