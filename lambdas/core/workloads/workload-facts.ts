/** The facts that placement announces. */
import { type Fact, fact } from '../events/define-event';
import { WorkloadPlaced, WorkloadUnschedulable } from '../events/workload-events';
import type { PendingPlacement } from './place-pending-workloads';
import type { Placement } from './place-workloads';

export function placedFact(tenantId: string, { workloadId, resourceId }: Placement): Fact {
  return fact(WorkloadPlaced, { workloadId, tenantId, resourceId });
}

/**
 * `WorkloadUnschedulable` for those of `announce` that stay pending (a workload pending for long
 * is not re-announced at every change).
 */
export function unschedulableFacts(
  tenantId: string,
  placement: PendingPlacement,
  announce: ReadonlySet<string>,
): Fact[] {
  return placement.unschedulable
    .filter(({ workloadId }) => announce.has(workloadId))
    .map(({ workloadId, explanation, reasons }) =>
      fact(WorkloadUnschedulable, { workloadId, tenantId, explanation, reasons: { ...reasons } }),
    );
}

/** The placements a placement round announces (`WorkloadPlaced`): its own, and earlier ones not announced yet. */
export function placementsToAnnounce(placement: PendingPlacement): Placement[] {
  const now = new Set(placement.placed.map((placed) => placed.workloadId));
  return [...placement.placed, ...placement.unannounced.filter((earlier) => !now.has(earlier.workloadId))];
}
