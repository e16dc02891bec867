/**
 * Executions outlive the embedded runtime: finished ones are described, listed and their histories
 * read after a restart (the newest `maxExecutions`), and one that was running when the runtime
 * stopped — gracefully or not — is ended ABORTED and announced as a StopExecution would be. Every
 * end is announced, even one whose input is too big for an event.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

const STATUS_CHANGE = 'Step Functions Execution Status Change';
let t: TestRuntime;
let statusChanges: BusEvent[] = [];
const listen = () =>
  t.runtime.bus.subscribe((event) => {
    if (event['detail-type'] === STATUS_CHANGE) statusChanges.push(event);
  });
/** Restarts the runtime, listening to the new one's bus. */
async function restart(meanwhile?: () => void): Promise<void> {
  await t.restart(meanwhile);
  listen();
}

beforeAll(async () => {
  t = await startTestRuntime({ maxExecutions: 3 });
  listen();
});
afterAll(() => t.stop());

const journal = () => join(t.dataDirectory, 'executions.ndjson');
const historyOf = async (executionArn: string) =>
  (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events;
const endOf = (executionArn: string) =>
  eventually(() =>
    statusChanges.find((event) => (event.detail as { executionArn: string }).executionArn === executionArn),
  );

async function start(workflowId: string, input: string): Promise<string> {
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({ stateMachineArn: t.runtime.engine.workflowArn(workflowId), input }),
  );
  return executionArn ?? '';
}

it('keeps the newest finished executions across a restart: described, listed, their histories whole', async () => {
  const stateMachineArn = t.runtime.engine.workflowArn('declare-inventory');
  const arns: string[] = [];
  for (let n = 0; n < 5; n++) {
    const executionArn = await start(
      'declare-inventory',
      JSON.stringify({ quotas: [{ tenantId: `kept-${n}`, limits: { vcpu: n + 1 } }] }),
    );
    await t.finished(executionArn);
    arns.push(executionArn);
  }
  const before = await Promise.all(
    arns.slice(2).map(async (executionArn) => ({
      description: await t.sfn.send(new DescribeExecutionCommand({ executionArn })),
      history: await historyOf(executionArn),
    })),
  );

  await restart();
  const { executions = [] } = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  expect(executions.map((execution) => execution.executionArn)).toEqual(arns.slice(2).reverse());
  for (const [index, executionArn] of arns.slice(2).entries()) {
    const { $metadata: _, ...description } = await t.sfn.send(new DescribeExecutionCommand({ executionArn }));
    const { $metadata: __, ...described } = before[index]?.description ?? {};
    expect(description).toEqual(described);
    expect(await historyOf(executionArn)).toEqual(before[index]?.history);
  }
  await expect(t.sfn.send(new DescribeExecutionCommand({ executionArn: arns[0] }))).rejects.toMatchObject({
    name: 'ExecutionDoesNotExist',
  });
  // Compacted at the start: a start and an end line for each execution kept, nothing else.
  expect(readFileSync(journal(), 'utf8').trim().split('\n')).toHaveLength(6);
});

it('ends an execution running at a graceful stop ABORTED, announces it, and keeps it', async () => {
  const declared = await t.run('declare-inventory', {
    pools: [{ poolId: 'stop-pool', kind: 'stop', capacity: { vcpu: 10 }, state: 'active' }],
    quotas: [{ tenantId: 'stop-tenant', limits: { vcpu: 10 } }],
  });
  expect(declared.status).toBe('SUCCEEDED');
  const executionArn = await start(
    'allocate-resources',
    JSON.stringify({
      requestId: 'stop-1',
      tenantId: 'stop-tenant',
      kind: 'stop',
      amount: { vcpu: 4 },
      provisioner: 'callback',
    }),
  );
  const outcome = await eventually(async () => (await t.ledgerItem(ledgerKeys.request('stop-1')))?.outcome);
  const { allocationId } = outcome as { allocationId: string };

  await restart();
  expect((await endOf(executionArn)).detail).toMatchObject({
    status: 'ABORTED',
    error: 'Baton.RuntimeStopped',
  });
  expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
    status: 'ABORTED',
    error: 'Baton.RuntimeStopped',
    cause: 'the embedded runtime shut down',
  });
  // Its recovery ran as the runtime stopped, or as it started again.
  await eventually(async () =>
    (await t.ledgerItem(ledgerKeys.allocation(allocationId)))?.status === 'RELEASED' ? true : undefined,
  );
});

it('ends what a crash left running ABORTED at the next start, however old, and reads past a torn line', async () => {
  const stateMachineArn = t.runtime.engine.workflowArn('declare-inventory');
  const executionArn = stateMachineArn.replace(':stateMachine:', ':execution:').concat(':cut-off');
  const input = '{"quotas":[]}';
  await restart(() => {
    // What a runtime killed mid-execution leaves: the start of an execution older than the newest
    // three kept, and an end it was writing.
    const started = { executionArn, stateMachineArn, name: 'cut-off', input, startDate: Date.now() - 60_000 };
    writeFileSync(journal(), `${JSON.stringify({ started })}\n${readFileSync(journal(), 'utf8')}`);
    appendFileSync(journal(), `{"ended":{"executionArn":"${executionArn}","sta`);
  });
  expect(await t.sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({
    status: 'ABORTED',
    error: 'Baton.RuntimeStopped',
    input,
  });
  expect((await historyOf(executionArn))?.map((event) => event.type)).toEqual([
    'ExecutionStarted',
    'ExecutionAborted',
  ]);
  // Announced as it was ended, before anyone here could listen: the event log has it.
  await eventually(() =>
    readFileSync(join(t.dataDirectory, 'events.ndjson'), 'utf8')
      .split('\n')
      .some((line) => line.includes(STATUS_CHANGE) && line.includes(executionArn))
      ? true
      : undefined,
  );
});

it('announces an end whose input is too big for an event without it, as AWS does', async () => {
  statusChanges = [];
  // Within Step Functions' 256 KB of input, yet over EventBridge's 256 KB once escaped into the event.
  const input = JSON.stringify({ quotas: [], note: '"'.repeat(100_000) });
  const executionArn = await start('declare-inventory', input);
  await t.finished(executionArn);
  expect((await endOf(executionArn)).detail).toMatchObject({
    input: null,
    inputDetails: { included: false },
    outputDetails: { included: true },
  });
  expect((await t.sfn.send(new DescribeExecutionCommand({ executionArn }))).input).toBe(input);
});
