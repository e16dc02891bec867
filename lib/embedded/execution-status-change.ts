/**
 * The event Step Functions puts on the default bus when an execution ends (`Step Functions
 * Execution Status Change`, source `aws.states`). As in AWS, an input or output that would make
 * the event too big for EventBridge is left out (`inputDetails: {included: false}`): whoever needs
 * it reads it with DescribeExecution.
 */
import { StepFunctionsExecutionStatusChange } from '../../lambdas/core/events/execution-events';
import { entrySize, MAX_PUT_EVENTS_BYTES } from '../../lambdas/core/events/put-events-limits';
import type { PutEventsEntry } from './event-bus';
import type { ExecutionRecord } from './execution-record';

/** Left out in this order until the event fits: the input, the output, then the cause. */
const DROPPABLE = ['input', 'output', 'cause'] as const;

export function executionStatusChange(record: ExecutionRecord): PutEventsEntry {
  const detail: Record<string, unknown> = {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate.getTime(),
    stopDate: record.stopDate?.getTime() ?? null,
    input: record.input,
    output: record.output ?? null,
    inputDetails: { included: true },
    outputDetails: { included: true },
    error: record.error ?? null,
    cause: record.cause ?? null,
  };
  const entry = (): PutEventsEntry => ({
    Source: StepFunctionsExecutionStatusChange.awsSource,
    DetailType: StepFunctionsExecutionStatusChange.detailType,
    Resources: [record.executionArn],
    Detail: JSON.stringify(detail),
  });
  for (const field of DROPPABLE) {
    if (entrySize(entry()) <= MAX_PUT_EVENTS_BYTES) break;
    detail[field] = null;
    if (field !== 'cause') detail[`${field}Details`] = { included: false };
  }
  return entry();
}
