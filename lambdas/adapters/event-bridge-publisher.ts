/**
 * Announces facts on Baton's bus. PutEvents may refuse some entries of a call and accept the
 * rest: only the refused ones are sent again, a few times with jittered backoff, so a fact that
 * went through is never announced twice by this publisher. What still could not go through is
 * named in `FactPublishFailed`, which the workflows retry and the bus redelivers.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { FactPublishFailed } from '../core/errors';
import { BATON_SOURCE } from '../core/events/define-event';
import { entrySize, MAX_ENTRIES_PER_PUT, MAX_PUT_EVENTS_BYTES } from '../core/events/put-events-limits';
import type { Fact, FactPublisher } from '../core/ports';

/** Tries per fact; between them a full-jitter pause of up to 50 ms, 100 ms, 200 ms. */
const MAX_TRIES = 4;
const FIRST_BACKOFF_MS = 50;
/** Entry errors that no retry can mend: the entry itself is wrong. */
const PERMANENT_ENTRY_ERRORS = new Set([
  'InvalidArgument',
  'MalformedDetail',
  'NotAuthorizedForSourceException',
  'ResourceNotFoundException',
  'AccessDeniedException',
]);

interface Unpublished {
  readonly fact: Fact;
  readonly reason: string;
  readonly permanent: boolean;
  readonly cause?: unknown;
}

export class EventBridgePublisher implements FactPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
    private readonly pause: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async publish(facts: readonly Fact[]): Promise<void> {
    let pending = [...facts];
    let given: Unpublished[] = [];
    for (let tries = 1; ; tries++) {
      const refused: Unpublished[] = [];
      for (const batch of this.batches(pending)) refused.push(...(await this.put(batch)));
      given = [...given, ...refused.filter((failure) => failure.permanent)];
      const retryable = refused.filter((failure) => !failure.permanent);
      if (retryable.length === 0 || tries >= MAX_TRIES) {
        const unpublished = [...given, ...retryable];
        if (unpublished.length > 0) throw unpublishedError(unpublished, facts);
        return;
      }
      pending = retryable.map((failure) => failure.fact);
      await this.pause(Math.random() * FIRST_BACKOFF_MS * 2 ** (tries - 1));
    }
  }

  /** Sends one batch; the facts it did not announce, and why. */
  private async put(batch: readonly Fact[]): Promise<Unpublished[]> {
    let response: PutEventsCommandOutput;
    try {
      response = await this.client.send(new PutEventsCommand({ Entries: batch.map((f) => this.entry(f)) }));
    } catch (error) {
      // The whole call failed (the SDK has retried what it could): nothing of it was accepted.
      const name = (error as Error).name;
      return batch.map((fact) => ({
        fact,
        reason: `${name}: ${(error as Error).message}`,
        permanent: name === 'ValidationException',
        cause: error,
      }));
    }
    return batch.flatMap((fact, index) => {
      const result = response.Entries?.[index];
      if (!result?.ErrorCode) return [];
      return [
        {
          fact,
          reason: `${result.ErrorCode}: ${result.ErrorMessage ?? ''}`.trim(),
          permanent: PERMANENT_ENTRY_ERRORS.has(result.ErrorCode),
        },
      ];
    });
  }

  private entry(fact: Fact): PutEventsRequestEntry {
    return {
      EventBusName: this.eventBusName,
      Source: BATON_SOURCE,
      DetailType: fact.detailType,
      Detail: JSON.stringify(fact.detail),
    };
  }

  /** Consecutive batches within PutEvents' limits on entries and bytes. */
  private *batches(facts: readonly Fact[]): Generator<Fact[]> {
    let batch: Fact[] = [];
    let bytes = 0;
    for (const fact of facts) {
      const size = entrySize(this.entry(fact));
      if (batch.length === MAX_ENTRIES_PER_PUT || (batch.length > 0 && bytes + size > MAX_PUT_EVENTS_BYTES)) {
        yield batch;
        batch = [];
        bytes = 0;
      }
      batch.push(fact);
      bytes += size;
    }
    if (batch.length > 0) yield batch;
  }
}

function unpublishedError(unpublished: readonly Unpublished[], facts: readonly Fact[]): FactPublishFailed {
  const named = unpublished.map(({ fact, reason }) => `${fact.detailType} ${factKey(fact)} (${reason})`);
  const cause = unpublished.find((failure) => failure.cause !== undefined)?.cause;
  const failed = new Set(unpublished.map((failure) => failure.fact));
  return new FactPublishFailed(
    `${unpublished.length} of ${facts.length} fact(s) not published: ${named.slice(0, 10).join('; ')}${named.length > 10 ? `; and ${named.length - 10} more` : ''}`,
    facts.filter((fact) => !failed.has(fact)),
    cause === undefined ? undefined : { cause },
  );
}

/** The first identifier of a fact's detail (its rollout, allocation, request…), to name it. */
function factKey(fact: Fact): string {
  const detail = (fact.detail ?? {}) as Record<string, unknown>;
  const key = Object.entries(detail).find(
    ([name, value]) => name.endsWith('Id') && typeof value === 'string',
  );
  return key ? `${key[0]} ${String(key[1])}` : '';
}
