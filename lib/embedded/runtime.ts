/**
 * The embedded runtime: Baton on one machine with no AWS account. One loopback endpoint speaks
 * EventBridge, Step Functions, DynamoDB and the Lambda control plane; behind it the local bus
 * routes by the shared routes, the ASL files run in aws-local-stepfunctions, the functions run
 * in processes of their own as Lambda runs them (`lambda-host.ts`), the ledger lives in dynalite
 * under the data directory (the execution records in a journal beside it) and a simulated fleet of
 * functions (versions, aliases) answers rollouts and provisioners. A stop, or the start after a
 * crash, ends what was running ABORTED and announces it, so that Baton's own recovery runs.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect } from '../cli/connection';
import { eventLogTail, RecentEvents } from '../console/event-feed';
import { openWebConsole, type WebConsole } from '../console/web-console';
import { type FunctionDefinition, functions as productFunctions } from '../topology/functions';
import { batonName } from '../topology/resource-names';
import { routes as productRoutes } from '../topology/routes';
import { schedules as productSchedules, type Schedule } from '../topology/schedules';
import { workflowBindings, workflowSubstitutions } from '../topology/workflow-substitutions';
import { productWorkflowDirectory, type WorkflowDefinition, workflowsIn } from '../topology/workflows';
import { createAwsJsonServer } from './aws-json-server';
import { holdDataDirectory } from './data-directory-lock';
import { MetricsCollector, type RuntimeMetrics } from './emf-metrics';
import { BATON_BUS_NAME, type BoundRoute, bindRoutes, LocalEventBus } from './event-bus';
import { eventBridgeApi } from './eventbridge-api';
import { ExecutionJournal } from './execution-journal';
import { executionEndedLine, executionStartedLine } from './execution-log';
import type { ExecutionRecord } from './execution-record';
import { executionStatusChange } from './execution-status-change';
import { callerOrigin, type FunctionCredentials, functionCredentials } from './function-credentials';
import { FunctionOutput } from './function-output';
import { lambdaApi } from './lambda-api/lambda-api';
import { openLambdaFleet } from './lambda-fleet/fleet-file';
import type { LambdaFleet } from './lambda-fleet/lambda-fleet';
import { LambdaThrottle } from './lambda-fleet/throttling';
import type { EnvironmentLimits } from './lambda-host';
import { LambdaHost, localFunctionArn, localFunctionName } from './lambda-host';
import { type LedgerStore, startLedgerStore } from './ledger-store';
import {
  DEFAULT_PORT,
  LEDGER_TABLE_NAME,
  LOCAL_ACCOUNT,
  LOCAL_REGION,
  LOCAL_STAGE,
  LOOPBACK,
  localArn,
} from './local-aws';
import { NdjsonLog } from './ndjson-log';
import { DEFAULT_MAX_EXECUTIONS, DEFAULT_SIMULATED_AGENT } from './runtime-defaults';
import { type SimulatedAgentOptions, startSimulatedAgent } from './simulated-agent';
import { stepFunctionsApi } from './stepfunctions-api';
import { TaskTokenRegistry } from './task-tokens';
import { WorkflowEngine } from './workflow-engine';

/** However strong the time scale, a schedule runs at most this often (a sweep takes time too). */
const MIN_SCHEDULE_PERIOD_MS = 100;
/**
 * …and the characters of their inputs, outputs and histories: 1 000 executions near the 256 KB
 * payload limit, whose histories repeat their payloads state by state, would otherwise hold
 * gigabytes in memory and in the journal.
 */
export const DEFAULT_MAX_EXECUTION_CHARACTERS = 128 * 1024 * 1024;
/**
 * How long a shutdown waits for the recovery of the executions it stopped (and for work in
 * flight) before it closes anyway: what is left then is found by the next start's reconciler.
 */
const SHUTDOWN_GRACE_MS = 3000;

