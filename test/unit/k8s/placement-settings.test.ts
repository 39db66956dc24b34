import { describe, expect, it } from 'vitest';
import { validateSettings } from '../../../src/main/settings/schema.js';

const RUNNER = '{0b3c2f1e-3333-4a2b-9c3d-000000000003}';
const record = (placement: unknown) => ({
  version: 1,
  runners: [
    {
      spec: {
        kind: 'workspace',
        accountUuid: '{0b3c2f1e-1111-4a2b-9c3d-000000000001}',
        repositoryUuid: null,
        runnerUuid: RUNNER,
        name: 'runner-0b3c2f1e-3333-4a2b-9c3d-000000000003',
        image: 'docker-public.packages.atlassian.com/sox/atlassian/bitbucket-pipelines-runner:1',
        oauthClientId: 'Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56',
        workingDirectory: '/tmp',
        env: {},
        binds: [],
        args: [],
      },
      displayName: 'r',
      addedAt: '2026-12-01T10:00:00.000Z',
      ...(placement === undefined ? {} : { placement }),
    },
  ],
});

describe('runner placement in settings', () => {
  const placement = {
    type: 'kubernetes',
    context: 'prod',
    server: 'https://10.0.0.1:6443',
    namespace: 'bitbucket-runner',
    workload: 'deployment',
    appliedAt: '2026-12-01T10:00:00.000Z',
  };

  it('is optional, and kept when valid', () => {
    expect(validateSettings(record(undefined)).runners[0]?.placement).toBeUndefined();
    expect(validateSettings(record(placement)).runners[0]?.placement).toEqual(placement);
  });

  it('refuses a bad namespace, an unknown workload and extra fields (a token cannot hide there)', () => {
    expect(() => validateSettings(record({ ...placement, namespace: 'Bad_NS' }))).toThrow(/placement\.namespace: must be a Kubernetes namespace name/);
    expect(() => validateSettings(record({ ...placement, workload: 'pod' }))).toThrow(/placement\.workload/);
    expect(() => validateSettings(record({ ...placement, token: 'x' }))).toThrow(/looks like a secret/);
    expect(() => validateSettings(record({ ...placement, kubeconfig: '/x' }))).toThrow(/Unrecognized key/);
  });
});
