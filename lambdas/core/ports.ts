/**
 * The small interfaces the domain needs from the outside world. Adapters in `lambdas/adapters`
 * implement them with the AWS SDK; tests may wrap them (e.g. to inject faults).
 */
import type { EventDetail, EventName } from './events/catalog';

/** A fact Baton announces on its bus (`source: "baton"`). */
export interface Fact<Name extends EventName = EventName> {
  readonly name: Name;
  readonly detail: EventDetail<Name>;
}

export interface FactPublisher {
  publish(facts: readonly Fact[]): Promise<void>;
}
