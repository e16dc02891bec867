/** Starts an embedded runtime for a test file: free port, fresh data directory, fixture topology. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { type BoundRoute, bindRoutes } from '../../lib/embedded/event-bus';
import {
  type EmbeddedRuntime,
  type EmbeddedRuntimeOptions,
  startEmbeddedRuntime,
} from '../../lib/embedded/runtime';
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
  runtime: EmbeddedRuntime;
  dataDirectory: string;
  eventBridge: EventBridgeClient;
  sfn: SFNClient;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestRuntime(overrides: EmbeddedRuntimeOptions = {}): Promise<TestRuntime> {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'baton-test-'));
  const options: EmbeddedRuntimeOptions = {
    port: 0,
    dataDirectory,
    functions: [...functions, fixtureFunction],
    workflows: [...workflowsIn(productWorkflowDirectory), ...fixtureWorkflows],
    routes: [...bindRoutes(routes), fixtureRoute],
    ...overrides,
  };
  const harness: TestRuntime = {
    runtime: await startEmbeddedRuntime(options),
    dataDirectory,
    eventBridge: undefined as unknown as EventBridgeClient,
    sfn: undefined as unknown as SFNClient,
    // Restarts on the same port: handler clients created in this process keep their endpoint.
    restart: async () => {
      const port = harness.runtime.port;
      await harness.runtime.close();
      harness.runtime = await startEmbeddedRuntime({ ...options, port });
    },
    stop: async () => {
      harness.eventBridge.destroy();
      harness.sfn.destroy();
      await harness.runtime.close();
      rmSync(dataDirectory, { recursive: true, force: true });
    },
  };
  const clientConfig = {
    endpoint: harness.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  harness.eventBridge = new EventBridgeClient(clientConfig);
  harness.sfn = new SFNClient(clientConfig);
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
