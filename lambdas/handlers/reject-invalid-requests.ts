/**
 * Rule on the requests that start workflows → `RequestRejected` when one breaks its schema. The
 * workflow given the same detail fails with `InvalidRequest`; this tells the system that sent the
 * event, which cannot see the execution, what to fix. A valid request needs nothing more here.
 */
import { wirePublisher } from '../adapters/runtime-wiring';
import { ResourceAllocationRequested, ResourceReleaseRequested } from '../core/events/allocation-events';
import { ServiceRolloutRequested } from '../core/events/rollout-events';
import { WorkloadRebalanceRequested } from '../core/events/workload-events';
import { busEventHandler } from '../middleware/bus-event-handler';

const { publisher } = wirePublisher();

export const handler = busEventHandler({
  accepts: [
    ResourceAllocationRequested,
    ResourceReleaseRequested,
    WorkloadRebalanceRequested,
    ServiceRolloutRequested,
  ],
  publisher,
  handle: async () => [],
});
