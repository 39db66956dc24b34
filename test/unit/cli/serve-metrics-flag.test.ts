/** `serve --metrics-listen` refuses what is not HOST:PORT before anything starts, saying what it takes. */
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { parseListen } from '../../../src/main/http-bridge/metrics-server.js';
import { CliCapture } from '../../support/cli-capture.js';

describe('serve --metrics-listen', () => {
  it.each(['9464', 'localhost', '127.0.0.1:99999', 'http://127.0.0.1:9464', ':9464'])('refuses %j', async (value) => {
    const cap = new CliCapture();
    const code = await main(['serve', '--metrics-listen', value], cap.io({ PATH: process.env.PATH, RUNNER_TRAY_HOME: '/nonexistent/rt' }));
    expect(code).toBe(2);
    expect(cap.err).toMatch(/--metrics-listen takes HOST:PORT, like 127\.0\.0\.1:9464, 0\.0\.0\.0:9464 or \[::1\]:9464/);
    expect(cap.out).toBe('');
  });

  it('reads IPv4, names and bracketed IPv6 addresses', () => {
    expect(parseListen('0.0.0.0:9464')).toEqual({ host: '0.0.0.0', port: 9464 });
    expect(parseListen('metrics.internal:0')).toEqual({ host: 'metrics.internal', port: 0 });
    expect(parseListen('[::1]:9464')).toEqual({ host: '::1', port: 9464 });
    expect(parseListen('::1:9464')).toBeNull();
  });
});
