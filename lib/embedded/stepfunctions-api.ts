/**
 * The Step Functions JSON 1.0 API (`AWSStepFunctions.*`) over the embedded workflow engine,
 * with AWS's validation and error names, for the operations DESIGN.md lists.
 */

import { AwsError, memberTooLong, validationError } from './aws-error';
import type { JsonService } from './aws-json-server';
import type { ExecutionRecord } from './execution-record';
import { exceedsJsonDepth } from './json-depth';
import { MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES } from './payload-limits';
import type { TaskTokenRegistry } from './task-tokens';
import type { WorkflowEngine } from './workflow-engine';

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const STATUSES = new Set(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);
/** The members' limits in the Step Functions API reference. */
const MAX_ARN_LENGTH = 256;
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;
const MAX_TASK_TOKEN_LENGTH = 2_048;
const MAX_NEXT_TOKEN_LENGTH = 3_096;

export function stepFunctionsApi(engine: WorkflowEngine, tokens: TaskTokenRegistry): JsonService {
  return {
    targetPrefix: 'AWSStepFunctions',
    contentType: 'application/x-amz-json-1.0',
    operations: {
      ListStateMachines: (input) =>
        paginate(
          [...engine.stateMachines.values()].map((machine) => ({
            stateMachineArn: machine.arn,
            name: machine.name,
            type: 'STANDARD',
            creationDate: epochSeconds(machine.createdAt),
          })),
          input,
          'stateMachines',
          (machine) => machine.stateMachineArn,
        ),
      DescribeStateMachine: (input) => {
        const machine = engine.stateMachine(requiredArn(input, 'stateMachineArn'));
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: machine.definition,
          roleArn: machine.roleArn,
          type: 'STANDARD',
          creationDate: epochSeconds(machine.createdAt),
          loggingConfiguration: { level: 'ALL', includeExecutionData: true },
          tracingConfiguration: { enabled: true },
        };
      },
      StartExecution: (input) => {
        const name = optionalString(input, 'name');
        const executionInput = optionalPayload(input, 'input') ?? '{}';
        const record = engine.start(requiredArn(input, 'stateMachineArn'), executionInput, name);
        return { executionArn: record.executionArn, startDate: epochSeconds(record.startDate) };
      },
      DescribeExecution: (input) => describe(engine.execution(requiredArn(input, 'executionArn'))),
      ListExecutions: (input) => {
        const statusFilter = optionalString(input, 'statusFilter');
        if (statusFilter !== undefined && !STATUSES.has(statusFilter)) {
          throw validationError(
            `1 validation error detected: Value '${statusFilter}' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [${[...STATUSES].join(', ')}]`,
          );
        }
        const records = engine
          .listExecutions(requiredArn(input, 'stateMachineArn'))
          .filter((record) => statusFilter === undefined || record.status === statusFilter);
        return paginate(records.map(summary), input, 'executions', (execution) =>
          String(execution.executionArn),
        );
      },
      GetExecutionHistory: (input) => {
        const record = engine.execution(requiredArn(input, 'executionArn'));
        const events =
          input.reverseOrder === true ? [...record.history.events].reverse() : record.history.events;
        return paginate(events, input, 'events', (event) => String(event.id));
      },
      StopExecution: (input) => {
        const record = engine.execution(requiredArn(input, 'executionArn'));
        record.stop(
          optionalString(input, 'error', MAX_ERROR_LENGTH),
          optionalString(input, 'cause', MAX_CAUSE_LENGTH),
        );
        return { stopDate: epochSeconds(record.stopDate ?? new Date()) };
      },
      SendTaskSuccess: (input) => {
        const output = optionalPayload(input, 'output');
        if (output === undefined) throw requiredMember('output');
        // The task's output becomes the workflow's data: held to what the local engine runs, as an input is.
        if (exceedsJsonDepth(output, MAX_JSON_DEPTH))
          throw new AwsError(
            'InvalidOutput',
            `Invalid Output: nested more than ${MAX_JSON_DEPTH} levels deep`,
          );
        let parsed: unknown;
        try {
          parsed = JSON.parse(output);
        } catch {
          throw new AwsError('InvalidOutput', 'Invalid Output: not JSON');
        }
        tokens.succeed(taskToken(input), parsed);
        return {};
      },
      SendTaskFailure: (input) => {
        tokens.fail(
          taskToken(input),
          optionalString(input, 'error', MAX_ERROR_LENGTH) ?? '',
          optionalString(input, 'cause', MAX_CAUSE_LENGTH) ?? '',
        );
        return {};
      },
      SendTaskHeartbeat: (input) => {
        tokens.heartbeat(taskToken(input));
        return {};
      },
    },
  };
}

