/**
 * What recovery asks Step Functions: is the execution that a record in flight names still
 * running? A status-change event may be forged, replayed or lost, so recovery never takes its
 * word: it acts only on what `DescribeExecution` answers.
 */

/** An execution as `DescribeExecution` shows it. */
export interface ExecutionView {
  readonly executionArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED (or PENDING_REDRIVE, which still runs). */
  readonly status: string;
  /** Its JSON input, as it was started. */
  readonly input: string | undefined;
  /** When it ended; absent while it runs. */
  readonly stopDate?: Date | undefined;
}

export interface ExecutionLookup {
  /** The execution, or `undefined` when there is no such execution (never started, or forgotten). */
  describe(executionArn: string): Promise<ExecutionView | undefined>;
}

/** How an execution is no longer running: ended with a status, or not found at all. */
export type ExecutionEnding = 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'NOT_FOUND';

/**
 * The error a recovery names for how the execution ended: a rollout's rollback reason, a reverted
 * move's why. SUCCEEDED and NOT_FOUND are found by the reconciler only: an execution that ended
 * without ending what it drove, or that no longer exists.
 */
export const ENDING_ERRORS: Readonly<Record<ExecutionEnding, string>> = {
  ABORTED: 'ExecutionAborted',
  TIMED_OUT: 'ExecutionTimedOut',
  FAILED: 'ExecutionFailed',
  SUCCEEDED: 'ExecutionEnded',
  NOT_FOUND: 'ExecutionNotFound',
};

export interface EndedExecution {
  readonly executionArn: string;
  readonly ending: ExecutionEnding;
  readonly input: string | undefined;
  readonly stopDate?: Date | undefined;
}

const ENDED_STATUSES: ReadonlySet<string> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** The execution if it is no longer running (`NOT_FOUND` included); `undefined` while it may still run. */
export async function endedExecution(
  executions: ExecutionLookup,
  executionArn: string,
): Promise<EndedExecution | undefined> {
  const execution = await executions.describe(executionArn);
  if (!execution) return { executionArn, ending: 'NOT_FOUND', input: undefined };
  if (!ENDED_STATUSES.has(execution.status)) return undefined;
  const { input, stopDate } = execution;
  return { executionArn, ending: execution.status as ExecutionEnding, input, stopDate };
}
