/**
 * A callback provisioner that never answers: at time scale 172 800 the 24 h provisioning deadline
 * passes in half a second, the reservation is returned and the execution fails by name.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 172_800 });
});
afterAll(() => t.stop());

async function run(workflowId: string, input: unknown) {
  const { executionArn } = await t.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: t.runtime.engine.workflowArn(workflowId),
      input: JSON.stringify(input),
    }),
  );
  return t.finished(executionArn);
}

it('returns the reservation and fails with ProvisioningFailed when the provisioner times out', async () => {
  await run('declare-inventory', {
    pools: [{ poolId: 'slow-pool', kind: 'slow', capacity: { vcpu: 10 }, state: 'active' }],
    quotas: [{ tenantId: 'slow-tenant', limits: { vcpu: 10 } }],
  });
  const description = await run('allocate-resources', {
    requestId: 'slow-1',
    tenantId: 'slow-tenant',
    kind: 'slow',
    amount: { vcpu: 4 },
    provisioner: 'callback',
  });
  expect(description).toMatchObject({
    status: 'FAILED',
    error: 'ProvisioningFailed',
    cause: 'States.Timeout',
  });
  expect(await t.ledgerItem(ledgerKeys.pool('slow-pool'))).toMatchObject({ used: { vcpu: 0 } });
  expect(await t.ledgerItem(ledgerKeys.quota('slow-tenant'))).toMatchObject({ used: { vcpu: 0 } });
});
