/** The dashboard's manifest preview: every secret value masked (the client id is not one), revealed only on purpose; K8S errors reach the UI as contract codes. */
import { describe, expect, it } from 'vitest';
import { toContractError } from '../../../src/main/api/contract-errors.js';
import { KubernetesError } from '../../../src/main/kubernetes/errors.js';
import { MASK, previewYaml, revealedYaml } from '../../../src/main/kubernetes/manifest-preview.js';
import { chooseDind, runnerManifests } from '../../../src/shared/k8s/index.js';
import { parseRunnerCommand } from '../../../src/shared/runner-command/index.js';
import { paste } from '../../support/pastes.js';

function manifests(file: string) {
  const r = parseRunnerCommand(paste(file));
  if (!r.ok) throw new Error(r.error.message);
  const dind = chooseDind({ nodes: [{ name: 'n1', containerRuntimeVersion: 'docker://20.10.7' }] });
  const m = runnerManifests(r.spec, { secret: r.secret, extra: r.extraSecrets }, { dind, nativeSidecar: false, extraSecretNames: Object.keys(r.extraSecrets) });
  return { m, uuid: r.spec.runnerUuid, clientId: r.spec.oauthClientId, secrets: [r.secret.reveal(), ...Object.values(r.extraSecrets).map((s) => s.reveal())] };
}

describe('manifest preview', () => {
  it('masks the OAuth secret and every extra secret value, keeps the client id, and reveals them only when asked', () => {
    const { m, uuid, clientId, secrets } = manifests('extra-secrets.txt');
    expect(secrets.length).toBeGreaterThan(1);
    const { yaml, maskedKeys } = previewYaml(m, uuid);
    for (const s of secrets) expect(yaml.includes(s)).toBe(false);
    expect(maskedKeys).toEqual(Object.keys(m.secret!.stringData).filter((k) => k !== 'oauthClientId'));
    expect(yaml).toContain(`oauthClientSecret: ${MASK}`);
    expect(yaml).toContain(`oauthClientId: ${clientId}`);
    // The objects built are left as they were: the masked copy is a copy.
    expect(m.secret!.stringData.oauthClientSecret === secrets[0]).toBe(true);
    const revealed = revealedYaml(m, uuid);
    for (const s of secrets) expect(revealed.includes(s)).toBe(true);
  });

  it('K8S errors become contract codes with their words; a busy runner asks, Docker away does not', () => {
    const cases: Array<[ConstructorParameters<typeof KubernetesError>[0], string]> = [
      ['K8S_UNREACHABLE', 'KUBERNETES_UNAVAILABLE'],
      ['K8S_FORBIDDEN', 'KUBERNETES_UNAVAILABLE'],
      ['K8S_NO_KUBECONFIG', 'KUBERNETES_UNAVAILABLE'],
      ['K8S_CONFLICT', 'CONFLICT'],
      ['K8S_INVALID', 'INVALID_INPUT'],
      ['K8S_RUNNER_BUSY', 'STEP_RUNNING'],
      ['K8S_LOCAL_UNCHECKED', 'DOCKER_UNAVAILABLE'],
      ['K8S_NOT_PLACED', 'CONFLICT'],
    ];
    for (const [code, contract] of cases)
      expect(toContractError(new KubernetesError(code, `words for ${code}`))).toEqual({ code: contract, message: `words for ${code}` });
  });
});
