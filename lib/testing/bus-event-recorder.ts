/**
 * The events a test's Baton has put on its bus, for `nextEvent`: kept from the start, so that a
 * test may ask for an event after the call that caused it without a race.
 */
import type { BusEvent } from '../embedded/event-bus';
import type { EventMatcher } from '../embedded/event-pattern/event-pattern';

/** Events kept (the oldest go first): far more than a test produces, bounded all the same. */
const KEPT_EVENTS = 10_000;

/** No event matched the pattern in time (the message lists the detail-types that were seen). */
export class EventNotSeen extends Error {
  override readonly name = 'EventNotSeen';
}

/** The test's Baton stopped while a `nextEvent` was still waiting. */
export class BatonStopped extends Error {
  override readonly name = 'BatonStopped';
}

interface Waiter {
  readonly matches: EventMatcher;
  readonly settle: (outcome: BusEvent | Error) => void;
}

export class BusEventRecorder {
  private readonly events: BusEvent[] = [];
  private readonly waiters = new Set<Waiter>();

  add(event: BusEvent): void {
    this.events.push(event);
    if (this.events.length > KEPT_EVENTS) this.events.shift();
    for (const waiter of this.waiters) if (waiter.matches(event)) waiter.settle(event);
  }

  next(matches: EventMatcher, timeoutMs: number): Promise<BusEvent> {
    const seen = this.events.find((event) => matches(event));
    if (seen) return Promise.resolve(seen);
    const { promise, resolve, reject } = Promise.withResolvers<BusEvent>();
    const waiter: Waiter = {
      matches,
      settle: (outcome) => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      },
    };
    const timer = setTimeout(() => {
      const types = [...new Set(this.events.map((event) => event['detail-type']))];
      waiter.settle(
        new EventNotSeen(
          `no event matched the pattern within ${timeoutMs} ms; detail-types seen: ${types.join(', ') || '(none)'}`,
        ),
      );
    }, timeoutMs);
    this.waiters.add(waiter);
    return promise;
  }

  /** Rejects whatever still waits. */
  close(): void {
    for (const waiter of [...this.waiters])
      waiter.settle(new BatonStopped('the test Baton stopped before the event came'));
  }
}
