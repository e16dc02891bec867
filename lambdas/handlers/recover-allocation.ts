/**
 * Rule on this stage's `allocate-resources` executions that ended abnormally (stopped from the
 * console, timed out, failed, or the runtime running them died) → what the execution left of its
 * request is undone and announced: a claim with no outcome is given up (`RequestAbandoned`), a
 * callback provisioning left waiting is cancelled and its reservation returned — only if it is
 * the execution that decides the request.
 */
import { randomUUID } from 'node:crypto';
import { wireAllocations } from '../adapters/runtime-wiring';
import { recoverRequest } from '../core/allocation/recover-request';
import { executionInputField } from '../core/execution-input';
import { executionEndedHandler } from '../middleware/execution-ended-handler';

const { ledger, publisher } = wireAllocations();

export const handler = executionEndedHandler({
  publisher,
  recover: async (ended) => {
    const requestId = executionInputField(ended.input, 'requestId');
    if (!requestId) return;
    await recoverRequest(ledger, publisher, requestId, ended, `recovery-${randomUUID()}`, new Date());
  },
});
