/**
 * The runtime's own log of its executions: one concise line as each starts and one as it ends —
 * workflow, execution name, status, duration — so that whoever runs `baton dev` sees work come
 * and go without asking (`baton dev --quiet` turns it off).
 */
import { batonName } from '../topology/resource-names';
import type { ExecutionRecord } from './execution-record';
import { LOCAL_STAGE } from './local-aws';

type LoggedExecution = Pick<
  ExecutionRecord,
  'stateMachineArn' | 'name' | 'status' | 'startDate' | 'stopDate' | 'error'
>;

const STATE_MACHINE_PREFIX = `${batonName(LOCAL_STAGE)}-`;

/** `[baton] 18:42:01.123Z allocate-resources req-0001 started` */
export function executionStartedLine(record: LoggedExecution): string {
  return `[baton] ${timeOfDay(record.startDate)} ${workflowOf(record)} ${record.name} started`;
}

/** `[baton] 18:42:01.535Z allocate-resources req-0001 FAILED in 412 ms (InvalidRequest)` */
export function executionEndedLine(record: LoggedExecution): string {
  const stopped = record.stopDate ?? new Date();
  const duration = Math.round(stopped.getTime() - record.startDate.getTime());
  return `[baton] ${timeOfDay(stopped)} ${workflowOf(record)} ${record.name} ${record.status} in ${duration} ms${
    record.error ? ` (${record.error})` : ''
  }`;
}

/** The workflow id, from its state machine `baton-local-<workflow>`. */
function workflowOf(record: LoggedExecution): string {
  const name = record.stateMachineArn.slice(record.stateMachineArn.lastIndexOf(':') + 1);
  return name.startsWith(STATE_MACHINE_PREFIX) ? name.slice(STATE_MACHINE_PREFIX.length) : name;
}

/** The time of day as the event log writes times (ISO, UTC). */
function timeOfDay(date: Date): string {
  return date.toISOString().slice(11);
}
