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

/**
 * AWS's answer to a request member longer than its API model allows: `ValidationException`,
 * worded as AWS words it (without echoing the value, which may be megabytes).
 */
export function memberTooLong(member: string, maximum: number): AwsError {
  return validationError(
    `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must have length less than or equal to ${maximum}`,
  );
}
