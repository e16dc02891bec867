/**
 * The EventBridge JSON 1.1 API (`AWSEvents.*`): PutEvents on the local bus and TestEventPattern
 * answered by the same matcher the bus routes with.
 */

import { AwsError, memberTooLong, validationError } from './aws-error';
import type { JsonService } from './aws-json-server';
import type { LocalEventBus } from './event-bus';
import {
  InvalidEventPatternError,
  matchesEventPattern,
  parseEventPattern,
} from './event-pattern/event-pattern';

/** EventBridge checks that a test event carries the fields every event has. */
const REQUIRED_EVENT_FIELDS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];
/** TestEventPattern's `EventPattern`, and a rule's, is at most 4 096 characters (API reference). */
const MAX_EVENT_PATTERN_LENGTH = 4096;

export function eventBridgeApi(bus: LocalEventBus): JsonService {
  return {
    targetPrefix: 'AWSEvents',
    contentType: 'application/x-amz-json-1.1',
    operations: {
      PutEvents: (input, caller) => bus.putEvents(input.Entries, caller),
      TestEventPattern: (input) => {
        if (typeof input.EventPattern !== 'string') throw validationError('EventPattern is required');
        if (input.EventPattern.length > MAX_EVENT_PATTERN_LENGTH)
          throw memberTooLong('eventPattern', MAX_EVENT_PATTERN_LENGTH);
        if (typeof input.Event !== 'string') throw validationError('Event is required');
        let pattern: ReturnType<typeof parseEventPattern>;
        try {
          pattern = parseEventPattern(input.EventPattern);
        } catch (error) {
          if (error instanceof InvalidEventPatternError)
            throw new AwsError('InvalidEventPatternException', error.message);
          throw error;
        }
        return { Result: matchesEventPattern(pattern, parseTestEvent(input.Event)) };
      },
    },
  };
}

function parseTestEvent(text: string): Record<string, unknown> {
  let event: unknown;
  try {
    event = JSON.parse(text);
  } catch {
    throw validationError('Parameter Event is not valid: not JSON.');
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw validationError('Parameter Event is not valid: not a JSON object.');
  }
  const missing = REQUIRED_EVENT_FIELDS.filter((field) => !(field in event));
  if (missing.length > 0)
    throw validationError(`Parameter Event is not valid: missing ${missing.join(', ')}.`);
  return event as Record<string, unknown>;
}
