/** The facts that placement announces, and announcing them. */
import { publishNoting } from '../announcements';
import { type Fact, fact } from '../events/define-event';
import { WorkloadPlaced, WorkloadUnschedulable } from '../events/workload-events';
import type { FactPublisher } from '../ports';
import type { PendingPlacement } from './place-pending-workloads';
import type { Placement } from './place-workloads';
import type { WorkloadLedger } from './workload-ledger';

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

/**
 * Publishes a placement round's facts, then notes each placement announced. A placement whose
 * fact did not go out is given back to the next round (or the retry) to announce.
 */
export async function announcePlacement(
  ledger: WorkloadLedger,
  publisher: FactPublisher,
  tenantId: string,
  placement: PendingPlacement,
  announceUnschedulable: ReadonlySet<string>,
): Promise<void> {
  const announcing = placementsToAnnounce(placement);
  const placed = announcing.map((subject) => ({ fact: placedFact(tenantId, subject), subject }));
  const explained = unschedulableFacts(tenantId, placement, announceUnschedulable).map((fact) => ({
    fact,
    subject: undefined,
  }));
  try {
    await publishNoting(publisher, [...placed, ...explained], async (subject) => {
      if (subject) {
        await ledger.markPlacementAnnounced(
          tenantId,
          subject.workloadId,
          subject.resourceId,
          placement.announcer,
        );
      }
    });
  } catch (error) {
    // Those noted announced are no longer this announcer's to give back.
    for (const { workloadId } of announcing) {
      await ledger
        .releasePlacementAnnouncement(tenantId, workloadId, placement.announcer)
        .catch(() => undefined);
    }
    throw error;
  }
}
