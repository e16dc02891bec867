/**
 * `import { startBaton } from 'baton/testing'`: the whole of Baton — its bus, workflows, functions
 * and ledger — inside a test of the user's own service, on a free loopback port, with real AWS SDK
 * clients pointed at it. Nothing is shared between two of them: each has its own port, its own
 * store (in memory unless a data directory is given) and its own functions' processes, so test
 * files and tests may start as many as they like, side by side.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BusEvent } from '../embedded/event-bus';
import { BATON_BUS_NAME } from '../embedded/event-bus';
import { compileEventPattern, type EventPattern } from '../embedded/event-pattern/event-pattern';
import { LEDGER_TABLE_NAME, LOCAL_REGION } from '../embedded/local-aws';
import { type EmbeddedRuntime, type EmbeddedRuntimeOptions, startEmbeddedRuntime } from '../embedded/runtime';
import { BusEventRecorder } from './bus-event-recorder';

export type { BusEvent } from '../embedded/event-bus';
export type { EventPattern } from '../embedded/event-pattern/event-pattern';

/**
 * As `startEmbeddedRuntime`'s options (the product's functions, workflows and routes unless
 * given), with a test's defaults: a free port (0) and nothing written to disk (`dataDirectory`
 * null) unless asked for.
 */
export type BatonTestOptions = EmbeddedRuntimeOptions;

/** The AWS SDK clients a user's code would create, pointed at this Baton. */
export interface BatonClients {
  readonly eventBridge: EventBridgeClient;
  readonly sfn: SFNClient;
  /** Lambda's control plane: the simulated fleet that rollouts shift traffic on. */
  readonly lambda: LambdaClient;
  /** The ledger's DynamoDB, through the document client. */
  readonly ledger: DynamoDBDocumentClient;
}

export interface BatonForTests {
  /** Where every AWS API answers: give it as `endpoint` to any AWS SDK client (or `--endpoint-url`). */
  readonly endpoint: string;
  /** The client configuration that reaches it (region and throwaway credentials included). */
  readonly clientConfig: {
    readonly endpoint: string;
    readonly region: string;
    readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  };
  readonly clients: BatonClients;
  /** The bus to put events on (`EventBusName`), and the ledger's table. */
  readonly eventBusName: string;
  readonly tableName: string;
  /** The ARN of a workflow's state machine (`allocate-resources`, `roll-out-service`…). */
  workflowArn(workflowId: string): string;
  /**
   * The first event on Baton's bus that matches an EventBridge pattern, among those since the
   * start and those yet to come; rejects with `EventNotSeen` after `timeoutMs` (default 10 s), and
   * throws `InvalidEventPatternException` at once for a pattern EventBridge would refuse.
   */
  nextEvent(pattern: EventPattern, options?: { timeoutMs?: number }): Promise<BusEvent>;
  /** The runtime itself, for what the clients cannot reach (its bus, engine, fleet…); a new one after `restart`. */
  readonly runtime: EmbeddedRuntime;
  /**
   * Stops the runtime as a graceful stop does and starts it again on the same port and data
   * directory (give one: in memory, nothing survives), running `meanwhile` in between. The
   * clients and `nextEvent` keep working.
   */
  restart(meanwhile?: () => void | Promise<void>): Promise<void>;
  /** Stops the runtime (as a graceful stop does) and closes the clients. */
  stop(): Promise<void>;
}

/** The embedded runtime checks no signatures: any key reaches it as an external caller. */
const TEST_CREDENTIALS = { accessKeyId: 'baton-test', secretAccessKey: 'baton-test' };

export async function startBaton(options: BatonTestOptions = {}): Promise<BatonForTests> {
  const recorder = new BusEventRecorder();
  const start = async (port: number) => {
    const started = await startEmbeddedRuntime({ dataDirectory: null, ...options, port });
    started.bus.subscribe((event) => recorder.add(event));
    return started;
  };
  let runtime = await start(options.port ?? 0);
  let running = true;
  const clientConfig = { endpoint: runtime.url, region: LOCAL_REGION, credentials: TEST_CREDENTIALS };
  // A local Baton fails only on purpose (an injected fault, a bad input): no retry hides it.
  const clientsConfig = { ...clientConfig, maxAttempts: 1 };
  const clients: BatonClients = {
    eventBridge: new EventBridgeClient(clientsConfig),
    sfn: new SFNClient(clientsConfig),
    lambda: new LambdaClient(clientsConfig),
    ledger: DynamoDBDocumentClient.from(new DynamoDBClient(clientsConfig)),
  };
  return {
    endpoint: runtime.url,
    clientConfig,
    clients,
    eventBusName: BATON_BUS_NAME,
    tableName: LEDGER_TABLE_NAME,
    workflowArn: (workflowId) => runtime.engine.workflowArn(workflowId),
    nextEvent: (pattern, { timeoutMs = 10_000 } = {}) =>
      recorder.next(compileEventPattern(pattern), timeoutMs),
    get runtime() {
      return runtime;
    },
    restart: async (meanwhile) => {
      await runtime.close();
      running = false;
      await meanwhile?.();
      runtime = await start(runtime.port);
      running = true;
    },
    stop: async () => {
      recorder.close();
      for (const client of Object.values(clients)) client.destroy();
      // A restart whose start failed left nothing running.
      if (running) await runtime.close();
      running = false;
    },
  };
}
