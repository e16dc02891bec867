/**
 * An error answered in AWS's JSON protocol shape: `{"__type": code, "message": …}` with the
 * `x-amzn-ErrorType` header, which the AWS SDK v3 turns into a named exception.
 */
export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const validationError = (message: string) => new AwsError('ValidationException', message);
