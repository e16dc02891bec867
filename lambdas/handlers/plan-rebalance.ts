/**
 * First task of `rebalance-workloads`: validates the request and plans the moves, in waves no
 * wider than the disruption budget. A dry run ends with this plan.
 */
import * as z from 'zod/mini';
import { wireWorkloads } from '../adapters/runtime-wiring';
import { WorkloadRebalanceRequested } from '../core/events/workload-events';
import { planWorkloadRebalance } from '../core/workloads/rebalance-workloads';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { workloads } = wireWorkloads();

export const handler = workflowTaskHandler({
  // The execution applying the plan is noted on every move, so that its abnormal end reverts them.
  input: z.object({ request: WorkloadRebalanceRequested.schema, executionId: z.string() }),
  handle: ({ request, executionId }) => planWorkloadRebalance(workloads, request, executionId, new Date()),
});
