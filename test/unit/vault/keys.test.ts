import { describe, expect, it } from 'vitest';
import { bitbucketTokenKey, normalizeVaultKey, runnerEnvSecretKey, runnerSecretKey } from '../../../src/main/vault/keys.js';
import { VaultError } from '../../../src/main/vault/types.js';

// Made-up runner UUID.
const RUNNER = '{6b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e}';

describe('vault keys', () => {
  it('a runner secret is keyed by its braced UUID in lower case, with or without braces given', () => {
    expect(runnerSecretKey(RUNNER.toUpperCase())).toBe(RUNNER);
    expect(runnerSecretKey(RUNNER.slice(1, -1))).toBe(RUNNER);
  });

  it('a secret extra variable is keyed {uuid}#env:NAME: the UUID lower-cased, the name kept as Docker spells it', () => {
    expect(runnerEnvSecretKey(RUNNER.slice(1, -1).toUpperCase(), 'NPM_TOKEN')).toBe(`${RUNNER}#env:NPM_TOKEN`);
    expect(normalizeVaultKey(` ${RUNNER.toUpperCase()}#env:Api_Key `)).toBe(`${RUNNER}#env:Api_Key`);
    // Two variables differing only in case are two variables in Docker: two entries.
    expect(runnerEnvSecretKey(RUNNER, 'token')).not.toBe(runnerEnvSecretKey(RUNNER, 'TOKEN'));
  });

  it('refuses env keys that are not a runner UUID plus a valid variable name, saying which shapes are accepted', () => {
    for (const bad of [
      `${RUNNER}#env:`,
      `${RUNNER}#env:1TOKEN`,
      `${RUNNER}#env:NPM-TOKEN`,
      `${RUNNER}#env:A B`,
      '{not-a-uuid}#env:NPM_TOKEN',
      `${RUNNER}#var:NPM_TOKEN`,
    ]) {
      const err = (() => {
        try {
          normalizeVaultKey(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, bad).toBeInstanceOf(VaultError);
      expect((err as VaultError).code).toBe('VAULT_CONFIG');
      expect((err as Error).message).toContain('#env:NAME');
    }
  });

  it('keeps the bitbucket token key as before', () => {
    expect(bitbucketTokenKey('My-Team')).toBe('bitbucket:my-team');
  });
});
