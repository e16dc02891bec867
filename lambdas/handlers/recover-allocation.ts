/**
 * Rule on this stage's `allocate-resources` executions that ended abnormally (stopped from the
 * console, timed out, failed, or the runtime running them died) → what the execution left of its
 * request is undone: a claim with no outcome is given up, a callback provisioning left waiting is
 * cancelled and its reservation returned. Only once Step Functions confirms the execution has
 * ended, and only if it is the execution that decides the request.
 */
import { randomUUID } from 'node:crypto';
import type * as z from 'zod/mini';
import { wireAllocations, wireExecutions } from '../adapters/runtime-wiring';
import { StepFunctionsExecutionStatusChange } from '../core/events/execution-events';
import { executionInputField } from '../core/execution-input';
import { endedExecution } from '../core/recovery/executions';
import { recoverAllocationRequest } from '../core/recovery/recover';
import { busEventHandler } from '../middleware/bus-event-handler';

const { ledger, publisher } = wireAllocations();
const { executions } = wireExecutions();

export const handler = busEventHandler({
  accepts: [StepFunctionsExecutionStatusChange],
  publisher,
  handle: async (detail: z.output<typeof StepFunctionsExecutionStatusChange.schema>) => {
    // Step Functions' word, not the event's: a forged or replayed event changes nothing, and an
    // input too big for the event is read here.
    const ended = await endedExecution(executions, detail.executionArn);
    const requestId = executionInputField(ended?.input, 'requestId');
    if (!ended || !requestId) return [];
    return recoverAllocationRequest(ledger, requestId, ended, `recovery-${randomUUID()}`, new Date());
  },
});
