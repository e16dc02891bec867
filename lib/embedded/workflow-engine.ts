/**
 * Step Functions, embedded: every workflow file loaded once (`loaded-state-machine.ts`),
 * executions run with their tasks bound locally, and execution records (status, input, output,
 * history) kept for the API, held to the retention (`retained-executions.ts`), in a journal that
 * outlives the runtime (`journal-entries.ts`). An execution that was running when the runtime died
 * is ended ABORTED when the journal is read back, as a StopExecution would have ended it.
 */
import { randomUUID } from 'node:crypto';
import { ExecutionAbortedError, ExecutionTimeoutError, type StateMachine } from 'aws-local-stepfunctions';
import type { WorkflowDefinition } from '../topology/workflows';
import { AwsError } from './aws-error';
import { type EngineLogEvent, ExecutionHistory } from './execution-history';
import type { ExecutionJournal, JournalEntry, Retention } from './execution-journal';
import { type ExecutionRecord, RUNTIME_STOPPED, withDefined } from './execution-record';
import { abortedAfterCrash, finishedRecord, journalEntry } from './journal-entries';
import { exceedsJsonDepth } from './json-depth';
import { type LoadedStateMachine, loadStateMachine, type StateMachineSources } from './loaded-state-machine';
import { localArn } from './local-aws';
import { MAX_JSON_DEPTH } from './payload-limits';
import { RetainedExecutions } from './retained-executions';
import type { ExecutionScope } from './task-bindings';

export interface WorkflowEngineOptions extends StateMachineSources {
  readonly workflows: readonly WorkflowDefinition[];
  readonly retention: Retention;
  /** Where records are kept across restarts. */
  readonly journal: ExecutionJournal;
  /** Told of every execution that starts (the runtime's log). */
  readonly onExecutionStarted?: ((record: ExecutionRecord) => void) | undefined;
  /** Told of every execution that ends, as AWS announces it on the default bus. */
  readonly onExecutionEnded?: ((record: ExecutionRecord) => void) | undefined;
}

const FORBIDDEN_NAME_CHARACTERS = new Set(' <>{}[]?*"#%\\^|~`$&,;:/');

/** AWS's rule for execution names: 1–80 characters, no whitespace, none of those, no control characters. */
function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || /\s/.test(name)) return false;
  return [...name].every((character) => {
    const code = character.codePointAt(0) ?? 0;
    return !FORBIDDEN_NAME_CHARACTERS.has(character) && code > 0x1f && (code < 0x7f || code > 0x9f);
  });
}

export class WorkflowEngine {
  readonly stateMachines = new Map<string, LoadedStateMachine>();
  private readonly executions: RetainedExecutions;
  private readonly byWorkflow = new Map<string, LoadedStateMachine>();
  private startedCount = 0;
  private stopping = false;

  constructor(private readonly options: WorkflowEngineOptions) {
    this.executions = new RetainedExecutions(options.retention);
    for (const workflow of options.workflows) {
      const machine = loadStateMachine(workflow, options);
      this.stateMachines.set(machine.arn, machine);
      this.byWorkflow.set(workflow.id, machine);
    }
  }

  /** Executions started since boot (benchmarks read it). */
  get executionsStarted(): number {
    return this.startedCount;
  }

