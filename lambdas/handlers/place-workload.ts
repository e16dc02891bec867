/** Rule `WorkloadSubmitted` → places the workload at once → `WorkloadPlaced` or `WorkloadUnschedulable`. */
import { wireWorkloads } from '../adapters/runtime-wiring';
import { WorkloadSubmitted } from '../core/events/workload-events';
import { submitWorkload } from '../core/workloads/workload-requests';
import { busEventHandler } from '../middleware/bus-event-handler';

const { workloads, publisher } = wireWorkloads();

export const handler = busEventHandler({
  accepts: [WorkloadSubmitted],
  publisher,
  // Placements announce themselves, each noted once its fact is out.
  handle: async (submission) => {
    await submitWorkload(workloads, publisher, submission, new Date());
    return [];
  },
});
