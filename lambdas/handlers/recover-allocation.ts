/**
 * Rule on this stage's `allocate-resources` executions that ended abnormally (stopped from the
 * console, timed out, failed, or the runtime running them died) → what the execution left of its
 * request is undone: a claim with no outcome is given up, a callback provisioning left waiting is
 * cancelled and its reservation returned (and announced) — only if it is the execution that
 * decides the request.
 */
import { randomUUID } from 'node:crypto';
import { wireAllocations } from '../adapters/runtime-wiring';
import { recoverRequest } from '../core/allocation/recover-request';
import { announceReleases } from '../core/allocation/release';
import { executionInputField } from '../core/execution-input';
import { executionEndedHandler } from '../middleware/execution-ended-handler';

const { ledger, publisher } = wireAllocations();

export const handler = executionEndedHandler({
  publisher,
  recover: async (ended) => {
    const requestId = executionInputField(ended.input, 'requestId');
    if (!requestId) return;
    const claimId = `recovery-${randomUUID()}`;
    const returned = await recoverRequest(ledger, requestId, ended.executionArn, claimId, new Date());
    await announceReleases(ledger, publisher, returned);
  },
});
