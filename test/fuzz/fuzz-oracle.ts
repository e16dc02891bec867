/**
 * What the fuzz harness holds the runtime to. An answer: within the deadline, never a 5xx, in
 * the error shape of the service that answered. An execution: SUCCEEDED, or ended with a named
 * error (not `States.Runtime`, not a JavaScript error's name, not a store or door failure). The
 * ledger: `baton audit` clean once everything has settled.
 */
import type { DoorOutcome } from './door-client';
import type { AnsweringService } from './fuzz-cases';

/** A JavaScript runtime error escaping as a workflow's error means code crashed, not input refused. */
const CRASH_ERROR_NAMES = new Set([
  '',
  'Error',
  'TypeError',
  'RangeError',
  'SyntaxError',
  'ReferenceError',
  'EvalError',
  'URIError',
  'AggregateError',
  'States.Runtime',
]);
/**
 * Errors that say a part failed rather than refused the input: the runtime's own (a dead store,
 * an unhandled door failure), or an AWS service's validation escaping a handler — input Baton's
 * validation let through that the store or Lambda then refused (a number DynamoDB cannot hold).
 */
const INTERNAL_FAILURE = /InternalServerError|InternalFailure|InternalException|ValidationException/;

export type OutcomeClass = '2xx' | '4xx' | '5xx' | 'hang' | 'dropped' | 'other';

export function classify(outcome: DoorOutcome): OutcomeClass {
  switch (outcome.kind) {
    case 'answered':
      return outcome.status >= 500 ? '5xx' : outcome.status >= 400 ? '4xx' : '2xx';
    case 'hang':
      return 'hang';
    case 'dropped':
      return 'dropped';
    default:
      return 'other';
  }
}

/** What is wrong with an answer, or undefined when it is as AWS would answer. */
export function answerProblem(
  outcome: DoorOutcome,
  service: AnsweringService,
  method: string,
): string | undefined {
  if (outcome.kind === 'hang') return `no answer within the deadline (${Math.round(outcome.elapsedMs)} ms)`;
  if (outcome.kind === 'dropped') return `connection closed without an answer: ${outcome.message}`;
  if (outcome.kind !== 'answered') return undefined;
  const { status, headers, body } = outcome;
  if (status >= 500) return `${status} answered: ${body.slice(0, 300)}`;
  // dynalite answers as DynamoDB does, in DynamoDB's own shapes (an XML 404, an empty 413).
  if (service === 'dynamodb' || method === 'HEAD') return undefined;
  // The console's page and assets are answered as what they are.
  if (
    service === 'console' &&
    status < 400 &&
    /^text\/(html|css|javascript)/.test(headers['content-type'] ?? '')
  )
    return undefined;
  const parsed = parseJson(body);
  if (status < 400)
    return body === '' || parsed.ok ? undefined : `${status} answered with a body that is not JSON`;
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null)
    return `${status} answered with a body that is not a JSON object: ${body.slice(0, 200)}`;
  const error = parsed.value as Record<string, unknown>;
  const message = error.message ?? error.Message;
  if (typeof message !== 'string') return `${status} answered with no error message: ${body.slice(0, 200)}`;
  const named = typeof error.__type === 'string' || headers['x-amzn-errortype'] !== undefined;
  if (!named) return `${status} answered with no error name (__type or x-amzn-ErrorType)`;
  if (service === 'lambda' && headers['x-amzn-errortype'] === undefined)
    return `${status} answered without x-amzn-ErrorType, which Lambda's clients read`;
  return undefined;
}

/** What is wrong with how an execution ended, or undefined (RUNNING is judged elsewhere). */
export function executionProblem(execution: {
  status?: string | undefined;
  error?: string | undefined;
  cause?: string | undefined;
}): string | undefined {
  const { status, error = '', cause = '' } = execution;
  if (status === 'SUCCEEDED' || status === 'ABORTED' || status === 'RUNNING') return undefined;
  if (CRASH_ERROR_NAMES.has(error) || INTERNAL_FAILURE.test(error))
    return `${status} with ${error || 'no error name'}: ${cause.slice(0, 300)}`;
  return undefined;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
