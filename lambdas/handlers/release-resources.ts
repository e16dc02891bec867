/**
 * Task of the `release-resources` workflow: returns an allocation's capacity and announces
 * `ResourceReleased` (and the utilisation of the pool and quota it gave back to). Releasing twice is harmless (and announces a first release whose fact did
 * not go out); an unknown id is `InvalidRequest`.
 */
import { wireAllocations } from '../adapters/runtime-wiring';
import { announceReleases, release } from '../core/allocation/release';
import { ResourceReleaseRequested } from '../core/events/allocation-events';
import { utilisationAfterChange } from '../metrics/utilisation-metrics';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';
import { recordMeasured } from '../observability/metrics';

const { ledger, publisher } = wireAllocations();

export const handler = workflowTaskHandler({
  input: ResourceReleaseRequested.schema,
  handle: async ({ allocationId }) => {
    const { allocation, released } = await release(ledger, allocationId);
    // Also when released already: a first release whose fact failed to go out is announced now.
    await announceReleases(ledger, publisher, [allocationId]);
    const { tenantId, poolId, amount } = allocation;
    if (released) await recordMeasured(() => utilisationAfterChange(ledger.holders, allocation));
    return { status: 'RELEASED', allocationId, tenantId, poolId, amount, alreadyReleased: !released };
  },
});
