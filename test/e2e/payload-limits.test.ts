/**
 * What no caller may send through the front door: payloads beyond AWS's limits are refused as
 * AWS refuses them, JSON nested deeper than the local engine runs is refused with the error that
 * fits, a request is judged whole before any of it takes effect — and whatever is sent, the
 * runtime keeps serving.
 */
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ListStateMachinesCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PUT_EVENTS_BYTES } from '../../lambdas/core/events/put-events-limits';
import { WorkloadMoveCompleted, WorkloadMoveRequested } from '../../lambdas/core/events/workload-events';
import { BATON_BUS_NAME } from '../../lib/embedded/event-bus';
import { MAX_JSON_DEPTH, MAX_PAYLOAD_BYTES } from '../../lib/embedded/payload-limits';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';
import { nestedJson } from '../fuzz/hostile-json';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime({ simulatedAgent: { delayMs: 10, failureRate: 0 } });
});
afterAll(() => t.stop());

afterEach(async () => {
  const { stateMachines } = await t.sfn.send(new ListStateMachinesCommand({}));
  expect(stateMachines?.length).toBeGreaterThan(0);
});

const releaseArn = () => t.runtime.engine.workflowArn('release-resources');
const start = (input: string, stateMachineArn = releaseArn()) =>
  t.sfn.send(new StartExecutionCommand({ stateMachineArn, input }));

describe('execution input', () => {
  it('refuses an input over 256 KiB with ValidationException', async () => {
    const input = JSON.stringify({ allocationId: 'é'.repeat(MAX_PAYLOAD_BYTES / 2) });
    await expect(start(input)).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining(`'input'`),
    });
  });

  it(`refuses an input nested more than ${MAX_JSON_DEPTH} levels with InvalidExecutionInput, and runs one that is not`, async () => {
    await expect(start(`{"allocationId":${nestedJson(10_000, 'object')}}`)).rejects.toMatchObject({
      name: 'InvalidExecutionInput',
      message: expect.stringContaining(String(MAX_JSON_DEPTH)),
    });
    const { executionArn } = await start(`{"allocationId":${nestedJson(MAX_JSON_DEPTH - 1, 'array')}}`);
    expect(await t.finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
  });

  it('ends an execution whose end is too big to announce, and keeps serving', async () => {
    // Quotes double when the input is embedded in the status-change event: over 256 KiB there.
    const quotes = '"x",'.repeat((MAX_PAYLOAD_BYTES - 100) / 4);
    const { executionArn } = await start(`{"allocationId":[${quotes}"x"]}`);
    expect(await t.finished(executionArn)).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
  });

  it.each(['0', 'false', '""', 'null', '[]', '"text"'])(
    'fails input %s of every workflow with InvalidRequest and a readable cause',
    async (input) => {
      for (const workflow of workflowsIn(productWorkflowDirectory)) {
        const { executionArn } = await start(input, t.runtime.engine.workflowArn(workflow.id));
        const ended = await t.finished(executionArn);
        expect({ workflow: workflow.id, status: ended.status, error: ended.error }).toEqual({
          workflow: workflow.id,
          status: 'FAILED',
          error: 'InvalidRequest',
        });
        expect(ended.cause).toMatch(/expected object/);
      }
    },
  );
});

describe('StopExecution and task answers', () => {
  const waitingExecution = async () => {
    const { executionArn } = await t.sfn.send(
      new StartExecutionCommand({
        stateMachineArn: t.runtime.engine.workflowArn('fixture'),
        input: JSON.stringify({ id: 'stopped-1', items: [1], waitSeconds: 30 }),
      }),
    );
    return executionArn;
  };

  it('refuses a cause over 32 768 characters or an error over 256 with ValidationException', async () => {
    const executionArn = await waitingExecution();
    await expect(
      t.sfn.send(new StopExecutionCommand({ executionArn, cause: 'c'.repeat(32_769) })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining(`'cause'`) });
    await expect(
      t.sfn.send(new StopExecutionCommand({ executionArn, error: 'e'.repeat(257) })),
    ).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringContaining(`'error'`) });
    await t.sfn.send(new StopExecutionCommand({ executionArn, cause: 'c'.repeat(32_768) }));
    expect(await t.finished(executionArn)).toMatchObject({ status: 'ABORTED' });
  });

  it('refuses a task output over 256 KiB, or nested too deep, and takes neither', async () => {
    const token = 'A'.repeat(64);
    await expect(
      t.sfn.send(
        new SendTaskSuccessCommand({
          taskToken: token,
          output: JSON.stringify('x'.repeat(MAX_PAYLOAD_BYTES)),
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(
      t.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: nestedJson(5_000, 'array') })),
    ).rejects.toMatchObject({ name: 'InvalidOutput' });
  });
});

describe('PutEvents', () => {
  const validPool = {
    Source: 'acme.limits',
    DetailType: 'ResourcePoolChanged',
    Detail: JSON.stringify({ poolId: 'limits-1', kind: 'compute', capacity: { vcpu: 1 }, state: 'active' }),
  };

  it('judges every entry before acting on any: a valid entry beside a 6 000-deep one is accepted once', async () => {
    const accepted: string[] = [];
    const unsubscribe = t.runtime.bus.subscribe((event) => {
      if (event.source === 'acme.limits') accepted.push(event['detail-type']);
    });
    try {
      const response = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [validPool, { ...validPool, Detail: `{"deep":${nestedJson(6_000, 'array')}}` }],
        }),
      );
      expect(response.Entries?.map((entry) => entry.ErrorCode ?? 'OK')).toEqual(['OK', 'MalformedDetail']);
      expect(accepted).toEqual(['ResourcePoolChanged']);
    } finally {
      unsubscribe();
    }
  });

  it('refuses a DetailType over 128 characters for that entry alone', async () => {
    const response = await t.eventBridge.send(
      new PutEventsCommand({ Entries: [validPool, { ...validPool, DetailType: 'D'.repeat(129) }] }),
    );
    expect(response.Entries?.map((entry) => entry.ErrorCode ?? 'OK')).toEqual(['OK', 'InvalidArgument']);
  });
});

describe('the simulated agent', () => {
  it('survives a move whose answer would be too big to put, and answers the next one', async () => {
    const answers: string[] = [];
    const unsubscribe = t.runtime.bus.subscribe((event) => {
      if (event['detail-type'] === WorkloadMoveCompleted.detailType)
        answers.push((event.detail as { workloadId: string }).workloadId);
    });
    const move = (workloadId: string, taskToken: string) =>
      t.runtime.bus.putEvents(
        [
          {
            EventBusName: BATON_BUS_NAME,
            Source: 'baton',
            DetailType: WorkloadMoveRequested.detailType,
            Detail: JSON.stringify({ taskToken, workloadId }),
          },
        ],
        'baton',
      );
    try {
      // The request just fits; the answer, under a longer source, does not.
      expect(move('too-big', 't'.repeat(MAX_PUT_EVENTS_BYTES - 100)).FailedEntryCount).toBe(0);
      move('ordinary', 'A'.repeat(64));
      await eventually(() => (answers.includes('ordinary') ? true : undefined));
      expect(answers).toEqual(['ordinary']);
    } finally {
      unsubscribe();
    }
  });
});
