/**
 * Rule on the requests that start workflows → `RequestRejected` when one breaks its schema. The
 * workflow given the same detail fails with `InvalidRequest`; this tells the system that sent the
 * event, which cannot see the execution, what to fix.
 */
import { wirePublisher } from '../adapters/runtime-wiring';
import { ResourceAllocationRequested, ResourceReleaseRequested } from '../core/events/allocation-events';
import { type EventDefinition, fact } from '../core/events/define-event';
import { RequestRejected } from '../core/events/rejection-events';
import { parseDetail } from '../core/events/validation';
import { batonHandler } from '../middleware/baton-handler';
import { type BusEvent, UnexpectedEvent } from '../middleware/bus-event-handler';

const { publisher } = wirePublisher();
/** The requests routed to workflows; function-routed requests are checked by their own handler. */
const workflowRequests: EventDefinition[] = [ResourceAllocationRequested, ResourceReleaseRequested];

export const handler = batonHandler<BusEvent, { valid: boolean }>(async (event) => {
  const definition = workflowRequests.find((request) => request.detailType === event['detail-type']);
  if (!definition) throw new UnexpectedEvent(`no schema for ${event['detail-type']} here`);
  const parsed = parseDetail(definition, event.detail);
  if (parsed.ok) return { valid: true };
  await publisher.publish([
    fact(RequestRejected, {
      eventId: event.id,
      detailType: event['detail-type'],
      source: event.source,
      errors: parsed.errors,
    }),
  ]);
  return { valid: false };
});
