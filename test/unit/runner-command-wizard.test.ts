/** The wizard command built for a runner created through the API parses into the spec the pasted wizard command gives. */
import { describe, expect, it } from 'vitest';
import { parseRunnerCommand, wizardRunnerCommand } from '../../src/shared/runner-command/index.js';
import { Secret } from '../../src/shared/secret.js';
import { IDS, paste } from '../support/pastes.js';

function parsed(text: string) {
  const p = parseRunnerCommand(text);
  if (!p.ok) throw new Error(`${p.error.code}: ${p.error.message}`);
  return p;
}

describe('wizardRunnerCommand', () => {
  const base = { accountUuid: IDS.account, runnerUuid: IDS.runner, oauthClientId: IDS.clientId, oauthClientSecret: new Secret(IDS.secret) };

  it.each([
    ['repository', IDS.repository, 'wizard-oneline-repository.txt'],
    ['workspace', null, 'wizard-oneline-workspace.txt'],
  ])('gives a %s runner the spec and secret of the pasted wizard command, without warnings', (_kind, repositoryUuid, fixture) => {
    const built = parsed(wizardRunnerCommand({ ...base, repositoryUuid }).reveal());
    const pasted = parsed(paste(fixture));
    expect(built.spec).toEqual(pasted.spec);
    expect(built.secret.reveal()).toBe(IDS.secret);
    expect(built.warnings).toEqual([]);
  });

  it('keeps the command text behind a Secret', () => {
    const cmd = wizardRunnerCommand({ ...base, repositoryUuid: null });
    expect(String(cmd)).not.toContain(IDS.secret);
    expect(JSON.stringify({ cmd })).not.toContain(IDS.secret);
  });
});
