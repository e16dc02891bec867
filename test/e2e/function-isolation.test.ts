/**
 * Functions hosted as Lambda hosts them: a handler that loops, outlives its timeout, exhausts its
 * memory or exits is ended with its execution environment and fails its own invocation with
 * Lambda's error (`Lambda.Unknown` to a workflow, whose Retry and Catch apply), and the runtime keeps
 * serving; each function sees its own environment variables, never the test process's; environments
 * are started on demand up to a cap, reused warm and ended when idle.
 */

import { readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetExecutionHistoryCommand, ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { FunctionBundlingFailed } from '../../lib/embedded/function-bundles';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { startEmbeddedRuntime } from '../../lib/embedded/runtime';
import { repositoryRoot } from '../../lib/topology/repository-root';
import { bareFunction, brokenFunction, unrulyFunction, unrulyWorkflows } from '../fixtures/fixture-topology';
import type { UnrulyEvent } from '../fixtures/isolation/unruly-function';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

const UNRULY = 'baton-local-fixture-unruly';
const BARE = 'baton-local-fixture-bare';
const BROKEN = 'baton-local-fixture-broken';
const MAX_ENVIRONMENTS = 3;

const testProcessEnvironment = { ...process.env };
const BUNDLES = join(repositoryRoot, 'node_modules', '.cache', 'baton', 'functions');
/** The bundles of this process's runtimes (other test files' runtimes build beside them). */
const ownBundles = () => readdirSync(BUNDLES).filter((name) => name.startsWith(`${process.pid}-`));
let t: TestRuntime;
let lambda: LambdaClient;

beforeAll(async () => {
  t = await startTestRuntime({
    functions: [unrulyFunction, bareFunction, brokenFunction],
    workflows: unrulyWorkflows,
    routes: [],
    schedules: [],
    simulatedAgent: false,
    functionEnvironments: { maxEnvironments: MAX_ENVIRONMENTS, idleMs: 1500 },
  });
  // Signed as Baton's own functions sign: only Baton invokes its hosted functions.
  lambda = new LambdaClient({
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: t.runtime.functionCredentials,
    maxAttempts: 1,
  });
});
afterAll(async () => {
  lambda.destroy();
  await t.stop();
});

/** Invokes through Lambda's API; a function error comes back as `{functionError, errorType, errorMessage}`. */
async function invoke(functionName: string, event: UnrulyEvent): Promise<Record<string, unknown>> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: JSON.stringify(event) }),
  );
  expect(answer.StatusCode).toBe(200);
  const payload = JSON.parse(new TextDecoder().decode(answer.Payload));
  return answer.FunctionError ? { functionError: answer.FunctionError, ...payload } : payload;
}

const whoami = (functionName = UNRULY) =>
  invoke(functionName, { action: 'whoami' }) as Promise<{ environmentId: string; served: number }>;

/** Runs the fixture workflow (retry `Lambda.Unknown` once, catch all) and returns the error it caught. */
async function caughtError(event: UnrulyEvent): Promise<{ error: string; cause: unknown; tries: string[] }> {
  const description = await t.run('fixture-unruly', event);
  expect(description.status).toBe('SUCCEEDED');
  const { error } = JSON.parse(description.output ?? '{}') as { error: { Error: string; Cause: string } };
  const { events = [] } = await t.sfn.send(
    new GetExecutionHistoryCommand({ executionArn: description.executionArn }),
  );
  const tries = events
    .filter((event) => event.type === 'TaskFailed')
    .map((event) => event.taskFailedEventDetails?.error ?? '');
  return { error: error.Error, cause: JSON.parse(error.Cause), tries };
}

