/**
 * What the console reads from a request — query parameters, parts of its path, a JSON body, an
 * event pattern — each checked, a bad one refused with a named 4xx (`ConsoleRequestError`).
 */
import type { IncomingMessage } from 'node:http';
import {
  compileEventPattern,
  InvalidEventPatternError,
  parseEventPattern,
} from '../embedded/event-pattern/event-pattern';
import type { ConsoleEvent, RebalanceAsk } from './console-api';
import { ConsoleRequestError } from './console-request-error';

/** An event pattern, as EventBridge bounds a rule's (TestEventPattern: 4 096 characters). */
const MAX_PATTERN_LENGTH = 4096;
const MAX_BODY_BYTES = 64 * 1024;
const EXECUTION_STATUSES = new Set([
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
]);

/** A pattern from the query, compiled with the bus's own matcher; none accepts everything. */
export function patternMatcher(json: string | null): ((event: ConsoleEvent) => boolean) | undefined {
  if (!json) return undefined;
  if (json.length > MAX_PATTERN_LENGTH)
    throw new ConsoleRequestError(
      400,
      'InvalidPattern',
      `a pattern is at most ${MAX_PATTERN_LENGTH} characters`,
    );
  try {
    return compileEventPattern(parseEventPattern(json));
  } catch (error) {
    if (error instanceof InvalidEventPatternError)
      throw new ConsoleRequestError(400, 'InvalidPattern', error.message);
    throw error;
  }
}

export function rebalanceAsk(body: Record<string, unknown>): RebalanceAsk {
  const { strategy, maxMoves, tenantId } = body;
  if (strategy !== undefined && strategy !== 'spread' && strategy !== 'binpack')
    throw new ConsoleRequestError(400, 'InvalidRequest', 'strategy is spread or binpack');
  if (maxMoves !== undefined && !(Number.isInteger(maxMoves) && (maxMoves as number) > 0))
    throw new ConsoleRequestError(400, 'InvalidRequest', 'maxMoves is a positive whole number');
  if (tenantId !== undefined && (typeof tenantId !== 'string' || tenantId === ''))
    throw new ConsoleRequestError(400, 'InvalidRequest', 'tenantId is a non-empty string');
  return {
    ...(strategy ? { strategy } : {}),
    ...(maxMoves ? { maxMoves: maxMoves as number } : {}),
    ...(tenantId ? { tenantId } : {}),
  };
}

export function executionStatus(value: string | null): string | undefined {
  if (!value) return undefined;
  if (!EXECUTION_STATUSES.has(value))
    throw new ConsoleRequestError(
      400,
      'InvalidStatus',
      `status is one of ${[...EXECUTION_STATUSES].join(', ')}`,
    );
  return value;
}

export function boundedInteger(
  value: string | null,
  name: string,
  min: number,
  max: number,
): number | undefined {
  if (value === null || value === '') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max)
    throw new ConsoleRequestError(400, 'InvalidParameter', `${name} is a whole number from ${min} to ${max}`);
  return number;
}

export function decodePart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConsoleRequestError(400, 'InvalidPath', 'the path is not validly encoded');
  }
}

export function readJsonBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let text = '';
    let tooLarge = false;
    request.on('data', (chunk: string) => {
      if (text.length + chunk.length > MAX_BODY_BYTES) tooLarge = true;
      else text += chunk;
    });
    request.on('error', reject);
    request.on('end', () => {
      if (tooLarge)
        return reject(
          new ConsoleRequestError(413, 'BodyTooLarge', `a body is at most ${MAX_BODY_BYTES} bytes`),
        );
      if (text.trim() === '') return resolve({});
      try {
        const body = JSON.parse(text) as unknown;
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new ConsoleRequestError(400, 'InvalidBody', 'the body is a JSON object');
        resolve(body as Record<string, unknown>);
      } catch (error) {
        reject(
          error instanceof ConsoleRequestError
            ? error
            : new ConsoleRequestError(400, 'InvalidBody', 'the body is not JSON'),
        );
      }
    });
  });
}
