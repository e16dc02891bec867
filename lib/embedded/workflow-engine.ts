/**
 * Step Functions, embedded: every workflow file loaded once into an aws-local-stepfunctions
 * `StateMachine`, executions run with their tasks bound locally, and execution records (status,
 * input, output, history) kept for the API — up to a number of them and of their characters,
 * oldest finished first out, as AWS keeps them for 90 days — in a journal that outlives the runtime. An execution that was
 * running when the runtime died is ended ABORTED when the journal is read back, as a
 * StopExecution would have ended it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ExecutionAbortedError, ExecutionTimeoutError, StateMachine } from 'aws-local-stepfunctions';
import { parseAslDefinition, substitute } from '../topology/asl-definition';
import { batonName } from '../topology/resource-names';
import { type WorkflowBindings, workflowRequirements } from '../topology/workflow-requirements';
import type { WorkflowDefinition } from '../topology/workflows';
import { AwsError } from './aws-error';
import { type EngineDefinition, toEngineDefinition } from './engine-definition';
import { type EngineLogEvent, ExecutionHistory } from './execution-history';
import type { ExecutionJournal, JournalEntry, Retention } from './execution-journal';
import { exceedsJsonDepth } from './json-depth';
import { LOCAL_STAGE, localArn, localRoleArn } from './local-aws';
import { MAX_JSON_DEPTH } from './payload-limits';
import { bindTask, type ExecutionScope, type LocalServices, type TaskBinding } from './task-bindings';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface LoadedStateMachine {
  readonly workflowId: string;
  readonly name: string;
  readonly arn: string;
  readonly definition: string;
  readonly createdAt: Date;
  readonly roleArn: string;
  readonly engine: StateMachine;
  readonly bindings: ReadonlyMap<string, TaskBinding>;
  readonly prepared: EngineDefinition;
}

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

export interface WorkflowEngineOptions {
  readonly workflows: readonly WorkflowDefinition[];
  readonly substitutions: Readonly<Record<string, string>>;
  /** What the substitution keys name, to hold each file to the same rules as `cdk synth`. */
  readonly bindings: WorkflowBindings;
  readonly services: LocalServices;
  readonly retention: Retention;
  /** Where records are kept across restarts. */
  readonly journal: ExecutionJournal;
  /** Told of every execution that starts (the runtime's log). */
  readonly onExecutionStarted?: ((record: ExecutionRecord) => void) | undefined;
  /** Told of every execution that ends, as AWS announces it on the default bus. */
  readonly onExecutionEnded?: ((record: ExecutionRecord) => void) | undefined;
}

/** How long the records a restore ended are kept whatever the retention: their recovery runs within seconds. */
const KEPT_FOR_RECOVERY_MS = 10 * 60_000;

