/**
 * Rule on this stage's `rebalance-workloads` executions that ended abnormally (stopped from the
 * console, timed out, failed, or the runtime running them died) → every move the execution left
 * in flight is reverted, as its own RevertMove would have: the room on the target given back, the
 * workload left where it was. Only once Step Functions confirms the execution has ended.
 */
import type * as z from 'zod/mini';
import { wireExecutions, wireWorkloads } from '../adapters/runtime-wiring';
import { StepFunctionsExecutionStatusChange } from '../core/events/execution-events';
import { endedExecution } from '../core/recovery/executions';
import { endedMoveReason } from '../core/recovery/recover';
import { revertMovesOf } from '../core/workloads/rebalance-workloads';
import { busEventHandler } from '../middleware/bus-event-handler';

// The publisher answers a status change that does not parse with RequestRejected; reverts announce nothing.
const { workloads, publisher } = wireWorkloads();
const { executions } = wireExecutions();

export const handler = busEventHandler({
  accepts: [StepFunctionsExecutionStatusChange],
  publisher,
  handle: async (detail: z.output<typeof StepFunctionsExecutionStatusChange.schema>) => {
    const ended = await endedExecution(executions, detail.executionArn);
    // An execution that does not exist has no moves to revert: the event was not about a real one.
    if (!ended || ended.ending === 'NOT_FOUND') return [];
    await revertMovesOf(workloads, ended.executionArn, endedMoveReason(ended));
    return [];
  },
});
