/** The facts that placement announces. */
import { type Fact, fact } from '../events/define-event';
import { WorkloadPlaced, WorkloadUnschedulable } from '../events/workload-events';
import type { PendingPlacement } from './place-pending-workloads';

/**
 * `WorkloadPlaced` for every placement, and `WorkloadUnschedulable` for those of `announce` that
 * stay pending (a workload pending for long is not re-announced at every change).
 */
export function placementFacts(
  tenantId: string,
  placement: PendingPlacement,
  announce: ReadonlySet<string>,
): Fact[] {
  return [
    ...placement.placed.map(({ workloadId, resourceId }) =>
      fact(WorkloadPlaced, { workloadId, tenantId, resourceId }),
    ),
    ...placement.unschedulable
      .filter(({ workloadId }) => announce.has(workloadId))
      .map(({ workloadId, explanation, reasons }) =>
        fact(WorkloadUnschedulable, { workloadId, tenantId, explanation, reasons: { ...reasons } }),
      ),
  ];
}
