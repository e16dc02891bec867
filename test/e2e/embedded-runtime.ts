/** Starts an embedded runtime for a test file: free port, fresh data directory, fixture topology. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type BoundRoute, bindRoutes } from '../../lib/embedded/event-bus';
import type { EmbeddedRuntime, EmbeddedRuntimeOptions } from '../../lib/embedded/runtime';
import { type BatonForTests, startBaton } from '../../lib/testing/start-baton';
import { functions } from '../../lib/topology/functions';
import { routes } from '../../lib/topology/routes';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';
import { fixtureFunction, fixtureWorkflows } from '../fixtures/fixture-topology';

/** Routes a `FixtureRunRequested` event (source `test.fixture`) to the fixture workflow. */
export const fixtureRoute: BoundRoute = {
  id: 'fixture-run',
  pattern: { source: ['test.fixture'], 'detail-type': ['FixtureRunRequested'] },
  target: { kind: 'workflow', workflowId: 'fixture' },
};

export interface TestRuntime {
  /** The `baton/testing` Baton underneath, as a user's test would start it. */
  baton: BatonForTests;
  runtime: EmbeddedRuntime;
  dataDirectory: string;
  /** Real SDK clients pointed at the runtime, as a user's code would be. */
  eventBridge: EventBridgeClient;
  sfn: SFNClient;
  ledger: DynamoDBDocumentClient;
  /** DescribeExecution, once the execution has ended. */
  finished(executionArn: string | undefined): Promise<DescribeExecutionCommandOutput>;
  /** Starts a workflow with an input, as from the console; its execution's ARN. */
  start(workflowId: string, input: unknown): Promise<string>;
  /** Starts a workflow with an input, as from the console, and waits for it to end. */
  run(workflowId: string, input: unknown): Promise<DescribeExecutionCommandOutput>;
  /** A ledger item (key from `ledgerKeys`), read through the runtime's DynamoDB API. */
  ledgerItem(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined>;
  /** Stops the runtime gracefully and starts it again on its data directory, running `meanwhile` between. */
  restart(meanwhile?: () => void): Promise<void>;
  stop(): Promise<void>;
}

/** `startBaton` with Baton's test fixtures beside the product, on a fresh data directory. */
export async function startTestRuntime(overrides: EmbeddedRuntimeOptions = {}): Promise<TestRuntime> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const baton = await startBaton({
    dataDirectory,
    functions: [...functions, fixtureFunction],
    workflows: [...workflowsIn(productWorkflowDirectory), ...fixtureWorkflows],
    routes: [...bindRoutes(routes), fixtureRoute],
    ...overrides,
  });
  const { sfn, ledger, eventBridge } = baton.clients;
  const harness: TestRuntime = {
    baton,
    get runtime() {
      return baton.runtime;
    },
    dataDirectory,
    eventBridge,
    sfn,
    ledger,
    finished: (executionArn) =>
      eventually(async () => {
        const description = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return description.status === 'RUNNING' ? undefined : description;
      }),
    start: async (workflowId, input) => {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: baton.workflowArn(workflowId),
          input: JSON.stringify(input),
        }),
      );
      return executionArn ?? '';
    },
    run: async (workflowId, input) => harness.finished(await harness.start(workflowId, input)),
    ledgerItem: async (key) =>
      (await ledger.send(new GetCommand({ TableName: baton.tableName, Key: key }))).Item,
    restart: (meanwhile) => baton.restart(meanwhile),
    stop: async () => {
      await baton.stop();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
  return harness;
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
