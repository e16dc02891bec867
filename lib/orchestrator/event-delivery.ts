import { Duration } from 'aws-cdk-lib';

/** How hard EventBridge tries to deliver to a target before the event goes to its dead-letter queue. */
export interface EventDelivery {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
}

/**
 * Retries with backoff for about an hour ride out throttling and a short outage; an event still
 * undelivered by then needs an operator, so it waits in the dead-letter queue rather than being
 * retried for EventBridge's default 24 hours.
 */
export const DEFAULT_EVENT_DELIVERY: EventDelivery = { retryAttempts: 8, maxEventAge: Duration.hours(1) };
