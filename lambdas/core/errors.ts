/**
 * Named errors that cross the handler boundary. Lambda reports an error's name as its
 * `errorType`, which is what ASL `Retry`/`Catch` clauses match and what a user reads.
 */

/** The input cannot be acted on; the message says what to fix. Nothing was written. */
export class InvalidRequest extends Error {
  override readonly name = 'InvalidRequest';
}
