/**
 * Task of the `allocate-resources` workflow: a validated request (else `InvalidRequest`) → the
 * allocation saga → `ResourceAllocated` or `ResourceAllocationRejected`. A duplicate delivery
 * returns the first outcome and announces nothing again.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as pause } from 'node:timers/promises';
import { wireAllocations } from '../adapters/runtime-wiring';
import { allocate } from '../core/allocation/allocate';
import { outcomeFacts } from '../core/allocation/allocation-facts';
import { ResourceAllocationRequested } from '../core/events/allocation-events';
import { workflowTaskHandler } from '../middleware/workflow-task-handler';

const { ledger, publisher } = wireAllocations();
const dependencies = {
  ledger,
  now: () => new Date(),
  newAllocationId: () => `alloc-${randomUUID()}`,
  pause: (ms: number) => pause(ms),
};

export const handler = workflowTaskHandler({
  input: ResourceAllocationRequested.schema,
  handle: async (request) => {
    const { outcome, decided } = await allocate(dependencies, request);
    if (decided) await publisher.publish(outcomeFacts(outcome));
    return outcome;
  },
});
