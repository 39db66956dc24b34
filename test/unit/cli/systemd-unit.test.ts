/** The systemd user unit `serve --print-systemd-unit` prints: no ordering on the system manager's docker.service. */
import { describe, expect, it } from 'vitest';
import { systemdUnit } from '../../../src/cli/commands/serve.js';

describe('serve --print-systemd-unit', () => {
  it('does not claim After=docker.service (it cannot work across managers) and says why none is needed', () => {
    const unit = systemdUnit(7391, '/usr/bin/node', '/opt/runner-tray/dist/cli/bin.js');
    const directives = unit.split('\n').filter((l) => !l.startsWith('#'));
    expect(directives.filter((l) => l.startsWith('After='))).toEqual(['After=network-online.target']);
    expect(directives.join('\n')).not.toContain('docker.service');
    expect(unit).toContain('# No After=docker.service: a user unit cannot be ordered after the system manager');
    expect(unit).toMatch(/serve comes up without Docker/);
    expect(directives).toContain('ExecStart=/usr/bin/node /opt/runner-tray/dist/cli/bin.js serve --port 7391');
  });
});
