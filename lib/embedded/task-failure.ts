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

/**
 * What a task still waiting fails with once its execution has ended (stopped, timed out, shut
 * down), and what a task refused after that end fails with: the engine then unwinds the execution
 * and clears its timers instead of waiting on the task for ever. No Retry or Catch runs anything
 * after the end: every task refuses to start.
 */
export function executionEnded(): TaskFailure {
  return new TaskFailure('Baton.ExecutionEnded', 'the execution ended before this task finished');
}
