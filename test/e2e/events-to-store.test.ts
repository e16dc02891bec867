/**
 * The first real handlers end to end: PutEvents → rule → handler → store → fact in the event
 * log, through the real SDK clients; and the store surviving a restart of the runtime.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

let t: TestRuntime;
beforeAll(async () => {
  t = await startTestRuntime();
});
afterAll(() => t.stop());

type LoggedEvent = { id: string; source: string; 'detail-type': string; detail: Record<string, unknown> };
const eventLog = (): LoggedEvent[] =>
  readFileSync(join(t.dataDirectory, 'events.ndjson'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as LoggedEvent);

async function emit(detailType: string, detail: unknown, source = 'acme.inventory'): Promise<string> {
  const response = await t.eventBridge.send(
    new PutEventsCommand({
      Entries: [{ Source: source, DetailType: detailType, Detail: JSON.stringify(detail) }],
    }),
  );
  await t.runtime.bus.settle();
  return response.Entries?.[0]?.EventId ?? '';
}

describe('pool and quota declarations', () => {
  it('stores a declared pool and announces ResourcePoolUpdated', async () => {
    const pool = {
      poolId: 'eu-1',
      kind: 'compute',
      labels: { region: 'eu-west-1' },
      capacity: { vcpu: 64 },
      state: 'active',
    };
    await emit('ResourcePoolChanged', pool);
    expect(await t.ledgerItem(ledgerKeys.pool('eu-1'))).toMatchObject({ ...pool, used: {} });
    const fact = await eventually(() => eventLog().find((e) => e['detail-type'] === 'ResourcePoolUpdated'));
    expect(fact).toMatchObject({ source: 'baton', detail: { ...pool, created: true } });
  });

  it('keeps usage and reports created:false when a pool is declared again', async () => {
    await emit('ResourcePoolChanged', {
      poolId: 'eu-2',
      kind: 'compute',
      capacity: { vcpu: 8 },
      state: 'active',
    });
    await emit('ResourcePoolChanged', {
      poolId: 'eu-2',
      kind: 'compute',
      capacity: { vcpu: 4 },
      state: 'draining',
    });
    expect(await t.ledgerItem(ledgerKeys.pool('eu-2'))).toMatchObject({
      capacity: { vcpu: 4 },
      state: 'draining',
      used: {},
    });
    // The log is written asynchronously: wait until both announcements are on disk.
    const updates = await eventually(() => {
      const found = eventLog().filter(
        (e) => e['detail-type'] === 'ResourcePoolUpdated' && e.detail.poolId === 'eu-2',
      );
      return found.length === 2 ? found : undefined;
    });
    expect(updates.map((e) => e.detail.created)).toEqual([true, false]);
  });

  it('stores a tenant quota and announces TenantQuotaUpdated', async () => {
    await emit('TenantQuotaChanged', { tenantId: 'acme', limits: { vcpu: 32, memoryGiB: 128 } });
    expect(await t.ledgerItem(ledgerKeys.quota('acme'))).toMatchObject({
      tenantId: 'acme',
      limits: { vcpu: 32, memoryGiB: 128 },
    });
    const announced = await eventually(() =>
      eventLog().find((e) => e['detail-type'] === 'TenantQuotaUpdated' && e.detail.tenantId === 'acme'),
    );
    expect(announced.detail).toMatchObject({ limits: { vcpu: 32, memoryGiB: 128 }, created: true });
  });

  it.each([
    [
      'a negative capacity',
      'ResourcePoolChanged',
      { poolId: 'bad-1', kind: 'compute', capacity: { vcpu: -1 }, state: 'active' },
      'capacity.vcpu',
    ],
    [
      'an unknown state',
      'ResourcePoolChanged',
      { poolId: 'bad-2', kind: 'compute', capacity: { vcpu: 1 }, state: 'paused' },
      'state',
    ],
    [
      'no capacity dimension',
      'ResourcePoolChanged',
      { poolId: 'bad-3', kind: 'compute', capacity: {}, state: 'active' },
      'capacity',
    ],
    [
      'a detail of the wrong type entirely',
      'ResourcePoolChanged',
      { poolId: 7, kind: true, capacity: 'lots', state: 1 },
      'poolId',
    ],
    ['a missing limits map', 'TenantQuotaChanged', { tenantId: 'bad-4' }, 'limits'],
    [
      'a string where a number belongs',
      'TenantQuotaChanged',
      { tenantId: 'bad-5', limits: { vcpu: '8' } },
      'limits.vcpu',
    ],
  ])('rejects %s with RequestRejected and writes nothing', async (_, detailType, detail, path) => {
    const eventId = await emit(detailType, detail);
    const rejection = await eventually(() =>
      eventLog().find((e) => e['detail-type'] === 'RequestRejected' && e.detail.eventId === eventId),
    );
    expect(rejection.detail).toMatchObject({ detailType, source: 'acme.inventory' });
    expect((rejection.detail.errors as { path: string }[]).map((error) => error.path)).toContain(path);
    const { poolId, tenantId } = detail as { poolId?: unknown; tenantId?: unknown };
    const id = poolId ?? tenantId;
    // Only a string id can name an item; a detail of the wrong type names none.
    if (typeof id === 'string')
      expect(
        await t.ledgerItem(detailType === 'TenantQuotaChanged' ? ledgerKeys.quota(id) : ledgerKeys.pool(id)),
      ).toBeUndefined();
  });

  it("ignores a request that claims Baton's own source", async () => {
    await emit(
      'ResourcePoolChanged',
      { poolId: 'spoofed', kind: 'compute', capacity: { vcpu: 1 }, state: 'active' },
      'baton',
    );
    expect(await t.ledgerItem(ledgerKeys.pool('spoofed'))).toBeUndefined();
  });

  it('keeps the store across a restart of the runtime', async () => {
    await emit('ResourcePoolChanged', {
      poolId: 'durable',
      kind: 'storage',
      capacity: { gib: 500 },
      state: 'active',
    });
    await t.restart();
    expect(await t.ledgerItem(ledgerKeys.pool('durable'))).toMatchObject({
      poolId: 'durable',
      capacity: { gib: 500 },
    });
    await emit('TenantQuotaChanged', { tenantId: 'after-restart', limits: { gib: 10 } });
    expect(await t.ledgerItem(ledgerKeys.quota('after-restart'))).toMatchObject({ limits: { gib: 10 } });
  });
});
