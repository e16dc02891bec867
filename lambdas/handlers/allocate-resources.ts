/**
 * Task of the `allocate-resources` workflow: a validated request (else `InvalidRequest`) and the
 * execution deciding it → the allocation saga → `ResourceAllocated` or `ResourceAllocationRejected`,
 * and the utilisation of the pool and quota it took from.
 * A duplicate delivery returns the first outcome and announces nothing again, unless the first
 * never did (see `Allocated.announce`).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import * as z from 'zod/mini';
import { wireAllocations } from '../adapters/runtime-wiring';
import { allocate } from '../core/allocation/allocate';
import { outcomeFacts } from '../core/allocation/allocation-facts';
import { announceOutcome, recordedOutcomeFacts } from '../core/allocation/announce-outcome';
import { InvalidRequest } from '../core/errors';
import { ResourceAllocationRejected, ResourceAllocationRequested } from '../core/events/allocation-events';
import { fact } from '../core/events/define-event';
import { utilisationAfterChange, utilisationOf } from '../metrics/utilisation-metrics';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';
import { recordMeasured, recordMetrics } from '../observability/metrics';

const { ledger, publisher } = wireAllocations();
const dependencies = {
  ledger,
  now: () => new Date(),
  newAllocationId: () => `alloc-${randomUUID()}`,
  newClaimId: () => randomUUID(),
  pause: (ms: number) => pause(ms),
};

export const handler = workflowTaskHandler({
  // The execution deciding the request is noted on its claim, so that only its end undoes it.
  input: z.object({ request: ResourceAllocationRequested.schema, executionId: z.string() }),
  handle: async ({ request, executionId }) => {
    const { outcome, decided, announce, reserved } = await allocate(dependencies, request, executionId).catch(
      async (error: unknown) => {
        // A request the ledger shows to be wrong (an unknown dimension) is refused in public too.
        if (error instanceof InvalidRequest) {
          const { requestId, tenantId } = request;
          await publisher.publish([
            fact(ResourceAllocationRejected, {
              requestId,
              tenantId,
              reason: 'InvalidRequest',
              explanation: error.message,
            }),
          ]);
        }
        throw error;
      },
    );
    if (announce) {
      // A delivery that did not decide reads the allocation as it is now (it may be released since).
      const facts = decided ? outcomeFacts(outcome) : await recordedOutcomeFacts(ledger.records, outcome);
      await announceOutcome(ledger.claims, publisher, request.requestId, facts);
    }
    if (reserved) recordMetrics(utilisationOf(reserved.pool, reserved.quota));
    // Reserved by an earlier try whose answer was lost: read back.
    else if (decided && outcome.status === 'ALLOCATED')
      await recordMeasured(() => utilisationAfterChange(ledger.holders, outcome));
    // A duplicate returns the first delivery's result and must not provision a second time.
    return { ...outcome, duplicate: !decided };
  },
});
