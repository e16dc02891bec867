import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BATON_SOURCE } from '../core/events/define-event';
import type { Fact, FactPublisher } from '../core/ports';

/** PutEvents accepts at most 10 entries per call. */
const MAX_ENTRIES_PER_CALL = 10;

/** Raised when EventBridge refused some entries: the facts were not all announced. */
export class FactPublishFailed extends Error {
  override readonly name = 'FactPublishFailed';
}

export class EventBridgePublisher implements FactPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(facts: readonly Fact[]): Promise<void> {
    for (let start = 0; start < facts.length; start += MAX_ENTRIES_PER_CALL) {
      const batch = facts.slice(start, start + MAX_ENTRIES_PER_CALL);
      const response = await this.client.send(
        new PutEventsCommand({
          Entries: batch.map((fact) => ({
            EventBusName: this.eventBusName,
            Source: BATON_SOURCE,
            DetailType: fact.detailType,
            Detail: JSON.stringify(fact.detail),
          })),
        }),
      );
      if ((response.FailedEntryCount ?? 0) > 0) {
        const reasons = (response.Entries ?? []).filter((entry) => entry.ErrorCode).map((e) => e.ErrorCode);
        throw new FactPublishFailed(
          `${response.FailedEntryCount} fact(s) not published: ${reasons.join(', ')}`,
        );
      }
    }
  }
}
