/**
 * Handlers that a rule invokes with an EventBridge event. The detail is validated against the
 * catalog schema of its detail-type; a bad request is answered with a `RequestRejected` fact
 * (and nothing written) instead of a failure, so it is neither retried nor dead-lettered.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { type EventDefinition, type Fact, fact } from '../core/events/define-event';
import { RequestRejected } from '../core/events/rejection-events';
import { describeDetailErrors, parseDetail } from '../core/events/validation';
import type { FactPublisher } from '../core/ports';
import { batonHandler, logger } from './baton-handler';

export type BusEvent = EventBridgeEvent<string, unknown>;

export type BusEventOutcome =
  | { status: 'ACCEPTED'; facts: number }
  | { status: 'REJECTED'; errors: { path: string; message: string }[] };

/** Raised when a rule delivers an event the handler was not built for: a routing fault. */
export class UnexpectedEvent extends Error {
  override readonly name = 'UnexpectedEvent';
}

export function busEventHandler<Schema extends z.ZodMiniType>(options: {
  /** The one event this handler accepts. */
  accepts: EventDefinition<Schema>;
  publisher: FactPublisher;
  handle: (detail: z.output<Schema>, event: BusEvent) => Promise<Fact[]>;
}) {
  const definition = options.accepts;
  return batonHandler<BusEvent, BusEventOutcome>(async (event) => {
    if (event['detail-type'] !== definition.detailType) {
      throw new UnexpectedEvent(`expected ${definition.detailType}, received ${event['detail-type']}`);
    }
    const parsed = parseDetail(definition, event.detail);
    if (!parsed.ok) {
      logger.warn('request rejected', { eventId: event.id, errors: describeDetailErrors(parsed.errors) });
      await options.publisher.publish([
        fact(RequestRejected, {
          eventId: event.id,
          detailType: event['detail-type'],
          source: event.source,
          errors: parsed.errors,
        }),
      ]);
      return { status: 'REJECTED', errors: parsed.errors };
    }
    const facts = await options.handle(parsed.value, event);
    await options.publisher.publish(facts);
    return { status: 'ACCEPTED', facts: facts.length };
  });
}
