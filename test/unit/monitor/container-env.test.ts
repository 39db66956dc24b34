import { describe, expect, it } from 'vitest';
import { containerEnvSettings } from '../../../src/main/monitor/container-env.js';

describe('containerEnvSettings', () => {
  it("reads an IANA TZ as that zone and the container's secret (the last one set wins)", () => {
    const s = containerEnvSettings(['TZ=Asia/Kolkata', 'OAUTH_CLIENT_SECRET=madeUpFirst', 'OAUTH_CLIENT_SECRET=madeUpSecond'], {});
    expect(s).toEqual({ zone: { timeZone: 'Asia/Kolkata' }, shown: 'Asia/Kolkata', secret: 'madeUpSecond' });
  });

  it('without TZ uses the fallback (the app option), else UTC', () => {
    expect(containerEnvSettings(['PATH=/bin'], { utcOffset: '+02:00' })).toEqual({ zone: { utcOffset: '+02:00' }, shown: '+02:00' });
    expect(containerEnvSettings(['PATH=/bin'], { timeZone: 'Europe/Warsaw' })).toEqual({ zone: { timeZone: 'Europe/Warsaw' }, shown: 'Europe/Warsaw' });
    expect(containerEnvSettings(null, {})).toEqual({ zone: {}, shown: 'Z' });
  });

  it('an unknown TZ is read as UTC, and the problem names it and says what to use', () => {
    const s = containerEnvSettings(['TZ=Mars/Olympus_Mons'], { timeZone: 'Europe/Warsaw' });
    expect(s.zone).toEqual({ utcOffset: 'Z' });
    expect(s.shown).toBe('Z');
    expect(s.problem).toMatch(/TZ="Mars\/Olympus_Mons".*IANA name such as Europe\/Warsaw.*read as UTC/);
    expect(s.secret).toBeUndefined();
  });

  it('an empty secret is no secret', () => {
    expect(containerEnvSettings(['OAUTH_CLIENT_SECRET='], {}).secret).toBeUndefined();
  });
});