describe('a handler that misbehaves fails its own task, and the runtime keeps serving', () => {
  it('busy-loops past its timeout: ended, Lambda.Unknown (Sandbox.Timedout), retried once, then caught', async () => {
    const { error, cause, tries } = await caughtError({ action: 'busy-loop' });
    expect(error).toBe('Lambda.Unknown');
    expect(cause).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 1\.00 seconds$/),
    });
    expect(tries).toEqual(['Lambda.Unknown', 'Lambda.Unknown']);
    expect(await whoami()).toHaveProperty('environmentId');
  });

  it('awaits past its timeout, then would write: ended first, so the write never happens', async () => {
    const { error, cause, tries } = await caughtError({ action: 'write-late', key: 'late', delayMs: 1500 });
    expect(error).toBe('Lambda.Unknown');
    expect(cause).toMatchObject({ errorType: 'Sandbox.Timedout' });
    expect(tries).toHaveLength(2);
    // The last try would have written 0.5 s after the execution ended; allow it four times that.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await t.ledgerItem({ pk: 'UNRULY#late', sk: 'WRITTEN' })).toBeUndefined();

    // Within its timeout, the same handler writes: the probe above can see a write.
    const prompt = await t.run('fixture-unruly', { action: 'write-late', key: 'prompt', delayMs: 50 });
    expect(JSON.parse(prompt.output ?? '{}')).toMatchObject({ result: { written: 'prompt' } });
    expect(await t.ledgerItem({ pk: 'UNRULY#prompt', sk: 'WRITTEN' })).toBeDefined();
  });

  it('exhausts its memory: its heap is held to its memory size, Lambda.Unknown (Runtime.OutOfMemory)', async () => {
    const { error, cause, tries } = await caughtError({ action: 'exhaust-memory' });
    expect(error).toBe('Lambda.Unknown');
    expect(cause).toMatchObject({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: expect.stringContaining('Runtime exited with error: signal: killed'),
    });
    expect(tries).toEqual(['Lambda.Unknown', 'Lambda.Unknown']);
    expect(await whoami()).toHaveProperty('environmentId');
  });

  it('calls process.exit: Lambda.Unknown (Runtime.ExitError with the exit status)', async () => {
    const { error, cause, tries } = await caughtError({ action: 'exit', status: 3 });
    expect(error).toBe('Lambda.Unknown');
    expect(cause).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringContaining('Runtime exited with error: exit status 3'),
    });
    expect(tries).toHaveLength(2);
    expect(await whoami()).toHaveProperty('environmentId');
  });

  it("answers Lambda's Invoke as Lambda does: 200, FunctionError Unhandled, the error; a crashed environment is replaced", async () => {
    expect(await invoke(UNRULY, { action: 'busy-loop' })).toEqual({
      functionError: 'Unhandled',
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringContaining('Task timed out after 1.00 seconds'),
    });

    const before = await whoami();
    // As Lambda's Node.js runtime reports them: the uncaught error itself, or the rejection.
    expect(await invoke(UNRULY, { action: 'throw-later' })).toEqual({
      functionError: 'Unhandled',
      errorType: 'TypeError',
      errorMessage: 'thrown outside the handler',
    });
    const afterThrow = await whoami();
    expect(afterThrow.environmentId).not.toBe(before.environmentId);
    expect(await invoke(UNRULY, { action: 'reject-later' })).toEqual({
      functionError: 'Unhandled',
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'RangeError: rejected with no one to catch it',
    });
    expect((await whoami()).environmentId).not.toBe(afterThrow.environmentId);
  });
});

describe('a function whose initialization fails', () => {
  it('fails each invocation with the error its module threw, and tries again on the next', async () => {
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(await invoke(BROKEN, { action: 'whoami' })).toEqual({
        functionError: 'Unhandled',
        errorType: 'BrokenAtImport',
        errorMessage: 'this module fails while it loads',
      });
    }
    expect(t.runtime.lambda.environments(BROKEN)).toBe(0);
  });
});

