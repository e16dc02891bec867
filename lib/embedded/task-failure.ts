/**
 * A task's failure as Step Functions sees it: `name` is the error that Retry and Catch match
 * (`States.Timeout`, `InvalidRequest`, `DynamoDB.ConditionalCheckFailedException`…), `message`
 * is the cause.
 */
export class TaskFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}