/** The error of an execution ended because the runtime stopped: on shutdown, or at the start after a crash. */
export const RUNTIME_STOPPED = 'Baton.RuntimeStopped';

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
  private readonly executions = new Map<string, ExecutionRecord>();
  /** The characters each finished record keeps, and their sum, held to the retention. */
  private readonly finishedCharacters = new Map<string, number>();
  private retainedCharacters = 0;
  /** The records a restore ended ABORTED: kept a while whatever their age, for their recovery reads them. */
  private readonly endedAtRestore = new Set<ExecutionRecord>();
  private readonly byWorkflow = new Map<string, LoadedStateMachine>();
  private startedCount = 0;
  private stopping = false;

  constructor(private readonly options: WorkflowEngineOptions) {
    for (const workflow of options.workflows) {
      const machine = this.load(workflow);
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
    return [...this.executions.values()]
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
    this.executions.set(executionArn, record);
    this.options.journal.started(journalEntry(record));
    this.options.onExecutionStarted?.(record);
    this.startedCount += 1;
    this.evictOldest();
    return record;
  }

  /** Refuses new executions and stops every running one (shutdown). */
  async stopAll(): Promise<void> {
    this.stopping = true;
    const running = [...this.executions.values()].filter((record) => record.status === 'RUNNING');
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
      this.executions.set(record.executionArn, record);
      this.countFinished(record);
      if (!entry.end) interrupted.push(record);
    }
    // Those just ended stay, however old: their recovery reads them.
    for (const record of interrupted) this.endedAtRestore.add(record);
    setTimeout(() => this.endedAtRestore.clear(), KEPT_FOR_RECOVERY_MS).unref();
    this.evictOldest();
    this.options.journal.compact([...this.executions.values()].map(journalEntry));
    return interrupted;
  }

  private load(workflow: WorkflowDefinition): LoadedStateMachine {
    const source = readFileSync(workflow.file, 'utf8');
    workflowRequirements(workflow.id, source, this.options.bindings);
    const text = substitute(source, this.options.substitutions, workflow.file);
    const prepared = toEngineDefinition(parseAslDefinition(text, workflow.file));
    const bindings = new Map(
      [...prepared.sites.values()].map((site) => [site.name, bindTask(site, this.options.services)] as const),
    );
    const name = batonName(LOCAL_STAGE, workflow.id);
    return {
      workflowId: workflow.id,
      name,
      arn: localArn('states', `stateMachine:${name}`),
      definition: text,
      createdAt: new Date(),
      roleArn: localRoleArn(name),
      // Validated above against the file as written; the rewritten copy holds local-only resources.
      engine: new StateMachine(prepared.definition as never, { validationOptions: { noValidate: true } }),
      bindings,
      prepared,
    };
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
    this.countFinished(record);
    // Its recovery reads it, however large.
    this.evictOldest(new Set([record]));
    if (journal.wantsCompaction) journal.compact([...this.executions.values()].map(journalEntry));
  }

  private countFinished(record: ExecutionRecord): void {
    if (record.status === 'RUNNING' || this.finishedCharacters.has(record.executionArn)) return;
    const characters = recordCharacters(record);
    this.finishedCharacters.set(record.executionArn, characters);
    this.retainedCharacters += characters;
  }

  /** Drops the oldest finished records beyond the retention, never a running or a `spared` one. */
  private evictOldest(spared: ReadonlySet<ExecutionRecord> = new Set()): void {
    const { maxExecutions, maxCharacters } = this.options.retention;
    // The newest finished record stays, however large.
    const over = () =>
      this.executions.size > maxExecutions ||
      (this.retainedCharacters > maxCharacters && this.finishedCharacters.size > 1);
    if (!over()) return;
    for (const [arn, record] of this.executions) {
      if (!over()) return;
      if (record.status === 'RUNNING' || spared.has(record) || this.endedAtRestore.has(record)) continue;
      this.executions.delete(arn);
      this.retainedCharacters -= this.finishedCharacters.get(arn) ?? 0;
      this.finishedCharacters.delete(arn);
    }
  }
}

function withDefined(fields: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >;
}

/** What a finished record holds, in characters: its input, output, cause and history. */
function recordCharacters(record: ExecutionRecord): number {
  const { input, output, cause, history } = record;
  return input.length + (output?.length ?? 0) + (cause?.length ?? 0) + (history.json?.length ?? 0);
}

function journalEntry(record: ExecutionRecord): JournalEntry {
  const { executionArn, stateMachineArn, name, input, status, stopDate, output, error, cause } = record;
  const start = { executionArn, stateMachineArn, name, input, startDate: record.startDate.getTime() };
  const history = record.history.json;
  if (status === 'RUNNING' || !stopDate || history === undefined) return start;
  return { ...start, end: { status, stopDate: stopDate.getTime(), output, error, cause, history } };
}

/** A record that needs no engine: it has ended. */
function finishedRecord(entry: JournalEntry, end: NonNullable<JournalEntry['end']>): ExecutionRecord {
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
function abortedAfterCrash(entry: JournalEntry): ExecutionRecord {
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