export interface EmbeddedRuntimeOptions {
  /** Port on 127.0.0.1; 0 picks a free one. Default 4010. */
  readonly port?: number;
  /** Where the store and logs persist; `null` keeps everything in memory. Default `.baton`. */
  readonly dataDirectory?: string | null;
  /** Divides Wait durations and callback deadlines, and speeds schedules up (demos, tests). Default 1. */
  readonly timeScale?: number;
  /** Execution records kept before the oldest finished ones are dropped. Default {@link DEFAULT_MAX_EXECUTIONS}. */
  readonly maxExecutions?: number;
  /** Characters of finished records kept, likewise. Default {@link DEFAULT_MAX_EXECUTION_CHARACTERS}. */
  readonly maxExecutionCharacters?: number;
  readonly functions?: readonly FunctionDefinition[];
  readonly workflows?: readonly WorkflowDefinition[];
  readonly routes?: readonly BoundRoute[];
  /** Default: the product's schedules, each a timer here. */
  readonly schedules?: readonly Schedule[];
  /** The built-in agent that answers workload moves; `false` leaves them to a real agent. */
  readonly simulatedAgent?: SimulatedAgentOptions | false;
  /** Share of Lambda control-plane calls answered `TooManyRequestsException` (0–1). Default 0. */
  readonly lambdaThrottleRate?: number;
  /** One line on stdout as each execution starts and ends (`baton dev` unless `--quiet`). Default false. */
  readonly logExecutions?: boolean;
  /** Execution environments per function and across all, and how long an idle one is kept. Default `DEFAULT_ENVIRONMENT_LIMITS`. */
  readonly functionEnvironments?: Partial<EnvironmentLimits>;
}

export interface EmbeddedRuntime {
  readonly url: string;
  /** The web console's page (`url` + `/`), its reads and its action token. */
  readonly console: WebConsole;
  readonly port: number;
  readonly bus: LocalEventBus;
  readonly engine: WorkflowEngine;
  readonly lambda: LambdaHost;
  /** The simulated functions behind the Lambda control plane. */
  readonly lambdaFleet: LambdaFleet;
  /** The Lambda control plane's throttle controls (`throttleNext`, `throttleRate`). */
  readonly lambdaThrottle: LambdaThrottle;
  /** The ledger's DynamoDB, on its own thread. */
  readonly store: LedgerStore;
  readonly tokens: TaskTokenRegistry;
  /** What Baton's own functions sign with (this runtime's alone): a request signed so may publish as `baton`. */
  readonly functionCredentials: FunctionCredentials;
  /** The functions' EMF metrics, summed since the start (their lines are in `metrics.ndjson`). */
  readonly metrics: RuntimeMetrics;
  readonly dataDirectory: string | undefined;
  close(): Promise<void>;
}

