/**
 * Task of `allocate-resources` after a callback provisioner answered: `confirm` makes the
 * allocation ACTIVE and announces `ResourceAllocated` (with the provisioner's attributes);
 * `cancel` returns the reservation and announces `ResourceReleased`.
 */
import * as z from 'zod/mini';
import { wireAllocations } from '../adapters/runtime-wiring';
import { releasedFact } from '../core/allocation/allocation-facts';
import { cancelProvisioning, confirmProvisioning } from '../core/allocation/provisioning';
import { ResourceAllocated } from '../core/events/allocation-events';
import { fact } from '../core/events/define-event';
import { identifier, positiveAmounts } from '../core/events/primitives';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { ledger, publisher } = wireAllocations();

const allocated = z.object({
  status: z.literal('ALLOCATED'),
  allocationId: identifier,
  requestId: identifier,
  tenantId: identifier,
  poolId: identifier,
  kind: identifier,
  amount: positiveAmounts,
  expiresAt: z.optional(z.string()),
  provisioning: z.boolean(),
});

const finishing = z.union([
  z.object({
    action: z.literal('confirm'),
    allocation: allocated,
    attributes: z._default(z.record(z.string(), z.unknown()), {}),
  }),
  z.object({ action: z.literal('cancel'), allocation: allocated }),
]);

export const handler = workflowTaskHandler({
  input: finishing,
  handle: async (input) => {
    if (input.action === 'cancel') {
      const released = await cancelProvisioning(ledger, input.allocation.allocationId);
      await publisher.publish([releasedFact(released)]);
      return { status: 'RELEASED', allocationId: released.allocationId };
    }
    const outcome = await confirmProvisioning(ledger, input.allocation, input.attributes);
    const { allocationId, requestId, tenantId, poolId, amount, expiresAt } = outcome;
    await publisher.publish([
      fact(ResourceAllocated, {
        allocationId,
        requestId,
        tenantId,
        poolId,
        amount,
        expiresAt,
        attributes: input.attributes,
      }),
    ]);
    return { ...outcome, attributes: input.attributes };
  },
});
