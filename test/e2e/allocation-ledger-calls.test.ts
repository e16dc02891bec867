/**
 * What an allocation asks of the ledger, counted by the store itself (dynalite on its thread, as
 * the functions call it): each call is a write or a read that every allocation pays for, in AWS as
 * here. The claim carries what the first look decided, a refusal is claimed with its outcome, the
 * utilisation comes from the reservations' answers, and a request the pools show to be wrong
 * writes nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAllocationLedger } from '../../lambdas/adapters/dynamodb-allocation-ledger';
import { DynamoDbInventoryStore } from '../../lambdas/adapters/dynamodb-inventory-store';
import { type AllocateDependencies, allocate } from '../../lambdas/core/allocation/allocate';
import { functionCredentials } from '../../lib/embedded/function-credentials';
import { type LedgerStore, startLedgerStore } from '../../lib/embedded/ledger-store';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';

let store: LedgerStore;
let client: DynamoDBDocumentClient;
let ledger: DynamoDbAllocationLedger;
let ids = 0;
const nextId = (prefix: string) => `${prefix}-${++ids}`;
const EXECUTION = 'arn:aws:states:us-east-1:000000000000:execution:baton-local-allocate-resources:calls';

beforeAll(async () => {
  // The store alone, through the door Baton's functions use: nothing else calls it.
  const credentials = functionCredentials();
  store = await startLedgerStore(undefined, LEDGER_TABLE_NAME, credentials.accessKeyId);
  client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: store.functionsUrl, region: 'us-east-1', credentials }),
  );
  ledger = new DynamoDbAllocationLedger(client, LEDGER_TABLE_NAME);
  const inventory = new DynamoDbInventoryStore(client, LEDGER_TABLE_NAME);
  await inventory.putPoolDeclaration(
    { poolId: 'calls-pool', kind: 'calls', labels: {}, capacity: { vcpu: 100 }, state: 'active' },
    new Date(),
    'test',
  );
  await inventory.putQuotaDeclaration({ tenantId: 'calls', limits: { vcpu: 10 } }, new Date(), 'test');
});
afterAll(async () => {
  client.destroy();
  await store.close();
});

const deps = (): AllocateDependencies => ({
  ledger,
  now: () => new Date(),
  newAllocationId: () => nextId('alloc'),
  newClaimId: () => nextId('claim'),
  pause: () => Promise.resolve(),
});

/** The store's calls, by operation, that `work` made. */
async function callsOf(work: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = await store.requestsServed();
  await work();
  const after = await store.requestsServed();
  return Object.fromEntries(
    Object.entries(after)
      .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
      .filter(([, count]) => count > 0),
  );
}

const request = (amount: Record<string, number>) => ({
  requestId: nextId('req'),
  tenantId: 'calls',
  kind: 'calls',
  amount,
});

describe('the ledger calls of one allocation', () => {
  it('are two reads, the claim with its attempt, two holds, the allocation, the outcome and the settle', async () => {
    let reserved: unknown;
    const calls = await callsOf(async () => {
      const allocated = await allocate(deps(), request({ vcpu: 2 }), EXECUTION);
      expect(allocated.outcome.status).toBe('ALLOCATED');
      reserved = allocated.reserved;
    });
    // Query: the pools; GetItem: the quota; PutItem: the claim, the allocation; UpdateItem: the
    // quota's and the pool's holds, the outcome, the two holds dropped.
    expect(calls).toEqual({ Query: 1, GetItem: 1, PutItem: 2, UpdateItem: 5 });
    // What the utilisation is measured from: the holders as the reservations left them.
    expect(reserved).toMatchObject({
      pool: { poolId: 'calls-pool', capacity: { vcpu: 100 } },
      quota: { tenantId: 'calls', limits: { vcpu: 10 } },
    });
  });

  it('record a refusal with the claim, in one write', async () => {
    const calls = await callsOf(async () => {
      const { outcome } = await allocate(deps(), request({ vcpu: 50 }), EXECUTION);
      expect(outcome).toMatchObject({ status: 'REJECTED', reason: 'QuotaExceeded' });
    });
    expect(calls).toEqual({ Query: 1, GetItem: 1, PutItem: 1 });
  });

  it('write nothing for a request the pools show to be wrong', async () => {
    const wrong = request({ gpu: 1 });
    const calls = await callsOf(async () => {
      await expect(allocate(deps(), wrong, EXECUTION)).rejects.toMatchObject({ name: 'InvalidRequest' });
    });
    // The pools and the quota, then whether the request was claimed before (a duplicate's).
    expect(calls).toEqual({ Query: 1, GetItem: 2 });
    expect(await ledger.claims.read(wrong.requestId)).toBeUndefined();
  });
});