export async function startEmbeddedRuntime(options: EmbeddedRuntimeOptions = {}): Promise<EmbeddedRuntime> {
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale))
    throw new RangeError('timeScale must be a positive number');
  const dataDirectory = options.dataDirectory === null ? undefined : (options.dataDirectory ?? '.baton');
  const functionDefinitions = options.functions ?? productFunctions;
  // Before the store starts: a function whose schema asks for a variable the runtime does not
  // offer, a fleet file that cannot be read, or a handler that cannot be bundled, stops the start
  // with nothing to close.
  const lambda = new LambdaHost(
    functionDefinitions,
    { TABLE_NAME: LEDGER_TABLE_NAME, EVENT_BUS_NAME: BATON_BUS_NAME },
    options.functionEnvironments,
  );
  const lambdaFleet = openLambdaFleet(dataDirectory && join(dataDirectory, 'lambda-fleet.json'));
  const lambdaThrottle = new LambdaThrottle(options.lambdaThrottleRate);
  await lambda.bundle();
  const credentials = functionCredentials();
  // Before anything under the data directory is written: a runtime holding it already is named.
  const hold = dataDirectory === undefined ? undefined : holdDataDirectory(dataDirectory);
  const store = await startLedgerStore(
    dataDirectory && join(dataDirectory, 'store'),
    LEDGER_TABLE_NAME,
    credentials.accessKeyId,
  ).catch(async (error: unknown) => {
    hold?.release();
    await lambda.close();
    throw error;
  });
  const eventLogPath = dataDirectory && join(dataDirectory, 'events.ndjson');
  // The console shows the latest events from before this start too.
  const consoleFeed = new RecentEvents();
  for (const event of eventLogTail(eventLogPath)) consoleFeed.add(event);
  const eventLog = new NdjsonLog(eventLogPath);
  const deadLetters = new NdjsonLog(dataDirectory && join(dataDirectory, 'dead-letters.ndjson'));
  const metricsLog = new NdjsonLog(dataDirectory && join(dataDirectory, 'metrics.ndjson'));
  const metrics = new MetricsCollector();
  const bus = new LocalEventBus(options.routes ?? bindRoutes(productRoutes), eventLog, deadLetters);
  const tokens = new TaskTokenRegistry();
  const retention = {
    maxExecutions: options.maxExecutions ?? DEFAULT_MAX_EXECUTIONS,
    maxCharacters: options.maxExecutionCharacters ?? DEFAULT_MAX_EXECUTION_CHARACTERS,
  };
  const journal = new ExecutionJournal(dataDirectory && join(dataDirectory, 'executions.ndjson'), retention);
  // A start that fails from here on (a workflow that does not load, a journal that cannot be read,
  // a port in use) closes what it opened and lets the data directory go, so that it can be retried.
  const abandonStart = async (error: unknown): Promise<never> => {
    await Promise.allSettled([eventLog.close(), deadLetters.close(), metricsLog.close(), journal.close()]);
    await Promise.allSettled([store.close(), lambda.close()]);
    hold?.release();
    throw error;
  };
  const announceEnd = (record: ExecutionRecord) => {
    if (options.logExecutions) console.log(executionEndedLine(record));
    announceExecutionEnd(bus, record);
  };
  let engine: WorkflowEngine;
  try {
    engine = new WorkflowEngine({
      workflows: options.workflows ?? workflowsIn(productWorkflowDirectory),
      substitutions: localSubstitutions(functionDefinitions.map((definition) => definition.id)),
      bindings: workflowBindings(functionDefinitions.map((definition) => definition.id)),
      services: { lambda, bus, store, tokens, timeScale },
      retention,
      journal,
      onExecutionStarted: options.logExecutions
        ? (record) => console.log(executionStartedLine(record))
        : undefined,
      // As in AWS: every execution's end is announced on the bus, a shutdown's stops too.
      onExecutionEnded: announceEnd,
    });
    // What a crash left running ends now, as a StopExecution would end it, and is announced so that
    // Baton's recovery runs once the routes are connected below.
    for (const record of engine.restore(journal.read())) announceEnd(record);
  } catch (error) {
    return abandonStart(error);
  }

  bus.subscribe((event) => consoleFeed.add(event));
  // The console reads through the endpoint it is served from, once it listens.
  let webConsole: WebConsole | undefined;
  const server = createAwsJsonServer(
    [eventBridgeApi(bus), stepFunctionsApi(engine, tokens)],
    [store],
    [
      lambdaApi(lambdaFleet, lambdaThrottle, {
        hosts: (functionName) => lambda.functions.some((fn) => fn.functionName === functionName),
        invoke: (functionName, payload) => lambda.invoke(functionName, payload),
      }),
    ],
    (request) => callerOrigin(request.headers.authorization, credentials),
    {
      owns: (path, method) => webConsole?.server.owns(path, method) ?? false,
      handle: (request, response, path, query) => webConsole?.server.handle(request, response, path, query),
    },
  );
  const port = await listen(server, options.port ?? DEFAULT_PORT).catch(abandonStart);
  const url = `http://${LOOPBACK}:${port}`;
  webConsole = openWebConsole({
    connection: connect({ endpoint: url }),
    feed: consoleFeed,
    mode: 'embedded',
    metrics: () => metrics.figures(),
    timeScale,
  });
  lambda.serve(
    { url, storeUrl: store.functionsUrl, credentials, logLevel: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN' },
    new FunctionOutput(metricsLog, metrics),
  );
  store.onFunctionsUrlChange((storeUrl) => {
    console.error(
      `[baton] the store's port was taken while it restarted: its functions' door is ${storeUrl} now`,
    );
    void lambda.moveStore(storeUrl);
  });
  bus.connect({
    deliver: async (target, event) => {
      if (target.kind === 'function') return lambda.invoke(localFunctionName(target.functionId), event);
      return engine.start(engine.workflowArn(target.workflowId), JSON.stringify(event.detail));
    },
  });

  const agentOptions = options.simulatedAgent ?? DEFAULT_SIMULATED_AGENT;
  const stopAgent = agentOptions ? startSimulatedAgent(bus, agentOptions) : () => {};

  // A runtime hosting only some functions (benchmarks, tests) runs only their schedules.
  const hosted = (schedule: Schedule) =>
    lambda.functions.some((fn) => fn.functionName === localFunctionName(schedule.functionId));
  const timers = (options.schedules ?? productSchedules).filter(hosted).map((schedule) => {
    // A run still going when its next tick comes is not doubled: that tick is skipped.
    let running = false;
    const tick = () => {
      if (running) return;
      running = true;
      void runScheduled(lambda, schedule).finally(() => {
        running = false;
      });
    };
    if (schedule.runsAtStart) tick();
    return setInterval(tick, Math.max(MIN_SCHEDULE_PERIOD_MS, (schedule.everySeconds * 1000) / timeScale));
  });

  return {
    url,
    console: webConsole,
    port,
    bus,
    engine,
    lambda,
    lambdaFleet,
    lambdaThrottle,
    store,
    tokens,
    functionCredentials: credentials,
    metrics,
    dataDirectory,
    // Running executions are stopped and announced as in AWS, and the recovery they trigger is
    // given a moment to run; in-flight work still needs the endpoint (handlers call it), so it
    // closes last.
    close: async () => {
      try {
        for (const timer of timers) clearInterval(timer);
        stopAgent();
        webConsole?.close();
        await engine.stopAll();
        await atMost(SHUTDOWN_GRACE_MS, Promise.all([bus.settle(), lambda.settle()]));
        bus.stopDelivering();
        await lambda.close();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        await Promise.all([eventLog.close(), deadLetters.close(), metricsLog.close(), journal.close()]);
        await store.close();
      } finally {
        // Whatever failed on the way, the directory is this runtime's no longer.
        hold?.release();
      }
    },
  };
}