describe("the request of issue 9 that grew the runtime's heap to 4 GB", () => {
  it('ends its own execution (start-rollout runs out of memory), and the runtime keeps serving', async () => {
    const product = await startTestRuntime();
    try {
      const description = await product.run('roll-out-service', {
        rolloutId: 'issue-9',
        functionName: 'hx',
        alias: 'live',
        targetVersion: '2',
        strategy: { type: 'linear', stepPercent: 1e-7, intervalSeconds: 1 },
      });
      expect(['FAILED', 'SUCCEEDED']).toContain(description.status);
      const { stateMachines = [] } = await product.sfn.send(new ListStateMachinesCommand({}));
      expect(stateMachines.length).toBeGreaterThan(0);
    } finally {
      await product.stop();
    }
  });
});

describe('each function has an environment of its own', () => {
  it("sees its own variables, not another function's nor the test process's, and changes none of them", async () => {
    const unruly = await invoke(UNRULY, { action: 'environment', set: { SET_BY_UNRULY: 'yes' } });
    const bare = await invoke(BARE, { action: 'environment' });
    const credentials = t.runtime.functionCredentials;
    const lambdaVariables = (functionName: string, memory: string) => ({
      AWS_ENDPOINT_URL: t.runtime.url,
      // DynamoDB calls go straight to the store's thread.
      AWS_ENDPOINT_URL_DYNAMODB: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory,
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
      AWS_LAMBDA_LOG_STREAM_NAME: 'embedded',
      // The runtime's level (vitest.config.ts sets it), passed on.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      // The stage's service names its metrics; there is no X-Ray daemon to trace to.
      POWERTOOLS_SERVICE_NAME: 'baton-local',
      POWERTOOLS_TRACE_ENABLED: 'false',
    });
    expect(unruly).toEqual({
      ...lambdaVariables(UNRULY, '128'),
      TABLE_NAME: LEDGER_TABLE_NAME,
      EVENT_BUS_NAME: 'baton-local',
      SET_BY_UNRULY: 'yes',
    });
    // Its schema declares no variable of Baton's: it gets none.
    expect(bare).toEqual(lambdaVariables(BARE, '256'));
    expect(process.env).toEqual(testProcessEnvironment);
  });
});

describe('functions the runtime cannot host stop its start, with nothing left behind', () => {
  const port = 0;
  const dataDirectory = null;

  it('a function whose handler cannot be bundled: FunctionBundlingFailed', async () => {
    const missing = { ...bareFunction, id: 'missing', entry: 'test/fixtures/isolation/no-such-handler.ts' };
    const bundlesBefore = ownBundles();
    const start = startEmbeddedRuntime({
      port,
      dataDirectory,
      functions: [missing],
      workflows: [],
      routes: [],
    });
    await expect(start).rejects.toThrow(FunctionBundlingFailed);
    await expect(start).rejects.toThrow(/no-such-handler\.ts/);
    expect(ownBundles()).toEqual(bundlesBefore);
  });

  it('a function whose schema reads a variable the runtime does not offer', async () => {
    const greedy = { ...bareFunction, id: 'greedy', environment: z.object({ SECRET_TOKEN: z.string() }) };
    const start = startEmbeddedRuntime({
      port,
      dataDirectory,
      functions: [greedy],
      workflows: [],
      routes: [],
    });
    await expect(start).rejects.toThrow(/function greedy reads variables Baton does not offer/);
  });
});

