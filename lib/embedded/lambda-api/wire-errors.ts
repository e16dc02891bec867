/**
 * Lambda's errors on the wire: the fleet's refusals, each as the exception Lambda answers (same
 * code, message and HTTP status), and the body Lambda's REST-JSON protocol gives an error.
 */
import { AwsError } from '../aws-error';
import type { Reply } from '../aws-json-server';
import { FleetRefusal, type FleetRefusalName } from '../lambda-fleet/fleet-refusals';

/** Seconds a throttled caller is told to wait; SDK retries honour it. */
const RETRY_AFTER_SECONDS = '1';

const LAMBDA_EXCEPTIONS: Readonly<Record<FleetRefusalName, { code: string; status: number }>> = {
  FunctionNotFound: { code: 'ResourceNotFoundException', status: 404 },
  AliasNotFound: { code: 'ResourceNotFoundException', status: 404 },
  FunctionAlreadyExists: { code: 'ResourceConflictException', status: 409 },
  AliasAlreadyExists: { code: 'ResourceConflictException', status: 409 },
  RevisionMismatch: { code: 'PreconditionFailedException', status: 412 },
  InvalidParameterValue: { code: 'InvalidParameterValueException', status: 400 },
};

/** Lambda's answer to a value it refuses in a request (a member of the wrong type, a bad marker…). */
export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterValueException', message);
}

/** A refusal of the fleet as Lambda answers it; any other error as it is. */
export function inLambdaTerms(error: unknown): unknown {
  if (!(error instanceof FleetRefusal)) return error;
  const { code, status } = LAMBDA_EXCEPTIONS[error.name];
  return new AwsError(code, error.message, status);
}

export function throttled(): AwsError {
  return new AwsError('TooManyRequestsException', 'Rate exceeded', 429);
}

/** Lambda's error body: its type (`User` or `Service`), the message, and a throttle's reason and wait. */
export function lambdaErrorReply(error: AwsError): Reply {
  const isThrottle = error.code === 'TooManyRequestsException';
  return {
    status: error.statusCode,
    body: {
      Type: error.statusCode >= 500 ? 'Service' : 'User',
      // Lambda's model reads this one error's message from `Message`, every other's from `message`.
      [error.code === 'ResourceNotFoundException' ? 'Message' : 'message']: error.message,
      ...(isThrottle ? { Reason: 'CallerRateLimitExceeded' } : {}),
    },
    ...(isThrottle ? { headers: { 'Retry-After': RETRY_AFTER_SECONDS } } : {}),
  };
}
