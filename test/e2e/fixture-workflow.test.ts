/**
 * The fixture workflow (test/fixtures/state-machines/fixture.asl.json) executed from its ASL in
 * the embedded runtime, driven only through the real AWS SDK clients.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let fixtureArn: string;
const approvals = new Map<string, BusEvent>();

beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 20 });
  t.runtime.bus.subscribe((event) => {
    if (event['detail-type'] === 'FixtureApprovalRequested')
      approvals.set((event.detail as { id: string }).id, event);
  });
  const { stateMachines = [] } = await t.sfn.send(new ListStateMachinesCommand({}));
  fixtureArn = stateMachines.find((machine) => machine.name === 'baton-local-fixture')?.stateMachineArn ?? '';
});
afterAll(() => t.stop());

const input = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, items: [1, 2, 3, 4], waitSeconds: 1, failuresBeforeSuccess: 1, ...extra });

async function start(id: string, extra?: Record<string, unknown>): Promise<string> {
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({ stateMachineArn: fixtureArn, input: input(id, extra) }),
  );
  return executionArn ?? '';
}

async function tokenFor(id: string): Promise<string> {
  const event = await eventually(() => approvals.get(id));
  return (event.detail as { taskToken: string }).taskToken;
}

async function historyTypes(executionArn: string): Promise<string[]> {
  const { events = [] } = await t.sfn.send(
    new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }),
  );
  return events.map((event) => event.type ?? '');
}

describe('the fixture workflow in the embedded runtime', () => {
  it('runs Lambda (with a retry), DynamoDB, Parallel, Map, Wait, a task token and putEvents to success', async () => {
    const executionArn = await start('happy');
    await t.sfn.send(new SendTaskHeartbeatCommand({ taskToken: await tokenFor('happy') }));
    await t.sfn.send(
      new SendTaskSuccessCommand({ taskToken: await tokenFor('happy'), output: '{"approvedBy":"test"}' }),
    );

    const description = await t.finished(executionArn);
    expect(description.status).toBe('SUCCEEDED');
    const output = JSON.parse(description.output ?? '{}');
    expect(output.validation).toEqual({ attempts: 2 });
    expect(output.fanOut).toEqual({ squares: [1, 4, 9, 16] });
    expect(output.approval).toEqual({ approvedBy: 'test' });
    expect(output.stored).toEqual({ itemCount: '4' });

    const types = await historyTypes(executionArn);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((type) => type === 'TaskFailed')).toHaveLength(1);
    expect(types.filter((type) => type === 'LambdaFunctionSucceeded')).toHaveLength(4);
    expect(types.filter((type) => type === 'MapIterationSucceeded')).toHaveLength(4);
    for (const type of [
      'ParallelStateEntered',
      'MapStateEntered',
      'WaitStateEntered',
      'WaitStateExited',
      'TaskSubmitted',
    ]) {
      expect(types).toContain(type);
    }
    // Each task event follows its state's entry.
    const events =
      (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events ?? [];
    const enteredValidate = events.findIndex((e) => e.stateEnteredEventDetails?.name === 'Validate');
    const firstScheduled = events.findIndex((e) => e.type === 'TaskScheduled');
    expect(firstScheduled).toBeGreaterThan(enteredValidate);
    expect(events[firstScheduled]?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
    });

    // The event log is appended through a buffered stream: the execution ends before its last event
    // is on disk, so the test waits for the line rather than reading the file once.
    const completed = await eventually(() => {
      const log = readFileSync(join(t.dataDirectory, 'events.ndjson'), 'utf8');
      return log.includes('"detail-type":"FixtureCompleted"') ? log : undefined;
    });
    expect(completed).toContain('"detail-type":"FixtureCompleted","source":"baton.fixture"');
  });

  it('divides Wait durations by the time scale (a 40 s Wait ends within the 10 s allowed)', async () => {
    const executionArn = await start('scaled', { failuresBeforeSuccess: 0, waitSeconds: 40 });
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('scaled'), output: '{}' }));
    expect((await t.finished(executionArn)).status).toBe('SUCCEEDED');
  });

  it('starts from PutEvents through a route, with the detail as input', async () => {
    await t.eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'test.fixture',
            DetailType: 'FixtureRunRequested',
            Detail: input('routed', { failuresBeforeSuccess: 0 }),
          },
        ],
      }),
    );
    await t.sfn.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('routed'), output: '{}' }));
    const { executions = [] } = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn: fixtureArn }));
    const routed = await eventually(async () => {
      for (const execution of executions) {
        const description = await t.finished(execution.executionArn ?? '');
        if (JSON.parse(description.input ?? '{}').id === 'routed') return description;
      }
      return undefined;
    });
    expect(routed.status).toBe('SUCCEEDED');
  });

  it('routes a caught error to a Fail state with the named error', async () => {
    const executionArn = await start('');
    const description = await t.finished(executionArn);
    expect(description.status).toBe('FAILED');
    expect(description.error).toBe('InvalidRequest');
    expect(JSON.parse(description.cause ?? '{}')).toMatchObject({
      errorType: 'InvalidRequest',
      errorMessage: 'id is required',
    });
  });

  it('fails the waiting task when SendTaskFailure answers its token', async () => {
    const executionArn = await start('refused', { failuresBeforeSuccess: 0 });
    await t.sfn.send(
      new SendTaskFailureCommand({ taskToken: await tokenFor('refused'), error: 'Refused', cause: 'no' }),
    );
    const description = await t.finished(executionArn);
    expect(description).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'no' });
    expect(await historyTypes(executionArn)).toContain('TaskFailed');
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('refused'), output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
  });

  it('aborts a waiting execution on StopExecution and frees its token', async () => {
    const executionArn = await start('stopped', { failuresBeforeSuccess: 0 });
    const token = await tokenFor('stopped');
    await t.sfn.send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'not needed' }));
    const description = await t.finished(executionArn);
    expect(description).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'not needed' });
    expect((await historyTypes(executionArn)).at(-1)).toBe('ExecutionAborted');
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toMatchObject({
      name: 'TaskDoesNotExist',
    });
  });

  it('answers malformed and unknown tokens with the AWS errors', async () => {
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: 'short', output: '{}' })),
    ).rejects.toMatchObject({
      name: 'InvalidToken',
    });
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: 'A'.repeat(64), output: '{}' })),
    ).rejects.toMatchObject({ name: 'TaskDoesNotExist' });
    const executionArn = await start('bad-output', { failuresBeforeSuccess: 0 });
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: await tokenFor('bad-output'), output: 'not json' })),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });
    await t.sfn.send(new StopExecutionCommand({ executionArn }));
  });
});
