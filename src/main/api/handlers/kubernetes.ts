/**
 * `kubernetes.*`: a runner moved to a cluster and back from the dashboard and the tray, through the
 * same RunnerPlacements the CLI's `k8s apply|delete|export` use. What leaves here holds no
 * kubeconfig credential, and the runner's secret only in `kubernetes.reveal`'s answer, which the
 * host must allow (the desktop window does; `runner-tray serve` only with --allow-reveal: its token
 * may be held on other machines, and operating runners should not mean reading their secrets).
 */
import type { ValidRequestOf } from '../../../shared/contract/channels.js';
import type { ObjectOptions } from '../../kubernetes/runner-placement.js';
import { KubernetesError } from '../../kubernetes/errors.js';
import { previewYaml, revealedYaml } from '../../kubernetes/manifest-preview.js';
import { ApiError } from '../contract-errors.js';
import type { HandlerDeps, HandlersOf } from './types.js';

type Target = ValidRequestOf<'kubernetes.preview'>;

function objectOptions(req: Target): ObjectOptions & { context?: string } {
  return {
    ...(req.context !== undefined ? { context: req.context } : {}),
    ...(req.namespace !== undefined ? { namespace: req.namespace } : {}),
    ...(req.kind !== undefined ? { kind: req.kind } : {}),
    ...(req.size !== undefined ? { size: req.size } : {}),
    ...(req.imagePullPolicy !== undefined ? { imagePullPolicy: req.imagePullPolicy } : {}),
  };
}

function revealHint(runnerUuid: string): string {
  return `This dashboard does not send runner secrets to the page (runner-tray serve was started without --allow-reveal). On the host, run: runner-tray k8s export ${runnerUuid} --out -`;
}

export function kubernetesHandlers(deps: HandlerDeps): HandlersOf<'kubernetes'> {
  const k8s = deps.kubernetes;
  const view = async (uuid: string) => deps.toRunnerView(await deps.runners.status(uuid));

  return {
    async 'kubernetes.contexts'() {
      try {
        return { contexts: k8s.contexts() };
      } catch (e) {
        // No kubeconfig is a state to show in the dialog (with the fix), not a failed request.
        if (e instanceof KubernetesError && e.code === 'K8S_NO_KUBECONFIG') return { contexts: [], problem: e.message };
        throw e;
      }
    },

    async 'kubernetes.preview'(req) {
      const planned = await k8s.export(req.runnerUuid, objectOptions(req));
      const m = planned.manifests;
      const uuid = planned.record.spec.runnerUuid;
      const { yaml, maskedKeys } = previewYaml(m, uuid);
      const context = req.context ?? safeCurrentContext(deps);
      return {
        runnerUuid: uuid,
        yaml,
        factsFrom: planned.factsFrom,
        context,
        namespace: m.namespace.metadata.name,
        kind: m.workload.kind === 'Job' ? 'job' : 'deployment',
        dind: { image: planned.dind.image, reason: planned.dind.reason },
        notes: m.notes,
        maskedKeys,
        revealable: deps.revealSecrets,
        ...(deps.revealSecrets ? {} : { revealHint: revealHint(uuid) }),
      };
    },

    async 'kubernetes.reveal'(req) {
      if (!deps.revealSecrets) throw new ApiError('CONFLICT', revealHint(req.runnerUuid));
      const planned = await k8s.export(req.runnerUuid, objectOptions(req));
      return { runnerUuid: planned.record.spec.runnerUuid, yaml: revealedYaml(planned.manifests, planned.record.spec.runnerUuid) };
    },

    async 'kubernetes.move'(req) {
      const r = await k8s.apply(req.runnerUuid, { ...objectOptions(req), force: req.force });
      const uuid = r.record.spec.runnerUuid;
      // The cluster watch follows it from now, not from its next settings read.
      await deps.syncPlaced?.();
      deps.events.runnerChanged(uuid);
      return {
        runner: await view(uuid),
        cluster: r.cluster,
        namespace: r.placement.namespace,
        namespaceCreated: r.namespace === 'created',
        localRemoved: r.local === 'removed',
        dind: { image: r.dind.image, reason: r.dind.reason },
        notes: r.manifests.notes,
      };
    },

    async 'kubernetes.bringBack'({ runnerUuid, force }) {
      const before = await view(runnerUuid);
      if (!force && before.runnerState === 'BUSY') {
        throw new ApiError(
          'STEP_RUNNING',
          `Runner ${before.uuid} is running a step on the cluster; deleting its pod now fails that step. Wait until it is idle, or confirm to bring it back anyway.`,
        );
      }
      await k8s.delete(runnerUuid);
      await deps.syncPlaced?.();
      deps.events.runnerChanged(before.uuid);
      const started = await deps.lifecycle.start(before.uuid);
      const now = await view(before.uuid);
      return started.pendingRestart ? { ...now, pendingRestart: true, ...(started.notice ? { notice: started.notice } : {}) } : now;
    },
  };
}

/** The kubeconfig's current context, for the preview's heading; null when it cannot be read. */
function safeCurrentContext(deps: HandlerDeps): string | null {
  try {
    return deps.kubernetes.contexts().find((c) => c.current)?.name ?? null;
  } catch {
    return null;
  }
}
