/**
 * Rule on this stage's `rebalance-workloads` executions that ended abnormally (stopped from the
 * console, timed out, failed, or the runtime running them died) → every move the execution left
 * in flight is reverted, as its own RevertMove would have: the room on the target given back, the
 * workload left where it was.
 */
import { wireWorkloads } from '../adapters/runtime-wiring';
import { revertMovesOf } from '../core/workloads/rebalance-workloads';
import { executionEndedHandler } from '../middleware/execution-ended-handler';

// Reverts announce nothing; the publisher answers a status change that does not parse with RequestRejected.
const { workloads, publisher } = wireWorkloads();

export const handler = executionEndedHandler({
  publisher,
  recover: async (ended) => {
    await revertMovesOf(workloads, ended);
  },
});