  stateMachine(arn: string): LoadedStateMachine {
    const machine = this.stateMachines.get(arn);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  workflowArn(workflowId: string): string {
    const machine = this.byWorkflow.get(workflowId);
    if (!machine) throw new AwsError('StateMachineDoesNotExist', `No workflow ${workflowId}`);
    return machine.arn;
  }

  execution(arn: string): ExecutionRecord {
    const record = this.executions.get(arn);
    if (!record) throw new AwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return record;
  }

  /** Most recent first, as ListExecutions answers. */
  listExecutions(stateMachineArn: string): ExecutionRecord[] {
    this.stateMachine(stateMachineArn);
    return this.executions
      .all()
      .filter((record) => record.stateMachineArn === stateMachineArn)
      .reverse();
  }

  start(stateMachineArn: string, input: string, name: string = randomUUID()): ExecutionRecord {
    const machine = this.stateMachine(stateMachineArn);
    if (this.stopping) throw new AwsError('ServiceUnavailable', 'The embedded runtime is shutting down', 503);
    if (!isValidExecutionName(name)) throw new AwsError('InvalidName', `Invalid Name: '${name}'`);
    if (exceedsJsonDepth(input, MAX_JSON_DEPTH)) {
      throw new AwsError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: nested more than ${MAX_JSON_DEPTH} levels deep, more than the embedded runtime runs`,
      );
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(input);
    } catch {
      throw new AwsError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not JSON');
    }
    const executionArn = localArn('states', `execution:${machine.name}:${name}`);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record = this.run(machine, executionArn, name, input, parsedInput);
    this.executions.add(record);
    this.options.journal.started(journalEntry(record));
    this.options.onExecutionStarted?.(record);
    this.startedCount += 1;
    this.executions.evictOldest();
    return record;
  }

  /** Refuses new executions and stops every running one (shutdown). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const running = this.executions.all().filter((record) => record.status === 'RUNNING');
    for (const record of running) record.stop(RUNTIME_STOPPED, 'the embedded runtime shut down');
    await Promise.all(running.map((record) => record.done));
  }

  /**
   * Takes back the records the journal kept, before any execution starts. Those still RUNNING
   * belonged to a runtime that died: each is ended ABORTED, with its history's last event, as a
   * StopExecution would end it; they are returned, for their end to be announced.
   */
  restore(entries: readonly JournalEntry[]): ExecutionRecord[] {
    const interrupted: ExecutionRecord[] = [];
    for (const entry of entries) {
      if (!this.stateMachines.has(entry.stateMachineArn)) continue;
      const record = entry.end ? finishedRecord(entry, entry.end) : abortedAfterCrash(entry);
      this.executions.add(record);
      if (!entry.end) interrupted.push(record);
    }
    // Those just ended stay, however old: their recovery reads them.
    this.executions.spareForRecovery(interrupted);
    this.executions.evictOldest();
    this.options.journal.compact(this.executions.all().map(journalEntry));
    return interrupted;
  }

  private run(
    machine: LoadedStateMachine,
    executionArn: string,
    name: string,
    input: string,
    parsedInput: unknown,
  ): ExecutionRecord {
    const history = new ExecutionHistory(machine.prepared.stateTypes);
    const ended = new AbortController();
    const scope: ExecutionScope = { history, unclaimedToken: undefined, signal: ended.signal };
    const tokens = this.options.services.tokens;
    const overrides: Record<string, (taskInput: unknown) => Promise<unknown>> = {};
    for (const [stateName, binding] of machine.bindings)
      overrides[stateName] = (taskInput) => binding(taskInput, scope);

    // Released when the execution ends, so a kept record does not hold the engine's run state.
    let execution: ReturnType<StateMachine['run']> | undefined = machine.engine.run(parsedInput as never, {
      overrides: { taskResourceLocalHandlers: overrides as never },
      context: {
        Execution: { Id: executionArn, Name: name, RoleArn: machine.roleArn },
        StateMachine: { Id: machine.arn, Name: machine.name },
        Task: {
          get Token() {
            scope.unclaimedToken ??= tokens.mint();
            return scope.unclaimedToken;
          },
        },
      },
    });

    let stopRequest: { error: string | undefined; cause: string | undefined } | undefined;
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      input,
      startDate: new Date(),
      status: 'RUNNING',
      history,
      done: Promise.resolve(),
      stop: (error, cause) => {
        if (record.status !== 'RUNNING' || stopRequest) return;
        stopRequest = { error, cause };
        execution?.abort();
      },
    };
    const logConsumed = history.consume(execution.eventLogs as AsyncIterable<EngineLogEvent>);
    const result = execution.result;
    const settle = async () => {
      try {
        const output = await result;
        await logConsumed;
        record.output = JSON.stringify(output ?? null);
        record.status = 'SUCCEEDED';
        history.add('ExecutionSucceeded', { output: record.output, outputDetails: { truncated: false } });
      } catch (failure) {
        await logConsumed;
        this.recordFailure(record, failure, stopRequest);
      } finally {
        record.stopDate = new Date();
        ended.abort();
        execution = undefined;
        scope.unclaimedToken = undefined;
        history.seal();
        this.keep(record);
        this.announceEnd(record);
      }
    };
    return Object.assign(record, { done: settle() });
  }

  /** Whatever announcing an end does (an event too big to put, say), the engine and the record stand. */
  private announceEnd(record: ExecutionRecord): void {
    try {
      this.options.onExecutionEnded?.(record);
    } catch (error) {
      console.error(`[baton] the end of ${record.executionArn} was not announced:`, error);
    }
  }

  private recordFailure(
    record: ExecutionRecord,
    failure: unknown,
    stopRequest: { error: string | undefined; cause: string | undefined } | undefined,
  ): void {
    if (failure instanceof ExecutionAbortedError) {
      record.status = 'ABORTED';
      record.error = stopRequest?.error;
      record.cause = stopRequest?.cause;
      record.history.add('ExecutionAborted', withDefined({ error: record.error, cause: record.cause }));
      return;
    }
    if (failure instanceof ExecutionTimeoutError) {
      record.status = 'TIMED_OUT';
      record.error = 'States.Timeout';
      record.cause = 'The execution timed out (TimeoutSeconds)';
      record.history.add('ExecutionTimedOut', { error: record.error, cause: record.cause });
      return;
    }
    // The engine wraps the state's error; its name is what Retry/Catch saw.
    const inner = (failure as { cause?: unknown }).cause ?? failure;
    const error = inner instanceof Error ? inner : new Error(String(inner));
    record.status = 'FAILED';
    record.error = error.name;
    record.cause = error.message;
    record.history.add('ExecutionFailed', { error: record.error, cause: record.cause });
  }

  /**
   * Writes an ended execution to the journal, drops the oldest finished records beyond the
   * retention, and compacts the journal once it has grown enough.
   */
  private keep(record: ExecutionRecord): void {
    const { journal } = this.options;
    const end = journalEntry(record).end;
    if (end) journal.ended(record.executionArn, end);
    this.executions.countFinished(record);
    // Its recovery reads it, however large.
    this.executions.evictOldest(new Set([record]));
    if (journal.wantsCompaction) journal.compact(this.executions.all().map(journalEntry));
  }
}
