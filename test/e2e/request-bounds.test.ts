/**
 * The bounds of the request schemas, end to end: the largest accepted requests are stored by the
 * real ledger with every expression within DynamoDB's 4 KB and every item within 400 KB, and the
 * numbers the fuzzer found (1e308, 2^53 + 2, 1e-200, 5e-324) are refused up front — by event with
 * `RequestRejected`, as a workflow input with `InvalidRequest` — instead of failing in the store.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAllocationLedger } from '../../lambdas/adapters/dynamodb-allocation-ledger';
import { DynamoDbInventoryStore } from '../../lambdas/adapters/dynamodb-inventory-store';
import { DynamoDbWorkloadLedger } from '../../lambdas/adapters/dynamodb-workload-ledger';
import { EventBridgePublisher } from '../../lambdas/adapters/event-bridge-publisher';
import { ledgerKeys } from '../../lambdas/adapters/ledger-keys';
import { readLedgerSnapshot } from '../../lambdas/adapters/ledger-snapshot';
import { allocate } from '../../lambdas/core/allocation/allocate';
import { auditLedger } from '../../lambdas/core/allocation/audit';
import { release } from '../../lambdas/core/allocation/release';
import { ResourcePoolChanged } from '../../lambdas/core/events/inventory-events';
import { MAX_AMOUNT, MAX_DIMENSIONS, MAX_LABELS } from '../../lambdas/core/events/primitives';
import { parseDetail } from '../../lambdas/core/events/validation';
import { addResource, submitWorkload } from '../../lambdas/core/workloads/workload-requests';
import { BATON_BUS_NAME, type BusEvent } from '../../lib/embedded/event-bus';
import { LEDGER_TABLE_NAME } from '../../lib/embedded/local-aws';
import { schedules } from '../../lib/topology/schedules';
import { eventually, startTestRuntime, type TestRuntime } from './embedded-runtime';

const MAX_EXPRESSION_BYTES = 4096;
const MAX_ITEM_BYTES = 400 * 1024;

let t: TestRuntime;
let client: DynamoDBDocumentClient;
const expressions: string[] = [];
const facts: BusEvent[] = [];

beforeAll(async () => {
  // The saga run by hand below claims for an execution that does not exist: the reconciler would
  // take that claim over as an orphan's.
  t = await startTestRuntime({
    dataDirectory: null,
    schedules: schedules.filter((schedule) => schedule.functionId !== 'reconcile'),
  });
  const raw = new DynamoDBClient({
    endpoint: t.runtime.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  // Every expression the ledger sends, to hold them to DynamoDB's limit.
  raw.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as Record<string, unknown>;
      for (const field of [
        'UpdateExpression',
        'ConditionExpression',
        'KeyConditionExpression',
        'FilterExpression',
      ]) {
        if (typeof input[field] === 'string') expressions.push(input[field] as string);
      }
      return next(args);
    },
    { step: 'initialize' },
  );
  client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  t.runtime.bus.subscribe((event) => {
    if (event.source === 'baton') facts.push(event);
  });
});
afterAll(async () => {
  client.destroy();
  await t.stop();
});

/** The largest amount a schema accepts in every dimension: 1e12 minus a thousandth, with decimals. */
const widest = (value: number) =>
  Object.fromEntries(
    Array.from({ length: MAX_DIMENSIONS }, (_, i) => [
      `dimension${String(i).padStart(2, '0')}xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx`,
      value,
    ]),
  );
const longest = (prefix: string) => `${prefix}-${'x'.repeat(126 - prefix.length)}`;