/** Puts an execution's end on the bus; an announcement that fails is reported, never thrown. */
function announceExecutionEnd(bus: LocalEventBus, record: ExecutionRecord): void {
  try {
    const { FailedEntryCount, Entries } = bus.putEvents([executionStatusChange(record)], 'baton');
    if (FailedEntryCount > 0) throw new Error(JSON.stringify(Entries[0]));
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    console.error(
      `[baton] the end of ${record.executionArn} was not announced (the reconciler will find what it left): ${failure.name}: ${failure.message}`,
    );
  }
}

/** Invokes a schedule's function with the event an EventBridge schedule rule sends. */
function runScheduled(lambda: LambdaHost, schedule: Schedule): Promise<unknown> {
  const event = {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: LOCAL_ACCOUNT,
    time: new Date().toISOString(),
    region: LOCAL_REGION,
    resources: [localArn('events', `rule/${batonName(LOCAL_STAGE, schedule.id)}`)],
    detail: {},
  };
  return lambda.invoke(localFunctionName(schedule.functionId), event).catch((error: Error) => {
    console.error(`[baton] schedule ${schedule.id} failed: ${error.name}: ${error.message}`);
  });
}

/** The values CDK's `definitionSubstitutions` provide in the cloud, pointing at local twins. */
export function localSubstitutions(functionIds: readonly string[]): Record<string, string> {
  return workflowSubstitutions({
    functionArns: new Map(functionIds.map((id) => [id, localFunctionArn(id)])),
    eventBusName: BATON_BUS_NAME,
    eventBusArn: localArn('events', `event-bus/${BATON_BUS_NAME}`),
    tableName: LEDGER_TABLE_NAME,
    tableArn: localArn('dynamodb', `table/${LEDGER_TABLE_NAME}`),
  });
}

/** Waits for `work`, but no longer than `ms`. */
async function atMost(ms: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
