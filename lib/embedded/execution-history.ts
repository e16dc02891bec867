/**
 * An execution's history in the shape of `GetExecutionHistory`, built from two sources: the
 * engine's event log (states entered and exited, Map iterations, the execution's end) and the
 * task bindings (scheduled, started, submitted, succeeded, failed). A binding first waits until
 * the log has reported its state's attempt, so task events always follow their state entry.
 */
export interface HistoryEvent {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** An event of aws-local-stepfunctions' `eventLogs`, as far as Baton reads it. */
export interface EngineLogEvent {
  type: string;
  timestamp: number;
  state?: { name: string; type: string; input?: unknown; output?: unknown };
  index?: number;
  parentState?: { name: string; type: string };
  input?: unknown;
  output?: unknown;
  Error?: string;
  Cause?: string;
}

const detailsKey: Record<string, string> = {
  ExecutionStarted: 'executionStartedEventDetails',
  ExecutionSucceeded: 'executionSucceededEventDetails',
  ExecutionFailed: 'executionFailedEventDetails',
  ExecutionAborted: 'executionAbortedEventDetails',
  ExecutionTimedOut: 'executionTimedOutEventDetails',
  MapIterationStarted: 'mapIterationStartedEventDetails',
  MapIterationSucceeded: 'mapIterationSucceededEventDetails',
  MapIterationFailed: 'mapIterationFailedEventDetails',
  TaskScheduled: 'taskScheduledEventDetails',
  TaskStarted: 'taskStartedEventDetails',
  TaskSubmitted: 'taskSubmittedEventDetails',
  TaskSucceeded: 'taskSucceededEventDetails',
  TaskFailed: 'taskFailedEventDetails',
  TaskTimedOut: 'taskTimedOutEventDetails',
  LambdaFunctionScheduled: 'lambdaFunctionScheduledEventDetails',
  LambdaFunctionSucceeded: 'lambdaFunctionSucceededEventDetails',
  LambdaFunctionFailed: 'lambdaFunctionFailedEventDetails',
  LambdaFunctionTimedOut: 'lambdaFunctionTimedOutEventDetails',
};

export class ExecutionHistory {
  private live: HistoryEvent[] = [];
  /** A finished history, kept as one JSON string: a third of the memory of the event objects. */
  private sealed: string | undefined;
  private readonly attempts = new Map<string, number>();
  private readonly attemptWaiters = new Map<string, { atLeast: number; resolve: () => void }[]>();
  private readonly bindingCalls = new Map<string, number>();

  constructor(private readonly stateTypes: ReadonlyMap<string, string>) {}

  /** A finished history read back from its JSON (an execution kept across a restart). */
  static sealedFrom(json: string): ExecutionHistory {
    const history = new ExecutionHistory(new Map());
    history.sealed = json;
    return history;
  }

  /** Appends an event; `details` go under the type's `…EventDetails` key, as in the AWS API. */
  add(type: string, details?: Record<string, unknown>, timestamp = Date.now()): void {
    // A binding can outlive its execution (StopExecution while it ran): its news comes too late.
    if (this.sealed !== undefined) return;
    const id = this.live.length + 1;
    const event: HistoryEvent = { timestamp: timestamp / 1000, type, id, previousEventId: id - 1 };
    if (details) event[detailsKey[type] ?? stateDetailsKey(type)] = details;
    this.live.push(event);
  }

  /** The events so far, oldest first (a fresh copy once sealed). */
  get events(): HistoryEvent[] {
    return this.sealed === undefined ? this.live : (JSON.parse(this.sealed) as HistoryEvent[]);
  }

  /** The finished history as one JSON array (undefined while the execution runs). */
  get json(): string | undefined {
    return this.sealed;
  }

  /** Called once the execution has ended and its last event is recorded. */
  seal(): void {
    this.sealed = JSON.stringify(this.live);
    this.live = [];
    // A binding still waiting for its state's entry will never see it: let it go and find the end.
    for (const waiters of this.attemptWaiters.values()) for (const waiter of waiters) waiter.resolve();
    this.attemptWaiters.clear();
  }

  /** Called by a binding as it starts: resolves once the log has reported this attempt of the state. */
  bindingStarted(stateName: string): Promise<void> {
    const call = (this.bindingCalls.get(stateName) ?? 0) + 1;
    this.bindingCalls.set(stateName, call);
    if ((this.attempts.get(stateName) ?? 0) >= call) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.attemptWaiters.get(stateName) ?? [];
      waiters.push({ atLeast: call, resolve });
      this.attemptWaiters.set(stateName, waiters);
    });
  }

  /** Reads the engine's event log to its end, translating each event. */
  async consume(log: AsyncIterable<EngineLogEvent>): Promise<void> {
    for await (const event of log) this.translate(event);
  }

  private translate(event: EngineLogEvent): void {
    const state = event.state;
    const type = state ? (this.stateTypes.get(state.name) ?? state.type) : undefined;
    switch (event.type) {
      case 'ExecutionStarted':
        this.add(
          'ExecutionStarted',
          { input: json(event.input), inputDetails: { truncated: false } },
          event.timestamp,
        );
        break;
      case 'StateEntered':
        if (!state || !type) break;
        this.add(`${type}StateEntered`, { name: state.name, input: json(state.input) }, event.timestamp);
        if (type === 'Map' || type === 'Parallel')
          this.add(`${type}StateStarted`, undefined, event.timestamp);
        this.countAttempt(state.name);
        break;
      case 'StateRetried':
        if (state) this.countAttempt(state.name);
        break;
      case 'StateExited':
        if (!state || !type) break;
        if (type === 'Map' || type === 'Parallel')
          this.add(`${type}StateSucceeded`, undefined, event.timestamp);
        this.add(`${type}StateExited`, { name: state.name, output: json(state.output) }, event.timestamp);
        break;
      case 'MapIterationStarted':
      case 'MapIterationSucceeded':
      case 'MapIterationFailed':
        this.add(event.type, { name: event.parentState?.name, index: event.index }, event.timestamp);
        break;
      default:
        break;
    }
  }

  private countAttempt(stateName: string): void {
    const count = (this.attempts.get(stateName) ?? 0) + 1;
    this.attempts.set(stateName, count);
    const waiters = this.attemptWaiters.get(stateName);
    if (!waiters) return;
    const ready = waiters.filter((waiter) => waiter.atLeast <= count);
    this.attemptWaiters.set(
      stateName,
      waiters.filter((waiter) => waiter.atLeast > count),
    );
    for (const waiter of ready) waiter.resolve();
  }
}

function stateDetailsKey(type: string): string {
  return type.endsWith('StateEntered') ? 'stateEnteredEventDetails' : 'stateExitedEventDetails';
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}
