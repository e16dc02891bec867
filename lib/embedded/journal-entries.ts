/**
 * An execution's record as the journal keeps it (`executions.ndjson`), and back: a finished record
 * as it was, a running one — whose runtime died — ended ABORTED, as a StopExecution would end it.
 */
import { ExecutionHistory } from './execution-history';
import type { JournalEntry } from './execution-journal';
import { type ExecutionRecord, RUNTIME_STOPPED, withDefined } from './execution-record';

export function journalEntry(record: ExecutionRecord): JournalEntry {
  const { executionArn, stateMachineArn, name, input, status, stopDate, output, error, cause } = record;
  const start = { executionArn, stateMachineArn, name, input, startDate: record.startDate.getTime() };
  const history = record.history.json;
  if (status === 'RUNNING' || !stopDate || history === undefined) return start;
  return { ...start, end: { status, stopDate: stopDate.getTime(), output, error, cause, history } };
}

/** A record that needs no engine: it has ended. */
export function finishedRecord(entry: JournalEntry, end: NonNullable<JournalEntry['end']>): ExecutionRecord {
  return {
    executionArn: entry.executionArn,
    stateMachineArn: entry.stateMachineArn,
    name: entry.name,
    input: entry.input,
    startDate: new Date(entry.startDate),
    status: end.status,
    stopDate: new Date(end.stopDate),
    ...withDefined({ output: end.output, error: end.error, cause: end.cause }),
    history: ExecutionHistory.sealedFrom(end.history),
    done: Promise.resolve(),
    stop: () => undefined,
  };
}

/** What the runtime kept of an execution it was running when it died: its start, then its abort. */
export function abortedAfterCrash(entry: JournalEntry): ExecutionRecord {
  const error = RUNTIME_STOPPED;
  const cause =
    'the embedded runtime stopped (killed or crashed) while the execution ran; ended at its next start';
  const history = new ExecutionHistory(new Map());
  history.add(
    'ExecutionStarted',
    { input: entry.input, inputDetails: { truncated: false } },
    entry.startDate,
  );
  history.add('ExecutionAborted', { error, cause });
  history.seal();
  return finishedRecord(entry, {
    status: 'ABORTED',
    stopDate: Date.now(),
    error,
    cause,
    history: history.json ?? '[]',
  });
}
