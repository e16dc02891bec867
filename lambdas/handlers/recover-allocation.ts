/**
 * Rule on `allocate-resources` executions that ended abnormally (stopped from the console, timed
 * out) → a callback provisioning left waiting is cancelled and its reservation returned, so no
 * capacity stays RESERVED for a provisioning that nothing will answer.
 */
import type * as z from 'zod/mini';
import { wireAllocations } from '../adapters/runtime-wiring';
import { abandonProvisioning } from '../core/allocation/provisioning';
import { announceReleases } from '../core/allocation/release';
import { StepFunctionsExecutionStatusChange } from '../core/events/execution-events';
import { executionInputField } from '../core/execution-input';
import { busEventHandler } from '../middleware/bus-event-handler';

const { ledger, publisher } = wireAllocations();

export const handler = busEventHandler({
  accepts: [StepFunctionsExecutionStatusChange],
  publisher,
  handle: async (detail: z.output<typeof StepFunctionsExecutionStatusChange.schema>) => {
    const requestId = executionInputField(detail.input, 'requestId');
    if (!requestId) return [];
    const returned = await abandonProvisioning(ledger, requestId, new Date());
    if (returned) await announceReleases(ledger, publisher, [returned]);
    return [];
  },
});
