/**
 * Binds each Task state to a local equivalent by its resource ARN — never by state name — so a
 * new state needs no local wiring: Lambda (optimized `lambda:invoke` or a function ARN) → the
 * function in its execution environment; `events:putEvents` → the local bus; `dynamodb:*` and
 * `aws-sdk:dynamodb:*` → the store; `.waitForTaskToken` on any of them → a token wait.
 */
import { AwsError } from './aws-error';
import {
  LOCAL_TIMEOUT_PARAMETER,
  LOCAL_WAIT_RESOURCE,
  type TaskSite,
  timerDelayMs,
  WAIT_FOR_TASK_TOKEN,
} from './engine-definition';
import type { LocalEventBus } from './event-bus';
import type { ExecutionHistory } from './execution-history';
import { FunctionInvocationError } from './function-invocation-error';
import type { LambdaHost } from './lambda-host';
import type { LedgerStore } from './ledger-store';
import { LOCAL_REGION } from './local-aws';
import { executionEnded, TaskFailure } from './task-failure';
import type { TaskTokenRegistry } from './task-tokens';

/** What the bindings call: the runtime's local services. */
export interface LocalServices {
  readonly lambda: LambdaHost;
  readonly bus: LocalEventBus;
  readonly store: Pick<LedgerStore, 'call'>;
  readonly tokens: TaskTokenRegistry;
  /** Wait durations are divided by this (`--time-scale`). */
  readonly timeScale: number;
}

/** One execution's view, shared by all its task calls. */
export interface ExecutionScope {
  readonly history: ExecutionHistory;
  /**
   * The token minted by reading `$$.Task.Token` for the state being entered, until its task
   * claims it. Every read while the state's parameters are built returns the same token, and the
   * task claims it before anything else runs, so parallel Map iterations never share one.
   */
  unclaimedToken: string | undefined;
  /** Aborted when the execution ends, whatever the outcome: cancels waits and token waits. */
  readonly signal: AbortSignal;
}

export type TaskBinding = (input: unknown, scope: ExecutionScope) => Promise<unknown>;

/** Raised at load time for a resource the embedded runtime cannot run. */
export class UnsupportedIntegration extends Error {
  override readonly name = 'UnsupportedIntegration';
}

const SERVICE_INTEGRATION =
  /^arn:aws:states:::(?<service>[a-z0-9-]+(?::[a-z0-9-]+)?):(?<action>[A-Za-z0-9]+)(?<pattern>\.[A-Za-z]+)?$/;
const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;

type Call = (parameters: unknown) => Promise<unknown>;
type Integration = { resourceType: string; resource: string; call: Call };

export function bindTask(site: TaskSite, services: LocalServices): TaskBinding {
  if (site.resource === LOCAL_WAIT_RESOURCE) return bindWait(services);
  if (LAMBDA_FUNCTION_ARN.test(site.resource)) return bindLambdaFunction(site, services);
  const match = SERVICE_INTEGRATION.exec(site.resource)?.groups;
  if (!match)
    throw new UnsupportedIntegration(`${site.name}: resource ${site.resource} is not supported locally`);
  const { service = '', action = '', pattern } = match;
  if (pattern !== undefined && pattern !== WAIT_FOR_TASK_TOKEN) {
    throw new UnsupportedIntegration(`${site.name}: integration pattern ${pattern} is not supported locally`);
  }
  const integration: Integration = {
    resourceType: service,
    resource: `${action}${pattern ?? ''}`,
    call: serviceCall(site, service, action, services),
  };
  return pattern === WAIT_FOR_TASK_TOKEN
    ? bindWaitForTaskToken(site, integration, services)
    : bindRequestResponse(site, integration);
}

function serviceCall(site: TaskSite, service: string, action: string, services: LocalServices): Call {
  if (service === 'lambda' && action === 'invoke') return (parameters) => invokeLambda(parameters, services);
  if (service === 'events' && action === 'putEvents') return (parameters) => putEvents(parameters, services);
  if (service === 'dynamodb' || service === 'aws-sdk:dynamodb') {
    // AWS names errors of the optimized integration `DynamoDB.*`, of the SDK integration `DynamoDb.*`.
    const errorPrefix = service === 'dynamodb' ? 'DynamoDB' : 'DynamoDb';
    const operation = `${action.charAt(0).toUpperCase()}${action.slice(1)}`;
    return (parameters) => callDynamoDb(operation, parameters, errorPrefix, services);
  }
  throw new UnsupportedIntegration(`${site.name}: ${service}:${action} is not bound in the embedded runtime`);
}

