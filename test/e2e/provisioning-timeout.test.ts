import { afterAll, beforeAll, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 172_800 });
});
afterAll(() => t.stop());

const run = (workflowId: string, input: unknown) => t.run(workflowId, input);

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
