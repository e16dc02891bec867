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
    if ('allocationId' in detail) {
      const { allocationId, tenantId, poolId, amount } = detail;
      return event['detail-type'] === ResourceAllocated.detailType
        ? addResource(workloads, { tenantId, resourceId: allocationId, poolId, capacity: amount })
        : evacuateResource(workloads, tenantId, allocationId);
    }
    return placeAfterPoolChange(workloads);
  },
});
