/**
 * Task of the `release-resources` workflow: returns an allocation's capacity and announces
 * `ResourceReleased`. Releasing twice is harmless; an unknown id is `InvalidRequest`.
 */
import { wireAllocations } from '../adapters/runtime-wiring';
import { releasedFact } from '../core/allocation/allocation-facts';
import { release } from '../core/allocation/release';
import { ResourceReleaseRequested } from '../core/events/allocation-events';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { ledger, publisher } = wireAllocations();

export const handler = workflowTaskHandler({
  input: ResourceReleaseRequested.schema,
  handle: async ({ allocationId }) => {
    const { allocation, released } = await release(ledger, allocationId);
    if (released) await publisher.publish([releasedFact(allocation)]);
    const { tenantId, poolId, amount } = allocation;
    return { status: 'RELEASED', allocationId, tenantId, poolId, amount, alreadyReleased: !released };
  },
});
