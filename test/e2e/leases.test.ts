import { afterAll, beforeAll, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import type { BusEvent } from '../../lib/embedded/event-bus';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
const facts: BusEvent[] = [];
// At time scale 60 the one-minute expiry sweep runs every second.
beforeAll(async () => {
  t = await startTestRuntime({ timeScale: 60 });
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(() => t.stop());

const run = async (workflowId: string, input: unknown) =>
  JSON.parse((await t.run(workflowId, input)).output ?? 'null');

it('releases an allocation when its lease ends and announces ResourceLeaseExpired; unleased ones stay', async () => {
  await run('declare-inventory', {
    pools: [{ poolId: 'lease-pool', kind: 'leased', capacity: { vcpu: 10 }, state: 'active' }],
    quotas: [{ tenantId: 'lease-tenant', limits: { vcpu: 10 } }],
  });
  const leased = await run('allocate-resources', {
    requestId: 'lease-1',
    tenantId: 'lease-tenant',
    kind: 'leased',
    amount: { vcpu: 3 },
    leaseSeconds: 1,
  });
  const kept = await run('allocate-resources', {
    requestId: 'lease-2',
    tenantId: 'lease-tenant',
    kind: 'leased',
    amount: { vcpu: 2 },
  });
  const expired = await eventually(() =>
    facts.find(
      (f) =>
        f['detail-type'] === 'ResourceLeaseExpired' &&
        (f.detail as { allocationId: string }).allocationId === leased.allocationId,
    ),
  );
  expect(expired.detail).toMatchObject({
    tenantId: 'lease-tenant',
    poolId: 'lease-pool',
    amount: { vcpu: 3 },
    expiredAt: leased.expiresAt,
  });
  expect(await t.ledgerItem(ledgerKeys.allocation(leased.allocationId))).toMatchObject({
    status: 'RELEASED',
  });
  expect(await t.ledgerItem(ledgerKeys.allocation(kept.allocationId))).toMatchObject({ status: 'ACTIVE' });
  expect(await t.ledgerItem(ledgerKeys.pool('lease-pool'))).toMatchObject({ used: { vcpu: 2 } });
  expect(await t.ledgerItem(ledgerKeys.quota('lease-tenant'))).toMatchObject({ used: { vcpu: 2 } });
});