function bindRequestResponse(site: TaskSite, integration: Integration): TaskBinding {
  return async (parameters, scope) => {
    await scheduleTask(site, integration, parameters, scope);
    try {
      const output = await integration.call(parameters);
      scope.history.add('TaskSucceeded', taskDetails(integration, { output: JSON.stringify(output) }));
      return output;
    } catch (error) {
      throw recordTaskFailure(integration, error, scope);
    }
  };
}

function bindWaitForTaskToken(
  site: TaskSite,
  integration: Integration,
  services: LocalServices,
): TaskBinding {
  return async (given, scope) => {
    const { parameters, timeoutSeconds } = taskTimeout(site, given);
    const token = claimToken(parameters, scope);
    await scheduleTask({ ...site, timeoutSeconds }, integration, parameters, scope);
    if (timeoutSeconds !== undefined && !(Number.isInteger(timeoutSeconds) && timeoutSeconds > 0)) {
      throw recordTaskFailure(
        integration,
        new TaskFailure('States.Runtime', `${site.name}: TimeoutSecondsPath must select a positive integer`),
        scope,
      );
    }
    if (!token) {
      throw recordTaskFailure(
        integration,
        new TaskFailure(
          'States.Runtime',
          `${site.name}: the parameters must pass $$.Task.Token to use ${WAIT_FOR_TASK_TOKEN}`,
        ),
        scope,
      );
    }
    // Register before calling out, so an answer sent by the callee itself is never missed.
    const answer = services.tokens.wait(token, {
      heartbeatSeconds: site.heartbeatSeconds,
      // Workflow time is compressed by --time-scale, so a callback's deadline is too; heartbeats
      // measure a live agent and keep their real period.
      timeoutSeconds: timeoutSeconds === undefined ? undefined : timeoutSeconds / services.timeScale,
      signal: scope.signal,
    });
    try {
      const submitted = await integration.call(parameters).catch((error: unknown) => {
        services.tokens.cancel(token);
        throw error;
      });
      scope.history.add('TaskSubmitted', taskDetails(integration, { output: JSON.stringify(submitted) }));
      const output = await answer;
      scope.history.add('TaskSucceeded', taskDetails(integration, { output: JSON.stringify(output) }));
      return output;
    } catch (error) {
      throw recordTaskFailure(integration, error, scope);
    }
  };
}

/** The task's timeout: fixed, or resolved from its input and taken out of its parameters. */
function taskTimeout(
  site: TaskSite,
  given: unknown,
): { parameters: unknown; timeoutSeconds: number | undefined } {
  if (!site.timeoutFromInput) return { parameters: given, timeoutSeconds: site.timeoutSeconds };
  const { [LOCAL_TIMEOUT_PARAMETER]: timeout, ...parameters } = given as Record<string, unknown>;
  return { parameters, timeoutSeconds: Number(timeout) };
}

function bindLambdaFunction(site: TaskSite, services: LocalServices): TaskBinding {
  return async (payload, scope) => {
    await taskStarts(site, scope);
    scope.history.add('LambdaFunctionScheduled', { resource: site.resource, input: JSON.stringify(payload) });
    scope.history.add('LambdaFunctionStarted');
    try {
      const output = await services.lambda.invoke(site.resource, payload).catch(asLambdaServiceFailure);
      scope.history.add('LambdaFunctionSucceeded', { output: JSON.stringify(output) });
      return output;
    } catch (error) {
      const failure = asTaskFailure(error);
      scope.history.add('LambdaFunctionFailed', { error: failure.name, cause: failure.message });
      throw failure;
    }
  };
}

function bindWait(services: LocalServices): TaskBinding {
  return (parameters, scope) => {
    const { seconds, timestamp, input } = parameters as {
      seconds?: number;
      timestamp?: string;
      input: unknown;
    };
    const ms = seconds !== undefined ? seconds * 1000 : new Date(String(timestamp)).getTime() - Date.now();
    // Ends early with the execution, as the engine's own Wait does: nothing may keep it running.
    return new Promise((resolve) => {
      if (scope.signal.aborted) return resolve(input);
      const end = () => {
        clearTimeout(timer);
        resolve(input);
      };
      const timer = setTimeout(
        () => {
          scope.signal.removeEventListener('abort', end);
          resolve(input);
        },
        timerDelayMs(ms / services.timeScale),
      );
      scope.signal.addEventListener('abort', end, { once: true });
    });
  };
}

/**
 * Every task call starts here, once the log has reported its state's attempt. None starts after
 * its execution has ended: a Retry of a task that failed as the execution was stopped would
 * otherwise run it again, which AWS never does.
 */
async function taskStarts(site: TaskSite, scope: ExecutionScope): Promise<void> {
  if (!scope.signal.aborted) await scope.history.bindingStarted(site.name);
  if (scope.signal.aborted) throw executionEnded();
}

