/**
 * Executions outlive the embedded runtime: finished ones are described, listed and their histories
 * read after a restart (the newest `maxExecutions`), and one that was running when the runtime
 * stopped — gracefully or not — is ended ABORTED and announced as a StopExecution would be. Every
 * end is announced, even one whose input is too big for an event.
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { ExecutionJournal, readLines } from '../../lib/embedded/execution-journal';
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

it('holds the records it keeps to a number of characters too, the newest finished kept, across a restart', async () => {
  const bounded = await startTestRuntime({ maxExecutionCharacters: 100_000 });
  try {
    const stateMachineArn = bounded.runtime.engine.workflowArn('declare-inventory');
    const kept = async () =>
      (await bounded.sfn.send(new ListExecutionsCommand({ stateMachineArn }))).executions?.map(
        (execution) => execution.name,
      );
    // Each record holds its 30 000-character input at least three times (input, history's start
    // and first state): two of them are over the bound, so only the newest stays.
    for (const name of ['first', 'second', 'third']) {
      const input = JSON.stringify({ quotas: [], note: name.padEnd(30_000, '.') });
      const { executionArn = '' } = await bounded.sfn.send(
        new StartExecutionCommand({ stateMachineArn, name, input }),
      );
      await bounded.finished(executionArn);
    }
    expect(await kept()).toEqual(['third']);
    await bounded.restart();
    expect(await kept()).toEqual(['third']);
  } finally {
    await bounded.stop();
  }
});

describe('the journal file', () => {
  const directory = () => mkdtempSync(join(tmpdir(), 'baton-journal-'));

  it('is read line by line: lines across chunks, longer than a chunk, characters split, a torn end', () => {
    const path = join(directory(), 'lines.ndjson');
    const lines = ['a', 'é'.repeat(20), 'x'.repeat(100), '', '€uro'];
    writeFileSync(path, `${lines.join('\n')}\n{"torn`);
    for (const chunkBytes of [1, 3, 7, 64, 1024]) {
      expect([...readLines(path, chunkBytes)]).toEqual([...lines, '{"torn']);
    }
  });

  it('ends a line torn by a crash before it appends, so the next line is not lost with it', () => {
    const path = join(directory(), 'executions.ndjson');
    writeFileSync(path, '{"started":{"executionArn":"arn:torn","sta');
    const retention = { maxExecutions: 10, maxCharacters: 1_000_000 };
    const journal = new ExecutionJournal(path, retention);
    const started = {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:machine:after-the-crash',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:machine',
      name: 'after-the-crash',
      input: '{}',
      startDate: Date.now(),
    };
    journal.started(started);
    expect(new ExecutionJournal(path, retention).read()).toEqual([started]);
  });

  it('keeps the lines appended while it is rewritten in the background', async () => {
    const path = join(directory(), 'executions.ndjson');
    const retention = { maxExecutions: 10, maxCharacters: 1_000_000 };
    const entry = (name: string) => ({
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:machine:${name}`,
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:machine',
      name,
      input: '{}',
      startDate: Date.now(),
    });
    const journal = new ExecutionJournal(path, retention);
    journal.started(entry('forgotten'));
    journal.started(entry('kept'));
    journal.compact([entry('kept')]);
    // While the rewrite runs:
    journal.started(entry('during'));
    const end = { status: 'SUCCEEDED', stopDate: Date.now(), output: '{}', history: '[]' } as const;
    journal.ended(entry('kept').executionArn, end);
    await journal.settled();
    journal.started(entry('after'));
    await journal.close();
    const read = new ExecutionJournal(path, retention).read();
    expect(read.map((kept) => kept.name)).toEqual(['kept', 'during', 'after']);
    expect(read[0]?.end).toEqual(end);
  });
});
