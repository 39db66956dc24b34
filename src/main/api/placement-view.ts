/**
 * Where a runner runs, on its view: the placement settings record (`k8s apply`, the dashboard's
 * "Move to cluster…"). The pod's state is the cluster watch's to add; a view that already carries
 * a placement (with its pod) is left as it is.
 */
import type { RunnerView } from '../../shared/contract/views.js';
import type { RunnerPlacement } from '../settings/types.js';

export function withPlacement(view: RunnerView, placement: RunnerPlacement | undefined): RunnerView {
  if (!placement || view.placement) return view;
  const { type, context, server, namespace, workload, appliedAt } = placement;
  return { ...view, placement: { type, context, server, namespace, workload, appliedAt, pod: null, problem: null } };
}