function describe(record: ExecutionRecord): Record<string, unknown> {
  return {
    ...summary(record),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
  };
}

function summary(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    ...(record.stopDate ? { stopDate: epochSeconds(record.stopDate) } : {}),
  };
}

/**
 * One page of a list. `nextToken` names the last item returned, not an offset, so a page stays
 * right while the list grows (new executions come first, running histories grow at the end).
 */
function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  key: string,
  idOf: (item: T) => string,
): Record<string, unknown> {
  const maxResults =
    input.maxResults === undefined || input.maxResults === 0 ? DEFAULT_PAGE_SIZE : input.maxResults;
  if (
    typeof maxResults !== 'number' ||
    !Number.isInteger(maxResults) ||
    maxResults < 0 ||
    maxResults > MAX_PAGE_SIZE
  ) {
    throw validationError(`maxResults must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  let start = 0;
  if (input.nextToken !== undefined) {
    if (String(input.nextToken).length > MAX_NEXT_TOKEN_LENGTH)
      throw memberTooLong('nextToken', MAX_NEXT_TOKEN_LENGTH);
    const after = Buffer.from(String(input.nextToken), 'base64url').toString('utf8');
    const index = items.findIndex((item) => idOf(item) === after);
    if (index < 0) throw new AwsError('InvalidToken', 'Invalid Token: nextToken is not from this list');
    start = index + 1;
  }
  const page = items.slice(start, start + maxResults);
  const last = page.at(-1);
  const next =
    start + maxResults < items.length && last !== undefined
      ? Buffer.from(idOf(last)).toString('base64url')
      : undefined;
  return { [key]: page, ...(next ? { nextToken: next } : {}) };
}

function requiredMember(field: string): AwsError {
  return validationError(
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
  );
}

function requiredString(input: Record<string, unknown>, field: string, maxLength: number): string {
  const value = optionalString(input, field, maxLength);
  if (value === undefined || value.length === 0) throw requiredMember(field);
  return value;
}

/** A string member, held to its length in the API model when it has one. */
function optionalString(
  input: Record<string, unknown>,
  field: string,
  maxLength = Number.POSITIVE_INFINITY,
): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${field} must be a string`);
  if (value.length > maxLength) throw memberTooLong(field, maxLength);
  return value;
}

/** An execution's input or a task's output: its limit is in bytes of UTF-8, not characters. */
function optionalPayload(input: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(input, field);
  if (value !== undefined && Buffer.byteLength(value) > MAX_PAYLOAD_BYTES)
    throw memberTooLong(field, MAX_PAYLOAD_BYTES);
  return value;
}

function taskToken(input: Record<string, unknown>): string {
  return requiredString(input, 'taskToken', MAX_TASK_TOKEN_LENGTH);
}

function requiredArn(input: Record<string, unknown>, field: string): string {
  const arn = requiredString(input, field, MAX_ARN_LENGTH);
  if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:[A-Za-z]+:/.test(arn))
    throw new AwsError('InvalidArn', `Invalid Arn: '${arn}'`);
  return arn;
}

function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
