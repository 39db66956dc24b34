import { describe, expect, it } from 'vitest';
import { oneLine } from '../../../src/cli/main.js';

describe('CLI errors on one line', () => {
  it('joins a multi-line service message with "; ", keeping every detail, and a heading ending in ":" with a space', () => {
    const engine =
      'No Docker engine answered. Looked at:\n' +
      '  - unix:///run/user/1000/docker.sock (DOCKER_HOST): no such socket\n' +
      '  - docker context "colima": context not found\n' +
      'Start that engine, or unset DOCKER_HOST.';
    expect(oneLine(engine)).toBe(
      'No Docker engine answered. Looked at: unix:///run/user/1000/docker.sock (DOCKER_HOST): no such socket; ' +
        'docker context "colima": context not found; Start that engine, or unset DOCKER_HOST.',
    );
  });

  it('leaves a one-line message as it is and drops blank lines', () => {
    expect(oneLine('No runner matches "x"; see runner-tray list.')).toBe('No runner matches "x"; see runner-tray list.');
    expect(oneLine('first\r\n\r\nsecond\n')).toBe('first; second');
  });
});
