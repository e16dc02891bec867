/**
 * First task of `rebalance-workloads`: validates the request and plans the moves, in waves no
 * wider than the disruption budget. A dry run ends with this plan.
 */
import { wireWorkloads } from '../adapters/runtime-wiring';
import { WorkloadRebalanceRequested } from '../core/events/workload-events';
import { planWorkloadRebalance } from '../core/workloads/rebalance-workloads';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { workloads } = wireWorkloads();

export const handler = workflowTaskHandler({
  input: WorkloadRebalanceRequested.schema,
  handle: (request) => planWorkloadRebalance(workloads, request, new Date()),
});
