/**
 * Items are parsed where they are read: an item that does not have its entity's shape, written
 * straight into the store with the SDK (a hand edit, a writer's bug), is refused at the adapter
 * with `LedgerItemMalformed` naming its key, its entity and what is wrong — never handed to the
 * domain as if it were well formed — and a saga that meets one writes nothing.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAllocationLedger } from '../../lambdas/adapters/dynamodb-allocation-ledger';
import { DynamoDbInventoryStore } from '../../lambdas/adapters/dynamodb-inventory-store';
import { DynamoDbRolloutLedger } from '../../lambdas/adapters/dynamodb-rollout-ledger';
import { DynamoDbUnsettledRecords } from '../../lambdas/adapters/dynamodb-unsettled-records';
import { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { allocate } from '../../lambdas/core/allocation/allocate';
import { quotaHolder } from '../../lambdas/core/allocation/allocation-ledger';
import { LedgerItemMalformed } from '../../lambdas/core/errors';
import { functionCredentials } from '../../lib/embedded/function-credentials';
import { type LedgerStore, startLedgerStore } from '../../lib/embedded/ledger-store';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';

let store: LedgerStore;
let client: DynamoDBDocumentClient;
let ledger: DynamoDbAllocationLedger;
let inventory: DynamoDbInventoryStore;

beforeAll(async () => {
  const credentials = functionCredentials();
  store = await startLedgerStore(undefined, LEDGER_TABLE_NAME, credentials.accessKeyId);
  client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: store.functionsUrl, region: 'us-east-1', credentials }),
  );
  ledger = new DynamoDbAllocationLedger(client, LEDGER_TABLE_NAME);
  inventory = new DynamoDbInventoryStore(client, LEDGER_TABLE_NAME);
});
afterAll(async () => {
  client.destroy();
  await store.close();
});

/** Writes an item as it is, past every adapter. */
async function put(item: Record<string, unknown>): Promise<void> {
  await client.send(new PutCommand({ TableName: LEDGER_TABLE_NAME, Item: item }));
}

/** The error `read` fails with; it must be `LedgerItemMalformed`. */
async function malformed(read: () => Promise<unknown>): Promise<LedgerItemMalformed> {
  const error = await read().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LedgerItemMalformed);
  return error as LedgerItemMalformed;
}

const allocation = (allocationId: string) => ({
  ...ledgerKeys.allocation(allocationId),
  entity: 'allocation',
  allocationId,
  requestId: `req-of-${allocationId}`,
  tenantId: 'items',
  poolId: 'items-pool',
  kind: 'items',
  amount: { vcpu: 1 },
  status: 'ACTIVE',
  createdAt: new Date().toISOString(),
});

describe('an allocation item that does not parse', () => {
  it('is refused when read, naming its key, its entity and what is wrong', async () => {
    await put({ ...allocation('bad-status'), status: 'LOST' });
    const error = await malformed(() => ledger.records.read('bad-status'));
    expect(error).toMatchObject({
      name: 'LedgerItemMalformed',
      key: 'ALLOCATION#bad-status/ALLOCATION',
      entity: 'allocation',
    });
    expect(error.problems).toEqual(['status: expected one of RESERVED, ACTIVE, RELEASING, RELEASED']);
    expect(error.message).toBe(
      'ledger item ALLOCATION#bad-status/ALLOCATION is not a well-formed allocation: status: expected one of RESERVED, ACTIVE, RELEASING, RELEASED',
    );
    await put(allocation('bad-status'));
    expect(await ledger.records.read('bad-status')).toMatchObject({ status: 'ACTIVE' });
  });

  it('is left out by the lease sweep and the reconciler, which go on with the others, and refused by the audit', async () => {
    const { status: _, ...statusless } = allocation('no-status');
    await put({
      ...statusless,
      status: 'RELEASING',
      amount: { vcpu: 'one' },
      leaseBucket: 'LEASE',
      expiresAt: '2000-01-01T00:00:00.000Z',
    });
    const expected = {
      key: 'ALLOCATION#no-status/ALLOCATION',
      problems: ['amount.vcpu: expected number, found a string'],
    };
    await put({ ...allocation('expired-well'), leaseBucket: 'LEASE', expiresAt: '2000-01-01T00:00:00.000Z' });
    const expired = await ledger.records.expired(new Date(), 10);
    expect(expired.map((each) => each.allocationId)).toEqual(['expired-well']);
    const unsettled = await new DynamoDbUnsettledRecords(client, LEDGER_TABLE_NAME).unsettled();
    expect(unsettled.releases.map((each) => each.allocationId)).not.toContain('no-status');
    expect(unsettled.malformed).toEqual([expect.objectContaining(expected)]);
    // The audit names the item to repair rather than count over a ledger it cannot read whole.
    expect(await malformed(() => readLedgerSnapshot(client, LEDGER_TABLE_NAME))).toMatchObject(expected);
    await put({ ...allocation('no-status'), status: 'RELEASED', releaseAnnounced: true });
    await put({ ...allocation('expired-well'), status: 'RELEASED', releaseAnnounced: true });
  });
});

