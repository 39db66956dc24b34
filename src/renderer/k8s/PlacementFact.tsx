/** "Runs on": this machine, or a cluster's context and namespace with its pod's state when known. */
import { useTranslation } from 'react-i18next';
import type { PlacementView } from '../../shared/contract/index.js';

export function PlacementFact({ placement }: { placement: PlacementView | undefined }) {
  const { t } = useTranslation();
  return (
    <div className="placement-fact">
      <dt>{t('k8s.runsOn')}</dt>
      <dd>{placement ? <ClusterPlace placement={placement} /> : t('k8s.thisMachine')}</dd>
    </div>
  );
}

function ClusterPlace({ placement }: { placement: PlacementView }) {
  const { t } = useTranslation();
  const pod = placement.pod;
  return (
    <>
      <span>{t('k8s.onCluster', { context: placement.context, namespace: placement.namespace })}</span>
      {pod ? (
        <span className="pod-state">
          {[
            t('k8s.pod', { phase: pod.phase }),
            pod.ready ? t('k8s.podReady') : t('k8s.podNotReady'),
            pod.restarts > 0 ? t('k8s.restarts', { count: pod.restarts }) : null,
            pod.node ? t('k8s.node', { node: pod.node }) : null,
            pod.lastTermination ? t('k8s.lastTermination', { reason: pod.lastTermination }) : null,
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
      ) : (
        !placement.problem && <span className="pod-state">{t('k8s.noPodShown')}</span>
      )}
      {placement.problem && <span className="error-text">{t('k8s.problem', { problem: placement.problem })}</span>}
    </>
  );
}
