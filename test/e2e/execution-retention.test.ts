/** Execution records are kept up to a bound, oldest finished first out, so memory stays bounded. */
import { DescribeExecutionCommand, ListExecutionsCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime({ maxExecutions: 3 });
});
afterAll(() => t.stop());

it('keeps the newest executions up to maxExecutions and forgets the oldest finished ones', async () => {
  const stateMachineArn = t.runtime.engine.workflowArn('declare-inventory');
  const arns: string[] = [];
  for (let n = 0; n < 5; n++) {
    const input = JSON.stringify({ quotas: [{ tenantId: `t${n}`, limits: { vcpu: 1 } }] });
    const { executionArn = '' } = await t.sfn.send(new StartExecutionCommand({ stateMachineArn, input }));
    await t.finished(executionArn);
    arns.push(executionArn);
  }
  const { executions = [] } = await t.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  expect(executions.map((execution) => execution.executionArn)).toEqual(arns.slice(2).reverse());
  await expect(t.sfn.send(new DescribeExecutionCommand({ executionArn: arns[0] }))).rejects.toMatchObject({
    name: 'ExecutionDoesNotExist',
  });
});
