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
import { attributes, identifier, positiveAmounts } from '../core/events/primitives';
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
    // The provisioner's answer, as sent with SendTaskSuccess; attributes are optional.
    provisioned: z._default(z.object({ attributes: z._default(attributes, {}) }), { attributes: {} }),
  }),
  z.object({ action: z.literal('cancel'), allocation: allocated }),
]);

export const handler = workflowTaskHandler({
  input: finishing,
  handle: async (input) => {
    if (input.action === 'cancel') {
      if (await cancelProvisioning(ledger, input.allocation)) {
        await publisher.publish([releasedFact(input.allocation)]);
      }
      return { status: 'PROVISIONING_FAILED', allocationId: input.allocation.allocationId };
    }
    const { attributes } = input.provisioned;
    const outcome = await confirmProvisioning(ledger, input.allocation, attributes, new Date());
    const { allocationId, requestId, tenantId, poolId, amount, expiresAt } = outcome;
    await publisher.publish([
      fact(ResourceAllocated, {
        allocationId,
        requestId,
        tenantId,
        poolId,
        amount,
        expiresAt,
        attributes,
      }),
    ]);
    return { ...outcome, attributes };
  },
});
