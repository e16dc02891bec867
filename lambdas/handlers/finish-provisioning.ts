/**
 * Task of `allocate-resources` after a callback provisioner answered: `confirm` makes the
 * allocation ACTIVE and announces `ResourceAllocated` (with the provisioner's attributes);
 * `cancel` returns the capacity — the reservation, or the allocation whose confirmation could not
 * finish — and announces `ResourceReleased` (on a retry too, if the first did not).
 */
import * as z from 'zod/mini';
import { wireAllocations } from '../adapters/runtime-wiring';
import { allocatedFact } from '../core/allocation/allocation-facts';
import { allocatedOutcome } from '../core/allocation/allocation-outcome';
import { announceOutcome } from '../core/allocation/announce-outcome';
import { cancelProvisioning, confirmProvisioning } from '../core/allocation/provisioning';
import { announceReleases } from '../core/allocation/release';
import { attributes } from '../core/events/primitives';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { ledger, publisher } = wireAllocations();

const finishing = z.union([
  z.object({
    action: z.literal('confirm'),
    allocation: allocatedOutcome,
    // The provisioner's answer, as sent with SendTaskSuccess; attributes are optional.
    provisioned: z._default(z.object({ attributes: z._default(attributes, {}) }), { attributes: {} }),
  }),
  z.object({ action: z.literal('cancel'), allocation: allocatedOutcome }),
]);

export const handler = workflowTaskHandler({
  input: finishing,
  handle: async (input) => {
    if (input.action === 'cancel') {
      await cancelProvisioning(ledger, input.allocation);
      await announceReleases(ledger, publisher, [input.allocation.allocationId]);
      return { status: 'PROVISIONING_FAILED', allocationId: input.allocation.allocationId };
    }
    const { attributes } = input.provisioned;
    const { outcome, announced } = await confirmProvisioning(
      ledger,
      input.allocation,
      attributes,
      new Date(),
    );
    if (!announced)
      await announceOutcome(ledger.claims, publisher, outcome.requestId, [
        allocatedFact(outcome, attributes),
      ]);
    return { ...outcome, attributes };
  },
});
