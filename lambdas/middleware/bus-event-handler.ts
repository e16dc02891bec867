/**
 * Handlers that a rule invokes with an EventBridge event. The detail is validated against the
 * catalog schema of its detail-type; a bad request — malformed, or refused by the domain with
 * `InvalidRequest` — is answered with a `RequestRejected` fact (and nothing written) instead of
 * a failure, so it is neither retried nor dead-lettered.
 */
import type { EventBridgeEvent } from 'aws-lambda';
import type * as z from 'zod/mini';
import { InvalidRequest, UnexpectedEvent } from '../core/errors';
import { type EventDefinition, type Fact, fact } from '../core/events/define-event';
import { RequestRejected } from '../core/events/rejection-events';
import { describeDetailErrors, parseDetail } from '../core/events/validation';
import type { FactPublisher } from '../core/ports';
import { logger } from '../observability/logger';
import { batonHandler } from './baton-handler';

export type BusEvent = EventBridgeEvent<string, unknown>;

export type BusEventOutcome =
  | { status: 'ACCEPTED'; facts: number }
  | { status: 'REJECTED'; errors: { path: string; message: string }[] };

type Detail<Definitions extends readonly EventDefinition[]> = z.output<Definitions[number]['schema']>;

export function busEventHandler<Definitions extends readonly EventDefinition[]>(options: {
  /** The events this handler accepts (one rule's detail-types). */
  accepts: Definitions;
  publisher: FactPublisher;
  handle: (detail: Detail<Definitions>, event: BusEvent) => Promise<Fact[]>;
}) {
  const definitions = new Map(options.accepts.map((definition) => [definition.detailType, definition]));
  return batonHandler<BusEvent, BusEventOutcome>(async (event) => {
    const definition = definitions.get(event['detail-type']);
    if (!definition) {
      throw new UnexpectedEvent(
        `expected ${[...definitions.keys()].join(' or ')}, received ${event['detail-type']}`,
      );
    }
    const parsed = parseDetail(definition, event.detail);
    if (!parsed.ok) return reject(event, parsed.errors);
    let facts: Fact[];
    try {
      facts = await options.handle(parsed.value as Detail<Definitions>, event);
    } catch (error) {
      if (!(error instanceof InvalidRequest)) throw error;
      return reject(event, [asDetailError(error)]);
    }
    await options.publisher.publish(facts);
    return { status: 'ACCEPTED', facts: facts.length };
  });

  async function reject(
    event: BusEvent,
    errors: { path: string; message: string }[],
  ): Promise<BusEventOutcome> {
    logger.warn('request rejected', { eventId: event.id, errors: describeDetailErrors(errors) });
    await options.publisher.publish([
      fact(RequestRejected, {
        eventId: event.id,
        detailType: event['detail-type'],
        source: event.source,
        errors,
      }),
    ]);
    return { status: 'REJECTED', errors };
  }
}

/** `InvalidRequest` messages read `path: what to fix`, like the validation errors. */
function asDetailError(error: InvalidRequest): { path: string; message: string } {
  const separator = error.message.indexOf(': ');
  return separator < 0
    ? { path: '', message: error.message }
    : { path: error.message.slice(0, separator), message: error.message.slice(separator + 2) };
}
