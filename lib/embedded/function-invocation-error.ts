/**
 * A failed invocation, as the Lambda service reports it: `X-Amz-Function-Error: Unhandled` and
 * `{errorType, errorMessage}`. `errorType` is the error the function raised, or, when its
 * execution environment failed (timed out, ran out of memory, exited), Lambda's own name for that
 * (`Sandbox.Timedout`, `Runtime.OutOfMemory`, `Runtime.ExitError`).
 */
export class FunctionInvocationError extends Error {
  constructor(
    readonly errorType: string,
    readonly errorMessage: string,
    /** The environment failed, not the handler: Step Functions reports these as `Lambda.Unknown`. */
    readonly environmentFailed = false,
  ) {
    super(errorMessage);
    this.name = errorType;
  }
}
