/**
 * Rule on resource facts → keeps workloads where capacity is: a new allocation becomes a resource
 * that pending workloads may use; a released or expired one is evacuated; a pool change may give
 * pending workloads room.
 */
import { wireWorkloads } from '../adapters/runtime-wiring';
import { ResourceAllocated, ResourceLeaseExpired, ResourceReleased } from '../core/events/allocation-events';
import { ResourcePoolUpdated } from '../core/events/inventory-events';
import { addResource, evacuateResource, placeAfterPoolChange } from '../core/workloads/workload-requests';
import { busEventHandler } from '../middleware/bus-event-handler';

const { workloads, publisher } = wireWorkloads();

export const handler = busEventHandler({
  accepts: [ResourceAllocated, ResourceReleased, ResourceLeaseExpired, ResourcePoolUpdated],
  publisher,
  handle: async (detail, event) => {
    if (!('allocationId' in detail)) await placeAfterPoolChange(workloads, publisher);
    else if (event['detail-type'] === ResourceAllocated.detailType) {
      const { allocationId, tenantId, poolId, amount } = detail;
      await addResource(workloads, publisher, {
        tenantId,
        resourceId: allocationId,
        poolId,
        capacity: amount,
      });
    } else await evacuateResource(workloads, publisher, detail.tenantId, detail.allocationId);
    // Placements announce themselves, each noted once its fact is out.
    return [];
  },
});