describe('the largest accepted requests', () => {
  it('are stored with every expression within 4 KB and every item within 400 KB, and audit clean', async () => {
    const inventory = new DynamoDbInventoryStore(client, LEDGER_TABLE_NAME);
    const ledger = new DynamoDbAllocationLedger(client, LEDGER_TABLE_NAME);
    const workloads = new DynamoDbWorkloadLedger(client, LEDGER_TABLE_NAME);
    const poolId = longest('pool');
    const tenantId = longest('tenant');
    const pool = parseDetail(ResourcePoolChanged, {
      poolId,
      kind: longest('kind'),
      labels: Object.fromEntries(
        Array.from({ length: MAX_LABELS }, (_, i) => [
          `${String(i).padStart(2, '0')}${'k'.repeat(61)}`,
          'v'.repeat(256),
        ]),
      ),
      capacity: widest(MAX_AMOUNT),
      state: 'active',
    });
    expect(pool.ok).toBe(true);
    if (!pool.ok) return;
    await inventory.putPoolDeclaration(pool.value, new Date(), 'test');
    await inventory.putQuotaDeclaration({ tenantId, limits: widest(MAX_AMOUNT) }, new Date(), 'test');
    const amount = widest(MAX_AMOUNT - 0.001);
    const { outcome } = await allocate(
      {
        ledger,
        now: () => new Date(),
        newAllocationId: () => longest('alloc'),
        newClaimId: () => 'claim-1',
        pause: () => Promise.resolve(),
      },
      { requestId: longest('request'), tenantId, kind: pool.value.kind, amount, labels: pool.value.labels },
      'arn:aws:states:us-east-1:000000000000:execution:baton-local-allocate-resources:bounds',
    );
    expect(outcome.status).toBe('ALLOCATED');
    if (outcome.status !== 'ALLOCATED') return;
    const events = new EventBridgeClient({
      endpoint: t.runtime.url,
      region: 'us-east-1',
      credentials: t.runtime.functionCredentials,
    });
    const publisher = new EventBridgePublisher(events, BATON_BUS_NAME);
    await addResource(workloads, publisher, {
      tenantId,
      resourceId: outcome.allocationId,
      poolId,
      capacity: amount,
    });
    await submitWorkload(
      workloads,
      publisher,
      {
        workloadId: longest('workload'),
        tenantId,
        demand: amount,
        constraints: { antiAffinityGroup: longest('group') },
      },
      new Date(),
    );
    events.destroy();
    expect(facts.filter((f) => f['detail-type'] === 'WorkloadPlaced').map((f) => f.detail)).toEqual([
      { workloadId: longest('workload'), tenantId, resourceId: outcome.allocationId },
    ]);
    await release(ledger, outcome.allocationId);

    expect(Math.max(...expressions.map((expression) => Buffer.byteLength(expression)))).toBeLessThanOrEqual(
      MAX_EXPRESSION_BYTES,
    );
    for (const key of [
      ledgerKeys.pool(poolId),
      ledgerKeys.quota(tenantId),
      ledgerKeys.allocation(outcome.allocationId),
    ]) {
      expect(Buffer.byteLength(JSON.stringify(await t.ledgerItem(key)))).toBeLessThanOrEqual(MAX_ITEM_BYTES);
    }
    expect(auditLedger(await readLedgerSnapshot(client, LEDGER_TABLE_NAME))).toEqual([]);
  });
});

describe('numbers out of bounds', () => {
  it.each([
    ['1e308', 1e308],
    ['2^53 + 2', 2 ** 53 + 2],
    ['1e-200', 1e-200],
    ['5e-324', 5e-324],
  ])(
    '%s in a pool capacity fails declare-inventory with InvalidRequest naming the bound, and writes nothing',
    async (name, value) => {
      const poolId = `bounds-${name.replaceAll(/[^0-9a-z]/g, '')}`;
      const description = await t.run('declare-inventory', {
        pools: [{ poolId, kind: 'compute', capacity: { vcpu: value }, state: 'active' }],
      });
      expect(description).toMatchObject({ status: 'FAILED', error: 'InvalidRequest' });
      expect(description.cause).toMatch(
        /pools\.0\.capacity\.vcpu: (Too big: expected number to be <=1000000000000|must be a whole number of thousandths)/,
      );
      expect(await t.ledgerItem(ledgerKeys.pool(poolId))).toBeUndefined();
    },
  );

  it.each([
    [
      'a demand',
      'WorkloadSubmitted',
      { workloadId: 'w-bounds', tenantId: 'acme', demand: { vcpu: 1e308 } },
      'demand.vcpu',
    ],
    [
      'a limit',
      'TenantQuotaChanged',
      { tenantId: 'acme-bounds', limits: { vcpu: 2 ** 53 + 2 } },
      'limits.vcpu',
    ],
    [
      'an amount',
      'ResourceAllocationRequested',
      { requestId: 'req-bounds', tenantId: 'acme', kind: 'compute', amount: { vcpu: 5e-324 } },
      'amount.vcpu',
    ],
    [
      'a percent',
      'ServiceRolloutRequested',
      {
        rolloutId: 'ro-bounds',
        functionName: 'checkout',
        alias: 'live',
        targetVersion: '2',
        strategy: { type: 'linear', stepPercent: 1e-7, intervalSeconds: 1 },
      },
      'strategy',
    ],
  ])(
    '%s out of bounds by event is answered with RequestRejected, never dead-lettered',
    async (_, detailType, detail, path) => {
      const { Entries = [] } = await t.eventBridge.send(
        new PutEventsCommand({
          Entries: [{ Source: 'acme.fuzz', DetailType: detailType, Detail: JSON.stringify(detail) }],
        }),
      );
      const rejection = await eventually(() =>
        facts.find(
          (f) =>
            f['detail-type'] === 'RequestRejected' &&
            (f.detail as { eventId: string }).eventId === Entries[0]?.EventId,
        ),
      );
      expect(
        (rejection.detail as { errors: { path: string }[] }).errors.map((error) => error.path),
      ).toContain(path);
    },
  );
});
