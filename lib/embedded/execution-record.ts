/**
 * An execution's record as the engine keeps it and the Step Functions API answers it: its status,
 * input, output, error and history, and how to stop it while it runs.
 */
import type { ExecutionHistory } from './execution-history';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: string;
  readonly startDate: Date;
  status: ExecutionStatus;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  readonly history: ExecutionHistory;
  /** Resolves when the execution has ended and its record is final. */
  readonly done: Promise<void>;
  stop(error: string | undefined, cause: string | undefined): void;
}

/** The error of an execution ended because the runtime stopped: on shutdown, or at the start after a crash. */
export const RUNTIME_STOPPED = 'Baton.RuntimeStopped';

/** Only the fields that have a value: a record and its history events leave the others out. */
export function withDefined(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}
