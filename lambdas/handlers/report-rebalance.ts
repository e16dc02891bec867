/** Last task of `rebalance-workloads`: counts the moves' outcomes and announces `WorkloadsRebalanced`. */
import * as z from 'zod/mini';
import { wirePublisher } from '../adapters/runtime-wiring';
import { moveOutcome, workloadPlan } from '../core/workloads/rebalance-schemas';
import { reportRebalance } from '../core/workloads/rebalance-workloads';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { publisher } = wirePublisher();

export const handler = workflowTaskHandler({
  // The workflow's state: the plan, and once applied the outcomes of its waves.
  input: z.extend(workloadPlan, { results: z.optional(z.array(z.array(moveOutcome))) }),
  handle: async ({ results, ...plan }) => {
    const { fact, ...report } = reportRebalance(plan, results);
    await publisher.publish([fact]);
    return report;
  },
});