async function scheduleTask(
  site: TaskSite,
  integration: Integration,
  parameters: unknown,
  scope: ExecutionScope,
) {
  await taskStarts(site, scope);
  scope.history.add(
    'TaskScheduled',
    taskDetails(integration, {
      region: LOCAL_REGION,
      parameters: JSON.stringify(parameters),
      ...(site.timeoutSeconds !== undefined ? { timeoutInSeconds: site.timeoutSeconds } : {}),
      ...(site.heartbeatSeconds !== undefined ? { heartbeatInSeconds: site.heartbeatSeconds } : {}),
    }),
  );
  scope.history.add('TaskStarted', taskDetails(integration));
}

function taskDetails(integration: Integration, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { resourceType: integration.resourceType, resource: integration.resource, ...extra };
}

function recordTaskFailure(integration: Integration, error: unknown, scope: ExecutionScope): TaskFailure {
  const failure = asTaskFailure(error);
  const timedOut = failure.name === 'States.Timeout' || failure.name === 'States.HeartbeatTimeout';
  scope.history.add(
    timedOut ? 'TaskTimedOut' : 'TaskFailed',
    taskDetails(integration, { error: failure.name, cause: failure.message }),
  );
  return failure;
}

/** Takes the token minted for this state, if its parameters carry it. Synchronous by design. */
function claimToken(parameters: unknown, scope: ExecutionScope): string | undefined {
  const token = scope.unclaimedToken;
  if (token === undefined) return undefined;
  scope.unclaimedToken = undefined;
  for (const value of strings(parameters)) if (value === token) return token;
  return undefined;
}

function* strings(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* strings(item);
  else if (typeof value === 'object' && value !== null)
    for (const item of Object.values(value)) yield* strings(item);
}

/**
 * Lambda reports a function error as `errorType` (Retry/Catch match it) and a JSON cause. An
 * environment that failed — timed out, out of memory, exited — is reported as AWS documents it for
 * unhandled Lambda errors: `Lambda.Unknown`, which `States.ALL` and `States.TaskFailed` match too.
 */
function asTaskFailure(error: unknown): TaskFailure {
  if (error instanceof TaskFailure) return error;
  if (error instanceof FunctionInvocationError) {
    return new TaskFailure(
      error.environmentFailed ? 'Lambda.Unknown' : error.errorType,
      JSON.stringify({ errorType: error.errorType, errorMessage: error.errorMessage, trace: [] }),
    );
  }
  const failure = error instanceof Error ? error : new Error(String(error));
  return new TaskFailure(failure.name || 'States.TaskFailed', failure.message);
}

async function invokeLambda(parameters: unknown, services: LocalServices): Promise<unknown> {
  const { FunctionName, Payload } = (parameters ?? {}) as { FunctionName?: unknown; Payload?: unknown };
  if (typeof FunctionName !== 'string')
    throw new TaskFailure('States.Runtime', 'lambda:invoke needs a FunctionName');
  // Payload is a JSON value: a string input reaches the function as that string, null as null.
  const output = await services.lambda
    .invoke(FunctionName, Payload === undefined ? {} : Payload)
    .catch(asLambdaServiceFailure);
  return { ExecutedVersion: '$LATEST', Payload: output, StatusCode: 200 };
}

/** The Lambda service's own refusals reach ASL prefixed, as `Lambda.ResourceNotFoundException`. */
function asLambdaServiceFailure(error: unknown): never {
  if (error instanceof AwsError) throw new TaskFailure(`Lambda.${error.code}`, error.message);
  throw error;
}

async function putEvents(parameters: unknown, services: LocalServices): Promise<unknown> {
  const { Entries } = (parameters ?? {}) as { Entries?: unknown };
  const entries = Array.isArray(Entries)
    ? Entries.map((entry: Record<string, unknown>) => ({
        ...entry,
        // The integration accepts Detail as JSON, the API as a string.
        Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail),
      }))
    : Entries;
  let result: ReturnType<LocalEventBus['putEvents']>;
  try {
    result = services.bus.putEvents(entries, 'baton');
  } catch (error) {
    // The bus refused the whole call: ASL sees it as AWS names it, `EventBridge.<exception>`.
    if (error instanceof AwsError) throw new TaskFailure(`EventBridge.${error.code}`, error.message);
    throw error;
  }
  if (result.FailedEntryCount > 0) {
    throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(result));
  }
  return result;
}

/** The store answers in the DynamoDB JSON protocol: exactly the shape the SDK integration returns. */
async function callDynamoDb(
  operation: string,
  parameters: unknown,
  errorPrefix: string,
  services: LocalServices,
): Promise<unknown> {
  try {
    return await services.store.call(operation, (parameters ?? {}) as Record<string, unknown>);
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    throw new TaskFailure(`${errorPrefix}.${failure.name}`, failure.message);
  }
}