describe('a request, a pool and a quota that do not parse', () => {
  it('are refused when read', async () => {
    await put({
      ...ledgerKeys.request('bad-outcome'),
      entity: 'request',
      requestId: 'bad-outcome',
      claimId: 'c',
      claimedAt: new Date().toISOString(),
      outcome: { status: 'MAYBE', requestId: 'bad-outcome' },
    });
    expect(await malformed(() => ledger.claims.read('bad-outcome'))).toMatchObject({
      key: 'REQUEST#bad-outcome/REQUEST',
      entity: 'request',
    });
    await put({ ...ledgerKeys.pool('stateless'), entity: 'pool', poolId: 'stateless', kind: 'stateless' });
    // A malformed pool takes nothing: left out, the other pools of its kind still serve.
    expect(await ledger.holders.poolsOfKind('stateless')).toEqual([]);
    await put({
      ...ledgerKeys.pool('stateless'),
      entity: 'pool',
      poolId: 'stateless',
      kind: 'stateless',
      state: 'active',
    });
  });

  it('stop an allocation before it writes anything', async () => {
    await inventory.putPoolDeclaration(
      { poolId: 'items-pool', kind: 'items', labels: {}, capacity: { vcpu: 10 }, state: 'active' },
      new Date(),
      'test',
    );
    await put({
      ...ledgerKeys.quota('items'),
      entity: 'quota',
      tenantId: 'items',
      limits: { vcpu: 10 },
      used: { vcpu: '2' },
    });
    expect(await malformed(() => ledger.holders.quota('items'))).toMatchObject({
      key: 'TENANT#items/QUOTA',
      entity: 'quota',
      problems: ['used.vcpu: expected number, found a string'],
    });
    const deps = {
      ledger,
      now: () => new Date(),
      newAllocationId: () => 'never-made',
      newClaimId: () => 'never-claimed',
      pause: () => Promise.resolve(),
    };
    const request = { requestId: 'over-bad-quota', tenantId: 'items', kind: 'items', amount: { vcpu: 1 } };
    const error = await allocate(deps, request, 'execution').catch((e: Error) => e);
    // Not retried as an interruption: the item stays malformed until it is repaired.
    expect(error).toMatchObject({ name: 'LedgerItemMalformed', key: 'TENANT#items/QUOTA' });
    expect(await ledger.claims.read('over-bad-quota')).toBeUndefined();
    expect(await ledger.records.read('never-made')).toBeUndefined();
    await put({
      ...ledgerKeys.quota('items'),
      entity: 'quota',
      tenantId: 'items',
      limits: { vcpu: 10 },
      used: {},
    });
    // A reservation's answer is parsed too: the quota as the hold left it.
    await put({
      ...ledgerKeys.quota('nameless'),
      entity: 'quota',
      limits: { vcpu: 10 },
      used: {},
      holds: {},
      returns: {},
    });
    expect(
      await malformed(() =>
        ledger.holders.reserve(quotaHolder('nameless'), 'held', { vcpu: 1 }, { vcpu: 10 }),
      ),
    ).toMatchObject({ key: 'TENANT#nameless/QUOTA', problems: ['tenantId: expected string, found nothing'] });
    await put({
      ...ledgerKeys.quota('nameless'),
      entity: 'quota',
      tenantId: 'nameless',
      limits: { vcpu: 10 },
      used: {},
    });
  });
});

describe('workload and rollout items that do not parse', () => {
  it('are refused when read', async () => {
    const workloads = new DynamoDbWorkloadLedger(client, LEDGER_TABLE_NAME);
    await put({
      ...ledgerKeys.workload('items', 'demandless'),
      entity: 'workload',
      tenantId: 'items',
      workloadId: 'demandless',
      submittedAt: new Date().toISOString(),
    });
    const expected = {
      key: 'TENANT#items/WORKLOAD#demandless',
      entity: 'workload',
      problems: ['demand: expected record, found nothing'],
    };
    expect(await malformed(() => workloads.workload('items', 'demandless'))).toMatchObject(expected);
    expect(await malformed(() => workloads.tenantWorkloads('items'))).toMatchObject(expected);
    expect(await malformed(() => workloads.pendingWorkloads('items'))).toMatchObject(expected);
    expect(await malformed(() => readLedgerSnapshot(client, LEDGER_TABLE_NAME))).toMatchObject(expected);

    const rollouts = new DynamoDbRolloutLedger(client, LEDGER_TABLE_NAME);
    await put({
      ...ledgerKeys.rollout('stepless'),
      entity: 'rollout',
      rolloutId: 'stepless',
      status: 'RUNNING',
    });
    const rollout = await malformed(() => rollouts.rollout('stepless'));
    expect(rollout).toMatchObject({ key: 'ROLLOUT#stepless/ROLLOUT', entity: 'rollout' });
    expect(rollout.problems).toContain('functionName: expected string, found nothing');
  });
});