describe('execution environments, as Lambda keeps them', () => {
  it('scales out to its cap under concurrent invocations and queues beyond it, reuses one warm, ends idle ones', async () => {
    const burst = await Promise.all(
      Array.from({ length: 2 * MAX_ENVIRONMENTS }, () => invoke(BARE, { action: 'whoami', holdMs: 300 })),
    );
    expect(new Set(burst.map((answer) => answer.environmentId)).size).toBe(MAX_ENVIRONMENTS);
    expect(t.runtime.lambda.environments(BARE)).toBe(MAX_ENVIRONMENTS);

    const first = await whoami(BARE);
    const second = await whoami(BARE);
    expect(second).toEqual({ environmentId: first.environmentId, served: first.served + 1 });

    await eventually(() => (t.runtime.lambda.environments(BARE) === 0 ? true : undefined));
  });

  it('holds every function to one cap together: an idle one of another function, then a finished one, makes room', async () => {
    const capped = await startTestRuntime({
      functions: [unrulyFunction, bareFunction],
      workflows: [],
      routes: [],
      schedules: [],
      simulatedAgent: false,
      // Idle environments outlive the test: only the cap ends them.
      functionEnvironments: { maxEnvironments: 3, idleMs: 60_000, maxTotalEnvironments: 4 },
    });
    const client = new LambdaClient({
      endpoint: capped.runtime.url,
      region: 'us-east-1',
      credentials: capped.runtime.functionCredentials,
      maxAttempts: 1,
    });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, capped.runtime.lambda.environments());
    }, 5);
    const hold = async (functionName: string, holdMs: number) => {
      const answer = await client.send(
        new InvokeCommand({
          FunctionName: functionName,
          Payload: JSON.stringify({ action: 'whoami', holdMs }),
        }),
      );
      expect(answer.FunctionError).toBeUndefined();
      return JSON.parse(new TextDecoder().decode(answer.Payload)) as { environmentId: string };
    };
    try {
      await Promise.all([hold(UNRULY, 300), hold(UNRULY, 300)]);
      expect(capped.runtime.lambda.environments(UNRULY)).toBe(2);
      // Three more than the two idle ones fit: the one idle longest is ended for the third.
      const bare = await Promise.all([hold(BARE, 300), hold(BARE, 300), hold(BARE, 300)]);
      expect(new Set(bare.map((answer) => answer.environmentId)).size).toBe(3);
      expect(capped.runtime.lambda.environments(UNRULY)).toBe(1);
      // Every place busy: a second invocation of UNRULY waits for one to finish and end.
      await Promise.all([
        hold(BARE, 400),
        hold(BARE, 400),
        hold(BARE, 400),
        hold(UNRULY, 400),
        hold(UNRULY, 0),
      ]);
      expect(capped.runtime.lambda.environments()).toBeLessThanOrEqual(4);
      expect(peak).toBe(4);
    } finally {
      clearInterval(sampler);
      client.destroy();
      await capped.stop();
    }
  });

  it("moves every function to the store's new door when its port was taken while it restarted", async () => {
    const before = await whoami();
    expect(t.runtime.lambda.environments(UNRULY)).toBe(1);
    const { store } = t.runtime;
    const port = Number(new URL(store.functionsUrl).port);
    await store.crashThread();
    // Another local process takes the port before the store's new thread can.
    let impostorCalls = 0;
    const impostor = createServer((socket) => {
      impostorCalls += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => impostor.listen(port, '127.0.0.1', resolve));
    try {
      await store.call('DescribeTable', { TableName: LEDGER_TABLE_NAME });
      expect(Number(new URL(store.functionsUrl).port)).not.toBe(port);
      // Environments that knew the old door were ended; new ones write through the new door.
      expect(t.runtime.lambda.environments(UNRULY)).toBe(0);
      const after = await whoami();
      expect(after.environmentId).not.toBe(before.environmentId);
      expect(await invoke(UNRULY, { action: 'write-late', key: 'moved', delayMs: 0 })).toEqual({
        written: 'moved',
      });
      expect(await t.ledgerItem({ pk: 'UNRULY#moved', sk: 'WRITTEN' })).toBeDefined();
      expect(impostorCalls).toBe(0);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it('ends every environment when the runtime closes', async () => {
    await whoami(BARE);
    const closing = t.runtime;
    expect(closing.lambda.environments(BARE)).toBe(1);
    await t.restart();
    expect(closing.lambda.environments(BARE)).toBe(0);
  });
});
