/** Rule `WorkloadRemoved` → frees the workload's room, where pending workloads may then be placed. */
import { wireWorkloads } from '../adapters/runtime-wiring';
import { WorkloadRemoved } from '../core/events/workload-events';
import { removeWorkload } from '../core/workloads/workload-requests';
import { busEventHandler } from '../middleware/bus-event-handler';

const { workloads, publisher } = wireWorkloads();

export const handler = busEventHandler({
  accepts: [WorkloadRemoved],
  publisher,
  handle: async ({ tenantId, workloadId }) => {
    await removeWorkload(workloads, publisher, tenantId, workloadId);
    return [];
  },
});
