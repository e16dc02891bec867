/** Last task of `rebalance-workloads`: counts the moves' outcomes and announces `WorkloadsRebalanced`. */
import * as z from 'zod/mini';
import { wirePublisher } from '../adapters/runtime-wiring';
import { moveOutcome, workloadPlan } from '../core/workloads/rebalance-schemas';
import { reportRebalance } from '../core/workloads/rebalance-workloads';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { publisher } = wirePublisher();

export const handler = workflowTaskHandler({
  input: z.object({ plan: workloadPlan, results: z.optional(z.array(z.array(moveOutcome))) }),
  handle: async ({ plan, results }) => {
    const { fact, ...report } = reportRebalance(plan, results);
    await publisher.publish([fact]);
    return report;
  },
});
