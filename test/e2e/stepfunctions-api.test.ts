/** The Step Functions API surface of the embedded runtime, as the AWS SDK sees it. */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import {
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { substitute } from '../../lib/topology/asl-definition';
import { functionArnSubstitution } from '../../lib/topology/functions';
import { productWorkflowDirectory, workflowsIn } from '../../lib/topology/workflows';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
let stateMachineArn: string;
beforeAll(async () => {
  t = await startTestRuntime();
  stateMachineArn = t.runtime.engine.workflowArn('declare-inventory');
});
afterAll(() => t.stop());

async function runToEnd(input: unknown): Promise<string> {
  const { executionArn = '' } = await t.sfn.send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }),
  );
  await t.finished(executionArn);
  return executionArn;
}

const valid = (n: number) => ({ quotas: [{ tenantId: `tenant-${n}`, limits: { vcpu: n + 1 } }] });

describe('DescribeStateMachine', () => {
  it('returns the deployed definition with its substitutions resolved', async () => {
    const description = await t.sfn.send(new DescribeStateMachineCommand({ stateMachineArn }));
    const file = workflowsIn(productWorkflowDirectory).find(
      (workflow) => workflow.id === 'declare-inventory',
    );
    const source = readFileSync(file?.file ?? '', 'utf8');
    expect(description).toMatchObject({
      name: 'baton-local-declare-inventory',
      status: 'ACTIVE',
      type: 'STANDARD',
    });
    expect(description.roleArn).toBe('arn:aws:iam::000000000000:role/baton-local-declare-inventory');
    const functionArn = 'arn:aws:lambda:us-east-1:000000000000:function:baton-local-declare-inventory';
    expect(description.definition).toBe(
      substitute(
        source,
        { [functionArnSubstitution('declare-inventory')]: functionArn },
        'declare-inventory',
      ),
    );
  });
});

describe('ListExecutions', () => {
  it('pages newest first without skipping or repeating while new executions arrive, and filters by status', async () => {
    const succeeded = [];
    for (let n = 0; n < 5; n++) succeeded.push(await runToEnd(valid(n)));
    const failed = await runToEnd({});

    const first = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2 }));
    expect(first.executions?.map((e) => e.executionArn)).toEqual([failed, succeeded[4]]);
    await runToEnd(valid(99));
    const seen = [...(first.executions ?? [])];
    let nextToken = first.nextToken;
    while (nextToken) {
      const page = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn, maxResults: 2, nextToken }));
      seen.push(...(page.executions ?? []));
      nextToken = page.nextToken;
    }
    expect(seen.map((e) => e.executionArn)).toEqual([failed, ...succeeded.reverse()]);

    const onlyFailed = await t.sfn.send(
      new ListExecutionsCommand({ stateMachineArn, statusFilter: 'FAILED' }),
    );
    expect(onlyFailed.executions?.map((e) => [e.executionArn, e.status])).toEqual([[failed, 'FAILED']]);
  });

  it('refuses a token that is not from the list', async () => {
    await expect(
      t.sfn.send(
        new ListExecutionsCommand({ stateMachineArn, nextToken: Buffer.from('nope').toString('base64url') }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidToken' });
  });
});

describe('GetExecutionHistory', () => {
  it('numbers events in order, links each to the one before, pages and reverses', async () => {
    const executionArn = await runToEnd(valid(7));
    const all = (await t.sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? [];
    expect(all.map((e) => e.id)).toEqual(all.map((_, index) => index + 1));
    expect(all.map((e) => e.previousEventId)).toEqual(all.map((_, index) => index));
    expect(all[0]?.executionStartedEventDetails?.input).toBe(JSON.stringify(valid(7)));
    const scheduled = all.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails;
    expect(scheduled).toMatchObject({ resourceType: 'lambda', resource: 'invoke', region: 'us-east-1' });
    expect(JSON.parse(scheduled?.parameters ?? '{}')).toMatchObject({
      Payload: { declaration: valid(7), executionId: executionArn },
    });
    expect(all.at(-1)?.executionSucceededEventDetails?.output).toBe(
      JSON.stringify({ pools: [], quotas: [{ tenantId: 'tenant-7', created: true }] }),
    );

    const paged: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await t.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 3, nextToken }),
      );
      paged.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    expect(paged).toEqual(all);
    const reversed = await t.sfn.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(reversed.events).toEqual([...all].reverse());
  });
});

describe('the front door', () => {
  function rawPost(
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; type: string | undefined }> {
    return new Promise((resolve, reject) => {
      const call = request(`${t.runtime.url}/`, { method: 'POST', headers }, (response) => {
        response.resume();
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            type: response.headers['x-amzn-errortype'] as string | undefined,
          }),
        );
      });
      call.on('error', reject);
      call.end(body);
    });
  }
  const target = {
    'x-amz-target': 'AWSStepFunctions.ListStateMachines',
    'content-type': 'application/x-amz-json-1.0',
  };

  it('answers a body over its limit with 413 and the AWS error, not a reset', async () => {
    expect(await rawPost(target, `{"pad":"${'x'.repeat(5 * 1024 * 1024)}"}`)).toEqual({
      status: 413,
      type: 'RequestEntityTooLargeException',
    });
  });

  it('refuses requests naming a foreign host or coming from a foreign web origin (DNS rebinding)', async () => {
    expect(await rawPost({ ...target, host: 'attacker.example:4010' }, '{}')).toEqual({
      status: 403,
      type: 'AccessDeniedException',
    });
    expect(await rawPost({ ...target, origin: 'https://attacker.example' }, '{}')).toEqual({
      status: 403,
      type: 'AccessDeniedException',
    });
    expect(await rawPost({ ...target, host: `localhost:${t.runtime.port}` }, '{}')).toEqual({
      status: 200,
      type: undefined,
    });
  });
});
